/**
 * The ledger audit with many ledgers: a dev topology whose cluster1 rolls a ledger after every
 * entry, `count` messages into one topic (one ledger each), then `npm run ledgers`'s reading and
 * judging timed, with the calls it made, against reading the same ledgers one call per ledger.
 * Usage: npm run bench:ledger-audit [-- <count>]
 */
import { BookieAdmin } from "../admin/bookie-admin";
import { bookieHttpUrl } from "../config";
import { auditTarget, liveLedgerAudit } from "../ops/ledger-report";
import { AdminLayer } from "../test/support/apply";
import { produce } from "../test/support/pulsar-client";
import { startRealTopology, stopRealTopology } from "../test/support/real-topology";
import { stackTopology } from "../test/support/stack-config";

const count = Number(process.argv[2] ?? 10_000);
const ROUNDS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const raw = stackTopology("dev");
  raw.clusters[0].managedLedger = { ...raw.clusters[0].managedLedger, maxEntriesPerLedger: 1 };
  const real = await startRealTopology("bench-ledgers", raw);
  try {
    await new AdminLayer().apply(real.topology);
    const started = Date.now();
    // In slices: a ledger per entry keeps each send waiting on a ledger's creation, past the client's 30 s limit for 10,000 at once.
    for (let sent = 0; sent < count; sent += 250) await produce("pulsar://127.0.0.1:6650", "persistent://public/c1-ns1/many-ledgers", Math.min(250, count - sent));
    const produceSeconds = (Date.now() - started) / 1000;

    const audits: number[] = [];
    let last: Awaited<ReturnType<typeof liveLedgerAudit>> | undefined;
    for (let i = 0; i < ROUNDS; i++) {
      last = await liveLedgerAudit(auditTarget(real.topology));
      audits.push(last.reads.seconds);
    }
    const bookie = new BookieAdmin({ baseUrl: bookieHttpUrl(real.topology, real.topology.bookies[0]) });
    const oneByOne: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = Date.now();
      const ids = await bookie.ledgerIds();
      for (let j = 0; j < ids.length; j += 32) await Promise.all(ids.slice(j, j + 32).map((id) => bookie.ledgerMetadata(id)));
      oneByOne.push((Date.now() - t) / 1000);
    }
    const { audit, reads } = last!;
    console.log(
      JSON.stringify(
        {
          messages: count,
          produceSeconds,
          ledgers: audit.ledgers,
          outside: audit.outside.length,
          auditSeconds: { median: median(audits), all: audits },
          reads: { bookieCalls: reads.bookieCalls, adminCalls: reads.adminCalls, ledgerMetadataReads: reads.ledgerMetadataReads },
          oneCallPerLedgerSeconds: { median: median(oneByOne), all: oneByOne },
          rssMB: Math.round(process.memoryUsage().rss / 1e6),
        },
        null,
        2,
      ),
    );
  } finally {
    await stopRealTopology(real);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
