/**
 * How preview and a no-change `up` grow with the number of namespaces, with the real CLI: an
 * external-runtime stack over a running dev topology (ports +6000), declaring 10, 50 and then 100
 * namespaces with affinity, spread over both clusters. For each size: the `up` that adds them, then
 * `preview` and no-change `up` (median of N each), with the admin writes the brokers saw during
 * those. Usage: npm run bench:namespace-growth [-- <runs>]
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { dump } from "js-yaml";
import { bookieId, brokerWebUrl, configurationStoreConnect } from "../config";
import { ensureStack, pulumi } from "../test/support/pulumi-cli";
import { adminWritesSeenBy, settledCount } from "../test/support/pulsar-client";
import { TEST_STATE_ROOT, startRealTopology, stopRealTopology } from "../test/support/real-topology";
import { devTopologyApart } from "../test/support/stack-config";

const runs = Number(process.argv[2] ?? 3);
const SIZES = [10, 50, 100];
const stack = "bench-growth";
const configFile = path.join(TEST_STATE_ROOT, "growth-stack", `Pulumi.${stack}.yaml`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function cli(...args: string[]): Promise<number> {
  const result = await pulumi([...args, "--stack", stack, "--config-file", configFile]);
  if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${result.output.slice(-4000)}`);
  return result.seconds;
}

async function main() {
  const real = await startRealTopology("bench-growth", devTopologyApart(6000));
  const t = real.topology;
  const brokerDirs = t.clusters.flatMap((c) => c.brokers.map((b) => path.join(real.paths.stateDir, b.name)));
  const writes = () => settledCount(async () => (await Promise.all(brokerDirs.map(adminWritesSeenBy))).reduce((a, b) => a + b, 0));
  const rows: string[] = [];
  try {
    await fs.mkdir(path.dirname(configFile), { recursive: true });
    await ensureStack(stack);
    for (const size of SIZES) {
      const namespaces = Array.from({ length: size }, (_, i) => {
        const cluster = t.clusters[i % t.clusters.length];
        return { name: `public/growth-${i}`, cluster: cluster.name, bundles: 4, affinity: { primary: i % 2 === 0 ? "group-bookie1" : "group-bookie2" } };
      });
      await fs.writeFile(
        configFile,
        dump({
          config: {
            "pulsar-isolation:topology": {
              runtime: "external",
              configurationStore: { connect: configurationStoreConnect(t) },
              bookies: t.bookies.map((b) => ({ name: b.name, id: bookieId(t, b), group: b.group, rack: b.rack })),
              clusters: t.clusters.map((c) => ({ name: c.name, adminUrl: brokerWebUrl(t, c.brokers[0]), managedLedger: { ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 } })),
              namespaces,
            },
          },
        }),
      );
      const grow = await cli("up", "--yes");
      const before = await writes();
      const previews: number[] = [];
      const ups: number[] = [];
      for (let i = 0; i < runs; i++) previews.push(await cli("preview"));
      for (let i = 0; i < runs; i++) ups.push(await cli("up", "--yes", "--expect-no-changes"));
      const quiet = (await writes()) - before;
      const resources = 4 + 1 + 2 * size; // rack entries, the tenant, a namespace and its affinity each
      const row = `| ${size} | ${resources} | ${grow.toFixed(1)} s | ${median(previews).toFixed(1)} s (${previews.map((s) => s.toFixed(1)).join(", ")}) | ${median(ups).toFixed(1)} s (${ups.map((s) => s.toFixed(1)).join(", ")}) | ${quiet} |`;
      console.log(row);
      rows.push(row);
    }
  } finally {
    await cli("destroy", "--yes").catch((err) => console.error(`${err}`));
    await pulumi(["stack", "rm", stack, "--yes", "--force"]);
    await stopRealTopology(real);
  }
  console.log(["| namespaces | admin resources | `up` adding them | `preview` (median) | no-change `up` (median) | admin writes during those |", "|---|---|---|---|---|---|", ...rows].join("\n"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
