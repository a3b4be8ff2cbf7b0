import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PulsarAdmin } from "../../admin";
import { BookieAdmin } from "../../admin/bookie-admin";
import { ZooKeeperStore } from "../../admin/zookeeper";
import { parseTopology } from "../../config";
import { auditTarget, liveLedgerAudit } from "../../ops/ledger-report";
import { formatLedgerAudit } from "../../ops/ledger-audit-text";
import { REPLICATION_DISABLED_PATH, configuredRecoveryDelay, topologyNodes, underReplicationLockPath } from "../../runtime";
import { isAlive } from "../../runtime/local";
import { waitFor } from "../../runtime/local/wait";
import { openPorts } from "../support/processes";
import { E2E_ENV, pulumi, pulumiOk } from "../support/pulumi-cli";
import { consume, produce, startPacedProducer } from "../support/pulsar-client";
import { stackTopology, writeStackTopology } from "../support/stack-config";
import { SHARED_STACK, SHARED_STACK_FILE, destroySharedDevStack, sharedDevStack } from "./shared-dev-stack";

/** The dev stack's copy, where the dev-stack suite left it (or up from nothing when that did not run). */
const stack = SHARED_STACK;
const stackFile = SHARED_STACK_FILE;
const stateDir = path.join(E2E_ENV.PULSAR_ISOLATION_STATE_DIR, stack);
const BK5 = { name: "bk5", bookiePort: 3185, httpPort: 8015, group: "group-bookie2", rack: "rack2" };
const BK5_ID = "127.0.0.1:3185";
const TOPIC = "persistent://public/c2-ns1/day2";
/** The managed ledger's name of TOPIC, as its ledgers' metadata gives it. */
const TOPIC_LEDGER = "public/c2-ns1/persistent/day2";
const MESSAGES = 1000;
const ROLLING_TOPIC = "persistent://public/c1-ns1/rolling";

/** bookie settings of every topology the tests write; the rolling-restart test changes them for the rest of the run. */
let bookieSettings: Record<string, unknown> = {};
const devTopology = (): Record<string, any> => ({ ...stackTopology("dev"), bookieSettings });
const withBk5 = () => {
  const topology = devTopology();
  topology.bookies.push(BK5);
  return topology;
};

/** Writes the stack's topology after the schema accepts it. */
async function setTopology(topology: Record<string, any>): Promise<void> {
  parseTopology(topology);
  await writeTopology(topology);
}

const writeTopology = (topology: Record<string, any>) => writeStackTopology(stackFile, topology);

const pidOf = async (node: string) => Number((await fs.readFile(path.join(stateDir, node, "pid"), "utf8")).trim());
const bookiePids = async (names: string[]): Promise<Record<string, number>> =>
  Object.fromEntries(await Promise.all(names.map(async (n) => [n, await pidOf(n)] as const)));
const exists = (p: string) => fs.access(p).then(() => true, () => false);
const cluster2 = new PulsarAdmin({ baseUrl: "http://127.0.0.1:8081" });
const cluster1 = new PulsarAdmin({ baseUrl: "http://127.0.0.1:8080" });
/** The configuration store, which holds the ledgers' metadata. */
const metadata = new ZooKeeperStore({ connect: "127.0.0.1:2181" });
/** The bookies that stay, asked about the BookKeeper cluster's ledgers. */
const stayingBookies = new BookieAdmin({ baseUrl: "http://127.0.0.1:8013,http://127.0.0.1:8014,http://127.0.0.1:8011" });

describe("day-2 operations on a running stack (local runtime, real CLI)", function () {
  const timings: Record<string, number> = {};

  before(async () => {
    await sharedDevStack();
    await setTopology(devTopology());
  });

  after(() => console.log(`      timings (s): ${JSON.stringify(timings)}`));

  it("scales out: bk5 added to group-bookie2 runs, both clusters list its rack, and new ledgers use it", async () => {
    const othersBefore = await bookiePids(["bk1", "bk2", "bk3", "bk4"]);
    await setTopology(withBk5());
    const up = await pulumiOk(["up", "--stack", stack, "--yes"]);
    timings.scaleOut = up.seconds;
    assert.match(up.output, /\+\s+pulumi-nodejs:dynamic\/pulsar-isolation:LocalNode bk5 created/);
    assert.match(up.output, /\+\s+pulumi-nodejs:dynamic\/pulsar-isolation:BookieMembership bk5-membership created/);
    assert.match(up.output, /\+\s+pulumi-nodejs:dynamic\/pulsar-isolation:BookieRack bk5-rack created/);
    assert.match(up.output, /~\s+pulumi-nodejs:dynamic\/pulsar-isolation:AffinityGroup public\/c2-ns1-affinity updated .*\[diff: ~members\]/);
    assert.doesNotMatch(up.output, /public\/c1-ns1-affinity updat/, "group-bookie1's namespace is left alone");
    assert.deepEqual(await bookiePids(["bk1", "bk2", "bk3", "bk4"]), othersBefore, "no other bookie restarted");

    assert.ok(isAlive(await pidOf("bk5")), "bk5 runs");
    for (const admin of [cluster1, cluster2]) {
      assert.deepEqual((await admin.racksInfo())["group-bookie2"][BK5_ID], { rack: "rack2", hostname: "127.0.0.1" }, `rack map of ${admin.url}`);
    }
    assert.ok((await cluster2.listBookies()).includes(BK5_ID));

    await produce("pulsar://127.0.0.1:6651", TOPIC, MESSAGES);
    const ledgers = (await stayingBookies.ledgers()).filter((l) => l.managedLedger === TOPIC_LEDGER);
    assert.ok(ledgers.length >= 5, `${ledgers.length} ledgers`);
    assert.ok(ledgers.some((l) => l.ensembles.flat().includes(BK5_ID)), `no ledger of ${TOPIC} uses bk5: ${JSON.stringify(ledgers.map((l) => l.ensembles))}`);
  });

  it("restarts bookies one at a time on a settings change, each writable before the next stops, copies no ledger, and loses no acknowledged message", async () => {
    const names = ["bk1", "bk2", "bk3", "bk4", "bk5"];
    const ids = names.map((_, i) => `127.0.0.1:${3181 + i}`);
    const before = await bookiePids(names);
    // group-bookie2 has a third bookie: a ledger of a restarting bookie there could be copied to it.
    const ensembles = async () =>
      Object.fromEntries(
        (await stayingBookies.ledgers()).filter((l) => l.managedLedger === TOPIC_LEDGER && l.state === "CLOSED").map((l) => [l.ledgerId, l.ensembles]),
      );
    const closedBefore = await ensembles();
    bookieSettings = { gcWaitTime: 600000 };
    await setTopology(withBk5());

    // Watch the writable bookies all along, and write into the two-bookie group meanwhile.
    let watching = true;
    let mostAway = 0;
    const auditors: string[] = [];
    const watcher = (async () => {
      const anyBookie = new BookieAdmin({ baseUrl: [8011, 8012, 8013, 8014, 8015].map((p) => `http://127.0.0.1:${p}`).join(","), attempts: 5, backoffMs: 50 });
      while (watching) {
        const writable = await anyBookie.listBookies("rw").catch(() => undefined);
        if (writable) mostAway = Math.max(mostAway, ids.filter((id) => !writable.includes(id)).length);
        const auditor = await anyBookie.auditor().catch(() => undefined);
        if (auditor && auditor !== auditors.at(-1)) auditors.push(auditor);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const producer = startPacedProducer("pulsar://127.0.0.1:6650", ROLLING_TOPIC, 50);
    const up = await pulumiOk(["up", "--stack", stack, "--yes"]);
    timings.rollingRestart = up.seconds;
    watching = false;
    await watcher;
    const produced = await producer.stop();
    timings.longestWritePauseMs = produced.maxLatencyMs;
    timings.messagesDuringRollingRestart = produced.sent;

    const after = await bookiePids(names);
    assert.ok(names.every((n) => after[n] !== before[n]), "every bookie restarted");
    assert.equal(mostAway, 1, "at most one bookie was away at any time");
    assert.ok(Object.keys(closedBefore).length >= 5, `${Object.keys(closedBefore).length} closed ledgers`);
    // The auditor's bookie restarts last, so the auditor moves once: its new auditor audits at once
    // when it starts, while re-replication is paused, and no bookie stops during that audit.
    console.log(`      auditor: ${auditors.join(" -> ")}`);
    assert.equal(auditors.length, 2, `the auditor moved once: ${auditors.join(" -> ")}`);
    assert.deepEqual(await ensembles(), closedBefore, "no closed ledger was copied elsewhere while its bookie restarted");
    assert.ok(!(await metadata.exists(REPLICATION_DISABLED_PATH)), "re-replication is on again");
    assert.equal(await stayingBookies.lostBookieRecoveryDelay(), configuredRecoveryDelay({}), "the recovery of lost bookies is immediate again, as the bookies' setting says");
    assert.ok(produced.sent > 0, "the producer wrote through the restarts");
    assert.equal(await consume("pulsar://127.0.0.1:6650", ROLLING_TOPIC, "after-rolling-restart", produced.sent), produced.sent, "every acknowledged message reads back");
  });

  it("refuses at preview a scale-in that leaves group-bookie2 below its ensemble size, and touches nothing", async () => {
    const pids = await bookiePids(["bk1", "bk2", "bk3", "bk4", "bk5"]);
    const unsafe = withBk5();
    unsafe.bookies = unsafe.bookies.filter((b: { name: string }) => b.name !== "bk3" && b.name !== "bk4");
    await writeTopology(unsafe);
    try {
      const preview = await pulumi(["preview", "--stack", stack]);
      assert.notEqual(preview.code, 0, preview.output);
      assert.ok(
        preview.output.includes('public/c2-ns1: "group-bookie2" has 1 bookie (bk5), fewer than the ensemble size 2 (from cluster cluster2)'),
        preview.output,
      );
      const up = await pulumi(["up", "--stack", stack, "--yes"]);
      assert.notEqual(up.code, 0, up.output);
      assert.doesNotMatch(up.output, /deleting|deleted/);
    } finally {
      await setTopology(withBk5());
    }
    assert.deepEqual(await bookiePids(["bk1", "bk2", "bk3", "bk4", "bk5"]), pids, "every bookie still runs as before");
    assert.ok(Object.values(pids).every(isAlive));
  });

  it("bounds the decommission: when copies cannot be made, up fails in time listing the ledgers left, and bk5 runs again read-only with its data", async () => {
    // Every ledger on bk5 is locked, as by a replication worker that hangs on it: no worker copies
    // them, and an unbounded decommission would wait forever. (With re-replication switched off the
    // decommission refuses at once, tested in admin-convergence; setting the other bookies read-only
    // and back would block copies too, but brokers' BookKeeper clients can then lose those bookies
    // for good: apache/bookkeeper#4172, seen here twice as reads failing with "Bookie handle is not available".)
    // Right after the rolling restart a bookie's ledger listing can come back empty for a moment (seen once in CI).
    let onBk5: number[] = [];
    await waitFor("the bookies to list bk5's ledgers", async () => (onBk5 = await stayingBookies.ledgersOn(BK5_ID)).length > 0, { timeoutMs: 60_000, intervalMs: 1_000 });
    const short = devTopology();
    short.decommission = { timeoutSeconds: 2 };
    await setTopology(short);
    const locks = onBk5.map(underReplicationLockPath);
    try {
      for (const lock of locks) assert.ok(await metadata.createIfAbsent(lock, { lockedBy: "the day-2 test" }), `${lock} was free`);
      const up = await pulumi(["up", "--stack", stack, "--yes"]);
      timings.decommissionTimeout = up.seconds;
      assert.notEqual(up.code, 0, up.output);
      assert.ok(up.output.includes(`bk5 (${BK5_ID}) was not decommissioned: re-replication did not finish within 2 s`), up.output);
      const left = /Ledgers still with a copy on it: ([\d, ]+) \(\d+\)/.exec(up.output);
      assert.ok(left, up.output);
      assert.deepEqual(left[1].split(", ").map(Number), onBk5, "the message lists every ledger on bk5");
      assert.match(up.output, /To finish: check that the other bookies run autorecovery/);
      console.log(up.output.slice(up.output.indexOf(`bk5 (${BK5_ID}) was not`)).split("\n").slice(0, 5).map((l) => `      ${l.trim()}`).join("\n"));
      // As up left it. Once the locks go, workers take the ledgers the auditor marked while bk5 was
      // down, and may copy some inside their group (seen: 2 of 8).
      assert.ok(isAlive(await pidOf("bk5")), "bk5 runs again");
      assert.deepEqual(await new BookieAdmin({ baseUrl: "http://127.0.0.1:8015" }).listBookies("ro"), [BK5_ID], "bk5 alone is read-only");
      assert.deepEqual(await stayingBookies.ledgersOn(BK5_ID), onBk5, "its ledgers are still on it");
      assert.ok(await exists(path.join(stateDir, "bk5", "data")), "its data folder is kept");
    } finally {
      await Promise.all(locks.map((lock) => metadata.remove(lock)));
    }
  });

  it("scales in: bk5 is decommissioned, no ledger needs it, every ledger (schemas too) stays inside its group, and every message is read back", async () => {
    await setTopology(devTopology());
    const up = await pulumiOk(["up", "--stack", stack, "--yes"]);
    timings.scaleIn = up.seconds;
    assert.match(up.output, /-\s+pulumi-nodejs:dynamic\/pulsar-isolation:LocalNode bk5 deleted/);

    assert.ok(!(await cluster2.listBookies()).includes(BK5_ID), "bk5 is gone from the bookie list");
    assert.deepEqual(await stayingBookies.listBookies("ro"), [], "no read-only bookie left");
    assert.deepEqual(await stayingBookies.ledgersOn(BK5_ID), [], "no ledger references bk5");
    assert.deepEqual(await stayingBookies.underReplicatedLedgers(), [], "no ledger is under-replicated");
    assert.equal(await exists(path.join(stateDir, "bk5")), false, "bk5's folder is removed");
    assert.equal(await consume("pulsar://127.0.0.1:6651", TOPIC, "after-scale-in", MESSAGES), MESSAGES, "messages read back");

    const { audit } = await liveLedgerAudit(auditTarget(parseTopology(devTopology())));
    console.log(formatLedgerAudit(audit).replace(/^/gm, "      "));
    const c2 = audit.namespaces.find((ns) => ns.namespace === "public/c2-ns1")!;
    assert.ok(Object.values(c2.byGroups).reduce((a, b) => a + b, 0) >= 5);
    assert.deepEqual([audit.outside, audit.underReplicated], [[], []], "no copy outside where it may be, schemas' included");
  });

  it("pulumi destroy leaves no process and no listening port of the stack", async () => {
    const topology = parseTopology(devTopology());
    const pids = await Promise.all(topologyNodes(topology).map((n) => pidOf(n.name)));
    const destroy = await destroySharedDevStack();
    timings.destroy = destroy.seconds;
    assert.deepEqual(pids.filter(isAlive), [], "processes left");
    const ports = topologyNodes(topology).flatMap((n) => Object.values(n.ports));
    assert.deepEqual(await openPorts(ports), [], "ports still listening");
  });
});
