import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { ConfigureRequest } from "@pulumi/pulumi/dynamic";
import { PulsarAdmin, RacksInfo, ZooKeeperStore, withPlacement, zooKeeperRackMapLocation } from "../../admin";
import { BookieAdmin, LedgerMetadata } from "../../admin/bookie-admin";
import { groupPlan, rackPlan } from "../../components";
import { bookieHttpUrl, bookieId, brokerServiceUrl, clusterWebServiceUrl, configurationStoreConnect } from "../../config";
import { auditTarget, liveLedgerAudit } from "../../ops/ledger-report";
import { formatLedgerAudit } from "../../ops/ledger-audit-text";
import { BookieMembershipProvider, bookieSpec, cookiePath, registrationPaths } from "../../runtime";
import { nodeStatus, startNode } from "../../runtime/local";
import { waitFor } from "../../runtime/local/wait";
import { AdminLayer, applyResource, refreshResource } from "../support/apply";
import type { LedgerAudit } from "../../ops/ledger-audit";
import { adminWritesSeenBy, consume, produce } from "../support/pulsar-client";
import { servedAfter } from "../support/launcher";
import { RealTopology } from "../support/real-topology";
import { stepTimer } from "../support/step-timer";
import { NAMESPACES_MADE_OUTSIDE, integrationTopologyConfig, sharedTopology, stopSharedTopology } from "../support/shared-topology";
import { assertEveryLedgerInside, everyLedger, topologyMayUse } from "../support/ledger-placement";
import { runLedgerReport, stackFile } from "../support/ledger-report-run";

const STACK = "it-recovery";
const MESSAGES = 1000;
const topic = (ns: string) => `persistent://${ns}/recovery`;

describe("isolation through bookie failure and recovery (real Pulsar)", function () {
  let real: RealTopology;
  let groups: Record<string, string[]>;
  const layer = new AdminLayer();
  const { racks, rackProvider } = layer;

  const bookie = (name: string) => real.topology.bookies.find((b) => b.name === name)!;
  const idOf = (name: string) => bookieId(real.topology, bookie(name));
  const clusterAdmin = (name: string) => new PulsarAdmin({ baseUrl: clusterWebServiceUrl(real.topology, real.topology.clusters.find((c) => c.name === name)!) });
  const serviceUrl = (name: string) => brokerServiceUrl(real.topology, real.topology.clusters.find((c) => c.name === name)!.brokers[0]);
  const bookiesExcept = (...names: string[]) =>
    new BookieAdmin({ baseUrl: real.topology.bookies.filter((b) => !names.includes(b.name)).map((b) => bookieHttpUrl(real.topology, b)).join(",") });
  const store = () => new ZooKeeperStore({ connect: configurationStoreConnect(real.topology) });
  const kill = async (name: string) => {
    const { pid } = await nodeStatus(real.paths, name);
    process.kill(pid!, "SIGKILL");
    await waitFor(`${name} to die`, async () => !(await nodeStatus(real.paths, name)).running, { timeoutMs: 10_000, intervalMs: 100 });
  };
  /** The ledgers of this suite's topic in a namespace (the suites before wrote others). */
  const topicLedgers = async (peers: BookieAdmin, ns: string) =>
    (await peers.ledgers()).filter((l) => l.managedLedger === `${ns}/persistent/recovery`);
  const holders = (l: LedgerMetadata) => [...new Set(l.ensembles.flat())];
  const inGroups = (l: LedgerMetadata, ...gs: string[]) => holders(l).every((b) => gs.some((g) => groups[g].includes(b)));

  before(async function () {
    this.timeout(600_000);
    real = await sharedTopology();
    groups = groupPlan(real.topology);
    console.log(`      topology of ${real.topology.bookies.length} bookies started in ${servedAfter(real.started)} s (parts done at ${JSON.stringify(real.started.doneAt)} s)`);
    await layer.apply(real.topology);
  });

  after(async function () {
    this.timeout(300_000);
    await stopSharedTopology();
    await fs.rm(stackFile(STACK), { force: true });
  });

  it("keeps the bookies' copy of the rack map in the configuration store, equal to every cluster's, and the bookies' resolver reads it", async () => {
    const zkCopy = (await store().readJson<RacksInfo>("/bookies"))!.value;
    for (const cluster of ["cluster1", "cluster2"]) assert.deepEqual(zkCopy, await clusterAdmin(cluster).racksInfo(), `${cluster}'s rack map`);
    assert.deepEqual(
      Object.fromEntries(Object.entries(zkCopy).map(([g, bs]) => [g, Object.keys(bs).sort()])),
      groups,
    );
    for (const b of real.topology.bookies) {
      const log = await fs.readFile(path.join(real.paths.stateDir, b.name, "logs", "console.log"), "utf8");
      assert.ok(!log.includes("Failed to initialize DNS Resolver"), `${b.name}'s rack resolver failed`);
    }
  });

  it("writes the configuration store's copy from many resources at once without losing one (compare-and-set)", async () => {
    const path = "/pulsar-isolation-test-concurrent-placements";
    await store().remove(path);
    const ids = Array.from({ length: 24 }, (_, i) => `10.0.${i % 6}.${i}:3181`);
    // Separate stores, as separate resources of the engine use them.
    await Promise.all(ids.map((id, i) => new ZooKeeperStore({ connect: configurationStoreConnect(real.topology) }).updateJson<RacksInfo>(path, (map) =>
      withPlacement(map ?? {}, id, { group: `group-${i % 6}`, rack: `rack-${i % 6}`, hostname: id.split(":")[0] }),
    )));
    const written = (await store().readJson<RacksInfo>(path))!.value;
    assert.deepEqual(Object.values(written).flatMap((bookies) => Object.keys(bookies)).sort(), [...ids].sort());
    await store().remove(path);
  });

  it("sees drift in the configuration store's copy, edited with a plain ZooKeeper client, and repairs that copy only", async () => {
    const bk3 = idOf("bk3");
    await store().updateJson<RacksInfo>("/bookies", (map) => {
      const { [bk3]: moved, ...rest } = map!["group-bookie2"];
      return { ...map, "group-bookie2": rest, "group-bookie1": { ...map!["group-bookie1"], [bk3]: moved } };
    });
    const refreshed = await refreshResource(rackProvider, racks.get(bk3)!);
    const zkLocation = zooKeeperRackMapLocation(configurationStoreConnect(real.topology));
    assert.equal(refreshed.outs.placements[zkLocation]?.group, "group-bookie1", "read sees the moved entry");
    assert.equal(refreshed.outs.group, "", "the copies disagree, so the group reads as drifted");
    racks.set(bk3, refreshed);

    const brokerDirs = ["broker1", "broker2"].map((b) => path.join(real.paths.stateDir, b));
    const writesBefore = await Promise.all(brokerDirs.map(adminWritesSeenBy));
    const applied = await applyResource(rackProvider, rackPlan(real.topology).find((r) => r.bookie === bk3)!, racks.get(bk3));
    assert.equal(applied.action, "update");
    racks.set(bk3, applied);
    const repaired = (await store().readJson<RacksInfo>("/bookies"))!.value;
    assert.deepEqual(repaired["group-bookie2"][bk3], { rack: "rack2", hostname: "127.0.0.1" });
    assert.equal(repaired["group-bookie1"][bk3], undefined);
    assert.deepEqual(await Promise.all(brokerDirs.map(adminWritesSeenBy)), writesBefore, "the clusters' copies were right and are not written");
  });

  it("crash: a killed bookie's copies are re-made inside its group, schemas' too, and every ledger of BookKeeper's is inside; none stays under-replicated, other namespaces are untouched, every message reads back", async function () {
    this.timeout(900_000);
    await Promise.all([
      produce(serviceUrl("cluster2"), topic("public/c2-ns1"), MESSAGES),
      produce(serviceUrl("cluster2"), topic("public/c2-ns2"), MESSAGES),
      produce(serviceUrl("cluster1"), topic("public/c1-ns1"), 300),
    ]);
    const survivors = bookiesExcept("bk5");
    const c1Before = await topicLedgers(survivors, "public/c1-ns1");
    const onBk5 = await survivors.ledgersOn(idOf("bk5"));
    assert.ok(onBk5.length > 0, "bk5 holds ledgers");

    const unstampedOnBk5 = (await everyLedger(bookieHttpUrl(real.topology, bookie("bk1")))).filter((l) => !l.stamped && l.bookies.includes(idOf("bk5")));
    assert.ok(unstampedOnBk5.length > 0, "bk5 holds ledgers without groups of their own (schemas)");
    const started = Date.now();
    await kill("bk5");
    await waitFor(
      "autorecovery to re-replicate every ledger off bk5",
      async () => (await survivors.ledgersOn(idOf("bk5"))).length === 0 && (await survivors.underReplicatedLedgers()).length === 0,
      { timeoutMs: 600_000, intervalMs: 2_000 },
    );
    console.log(`      ${onBk5.length} ledgers re-replicated off the killed bk5 in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    for (const ns of ["public/c2-ns1", "public/c2-ns2"]) {
      const ledgers = await topicLedgers(survivors, ns);
      assert.ok(ledgers.length >= 10, `${ns}: ${ledgers.length} ledgers`);
      for (const l of ledgers) {
        assert.deepEqual(l.isolation, { primary: ["group-bookie2"], secondary: ns === "public/c2-ns2" ? ["group-bookie3"] : [] }, `${ns}: ledger ${l.ledgerId} carries its groups`);
        assert.ok(inGroups(l, "group-bookie2"), `${ns}: ledger ${l.ledgerId} has copies on ${holders(l)}, outside group-bookie2`);
      }
    }
    assert.deepEqual(await topicLedgers(survivors, "public/c1-ns1"), c1Before, "public/c1-ns1's ledgers are untouched");
    // Every ledger, the earlier suites' schemas and namespaces made outside the stack among them:
    // the bookies' placement policy keeps a ledger without groups of its own in its copies' groups.
    assertEveryLedgerInside(await everyLedger(bookieHttpUrl(real.topology, bookie("bk1"))), topologyMayUse(real.topology, NAMESPACES_MADE_OUTSIDE));
    const { audit } = await liveLedgerAudit(auditTarget(real.topology));
    console.log(formatLedgerAudit(audit).replace(/^/gm, "      "));
    assert.deepEqual([audit.outside, audit.underReplicated], [[], []]);
    console.log(`      ${unstampedOnBk5.length} of them without groups of their own (schemas, namespaces without a group), every copy kept in its group`);
    assert.equal(await consume(serviceUrl("cluster2"), topic("public/c2-ns1"), "after-crash", MESSAGES), MESSAGES);
  });

  it("a group left with fewer live bookies than the ensemble: its ledgers wait under-replicated, never copied to another group; a namespace with a secondary group uses that group only", async function () {
    this.timeout(900_000);
    const survivors = bookiesExcept("bk5", "bk4");
    const { step, timings } = stepTimer();
    await kill("bk4");
    // The secondary group taking c2-ns2's copies shows that autorecovery has been through the ledgers.
    await step("c2-ns2's copies off the killed bk4", () => waitFor(
      "public/c2-ns2's copies to leave bk4",
      async () => (await topicLedgers(survivors, "public/c2-ns2")).every((l) => !holders(l).includes(idOf("bk4"))),
      { timeoutMs: 600_000, intervalMs: 2_000 },
    ));
    const c2ns2 = await topicLedgers(survivors, "public/c2-ns2");
    assert.ok(c2ns2.every((l) => inGroups(l, "group-bookie2", "group-bookie3")), "c2-ns2's copies stay in its primary and secondary groups");
    assert.ok(c2ns2.some((l) => holders(l).includes(idOf("bk6"))), "the secondary group took copies");

    const c2ns1 = await topicLedgers(survivors, "public/c2-ns1");
    assert.ok(c2ns1.every((l) => inGroups(l, "group-bookie2")), `c2-ns1's copies stay in group-bookie2: ${c2ns1.map((l) => holders(l))}`);
    const waiting = (await survivors.underReplicatedLedgers()).filter((id) => c2ns1.some((l) => l.ledgerId === id));
    assert.ok(waiting.length > 0, "c2-ns1's ledgers wait under-replicated");

    // The operator's report says so, and fails.
    const { code, stdout } = await runLedgerReport(STACK, integrationTopologyConfig(), ["--json"]);
    assert.equal(code, 2, stdout);
    const audit = JSON.parse(stdout.slice(0, stdout.lastIndexOf("}") + 1)) as LedgerAudit;
    const reported = audit.namespaces.find((ns) => ns.namespace === "public/c2-ns1")!;
    assert.ok(waiting.every((id) => reported.underReplicated.includes(id)), `the report lists c2-ns1's ${waiting.length} waiting ledgers of this topic among its under-replicated ones`);
    // Ledgers without groups of their own wait too, rather than be copied to another group.
    assert.deepEqual(audit.outside, [], "no copy outside where it may be");
    console.log(`      under-replicated: ${audit.underReplicated.length}, outside: 0`);

    // Nothing is lost once the bookie returns.
    await step("bk4 back", () => startNode(bookieSpec(real.topology, bookie("bk4")), real.paths));
    await step("no ledger under-replicated", () =>
      waitFor("no ledger to be under-replicated", async () => (await survivors.underReplicatedLedgers()).length === 0, { timeoutMs: 600_000, intervalMs: 2_000 }),
    );
    console.log(`      steps (s): ${JSON.stringify(timings)}`);
    for (const ns of ["public/c2-ns1", "public/c2-ns2"]) {
      assert.equal(await consume(serviceUrl("cluster2"), topic(ns), "after-return", MESSAGES), MESSAGES, ns);
    }
  });

  it("a killed bookie started again serves at once: its stale registration is removed, not waited out until its session expires", async () => {
    const bk6 = idOf("bk6");
    await kill("bk6");
    assert.ok(await store().exists(registrationPaths(bk6)[0]), "the killed bookie's registration outlives it");
    const log = path.join(real.paths.stateDir, "bk6", "logs", "console.log");
    const logStart = (await fs.stat(log)).size;
    await startNode(bookieSpec(real.topology, bookie("bk6")), real.paths);
    const startLog = (await fs.readFile(log)).subarray(logStart).toString("utf8");
    assert.doesNotMatch(startLog, /Previous bookie registration znode: \S+ exists, so waiting/);
    await waitFor("bk6 to be writable", async () => (await bookiesExcept().listBookies("rw")).includes(bk6), { timeoutMs: 30_000, intervalMs: 500 });
  });

  it("never decommissions when the stack config cannot be read: the bookie keeps running with its data", async () => {
    const provider = new BookieMembershipProvider();
    const bk6 = bookie("bk6");
    const membership = {
      name: "bk6",
      bookie: idOf("bk6"),
      httpUrl: bookieHttpUrl(real.topology, bk6),
      peerUrls: real.topology.bookies.filter((b) => b.name !== "bk6").map((b) => bookieHttpUrl(real.topology, b)),
      metadataStore: configurationStoreConnect(real.topology),
      control: { kind: "local" as const, spec: bookieSpec(real.topology, bk6), paths: real.paths },
    };
    const onBk6 = await bookiesExcept("bk6").ledgersOn(idOf("bk6"));
    for (const config of [{}, { topology: "{not json" }, { topology: JSON.stringify({ bookies: "bk6" }) }]) {
      await provider.configure({ config: { get: (k: string) => (config as Record<string, string>)[k] } } as unknown as ConfigureRequest);
      await provider.delete(membership.bookie, membership);
    }
    assert.ok((await nodeStatus(real.paths, "bk6")).running, "bk6 still runs");
    assert.ok((await bookiesExcept().listBookies("rw")).includes(idOf("bk6")), "bk6 is still a writable bookie");
    assert.deepEqual(await bookiesExcept("bk6").ledgersOn(idOf("bk6")), onBk6, "its ledgers are where they were");
    assert.ok(await store().exists(cookiePath(idOf("bk6"))), "its cookie is kept");
  });
});
