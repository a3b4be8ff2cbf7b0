import * as assert from "node:assert/strict";
import { ledgerBookies } from "../support/ledger-ensembles";
import * as path from "node:path";
import { PulsarAdmin, ZooKeeperStore } from "../../admin";
import { BookieAdmin } from "../../admin/bookie-admin";
import { affinityPlan, groupPlan, namespacePlan, rackPlan } from "../../components";
import { brokerServiceUrl, brokerWebUrl, configurationStoreConnect } from "../../config";
import { BootstrapCommand, PAUSED_FOR_RESTART, REPLICATION_DISABLED_PATH, bookkeeperInitCommand, decommissionBookie, replicationSwitchedOffByOperator } from "../../runtime";
import { runBootstrapCommand } from "../../runtime/local";
import { AdminLayer, applyResource, assertReapplyWritesNothing, refreshResource } from "../support/apply";
import { adminWritesSeenBy, consume, produce, settledCount } from "../support/pulsar-client";
import { servedAfter } from "../support/launcher";
import { RealTopology } from "../support/real-topology";
import { sharedTopology } from "../support/shared-topology";

describe("admin convergence against a real Pulsar topology", function () {
  let real: RealTopology;
  const layer = new AdminLayer();
  const { racks, namespaces, affinities, rackProvider, namespaceProvider, affinityProvider } = layer;

  const cluster = (name: string) => real.topology.clusters.find((c) => c.name === name)!;
  const admin = (clusterName: string) => new PulsarAdmin({ baseUrl: brokerWebUrl(real.topology, cluster(clusterName).brokers[0]) });
  const serviceUrl = (clusterName: string) => brokerServiceUrl(real.topology, cluster(clusterName).brokers[0]);
  const brokerDirs = () => real.topology.clusters.flatMap((c) => c.brokers.map((b) => path.join(real.paths.stateDir, b.name)));
  const writesSeen = async () => (await Promise.all(brokerDirs().map(adminWritesSeenBy))).reduce((a, b) => a + b, 0);
  /** The writes the brokers have logged, once their logs have settled. */
  const totalWrites = () => settledCount(writesSeen);
  const applyPlan = (topology = real.topology) => layer.apply(topology);

  /** Ledgers of a topic, each with the bookies its ensembles used. */
  async function ledgersOf(clusterName: string, topic: string) {
    const stats = await admin(clusterName).internalStats(topic);
    return stats.ledgers.filter((l) => l.entries > 0).map((l) => ({ id: l.ledgerId, entries: l.entries, bookies: ledgerBookies(l) }));
  }

  before(async function () {
    this.timeout(600_000);
    real = await sharedTopology();
    console.log(`      topology of ${real.topology.bookies.length} bookies started in ${servedAfter(real.started)} s (parts done at ${JSON.stringify(real.started.doneAt)} s)`);
  });

  it("lists the same four bookies on both clusters: one shared BookKeeper", async () => {
    const expected = real.topology.bookies.map((b) => `127.0.0.1:${b.bookiePort}`).sort();
    assert.deepEqual(await admin("cluster1").listBookies(), expected);
    assert.deepEqual(await admin("cluster2").listBookies(), expected);
  });

  it("applies the article's racks and groups: both clusters' rack maps and every affinity equal the plan", async () => {
    const actions = await applyPlan();
    assert.ok(actions.every((a) => a.startsWith("create:")), actions.join(", "));
    const planned = groupPlan(real.topology);
    for (const clusterName of ["cluster1", "cluster2"]) {
      const live = await admin(clusterName).racksInfo();
      const liveGroups = Object.fromEntries(Object.entries(live).map(([g, bs]) => [g, Object.keys(bs).sort()]));
      assert.deepEqual(liveGroups, planned, `rack map of ${clusterName}`);
      for (const r of rackPlan(real.topology)) {
        assert.deepEqual(live[r.group][r.bookie], { rack: r.rack, hostname: r.hostname }, `${r.bookie} on ${clusterName}`);
      }
    }
    for (const a of affinityPlan(real.topology)) {
      const ownerCluster = real.topology.namespaces.find((ns) => ns.name === a.namespace)!.cluster;
      assert.deepEqual(await admin(ownerCluster).getBookieAffinityGroup(a.namespace), {
        bookkeeperAffinityGroupPrimary: a.primary,
        ...(a.secondary ? { bookkeeperAffinityGroupSecondary: a.secondary } : {}),
      });
    }
  });

  it("isolates: every ledger of each namespace's topic is written only to its group's bookies", async () => {
    const groups = groupPlan(real.topology);
    for (const [ns, clusterName, group] of [["public/c1-ns1", "cluster1", "group-bookie1"], ["public/c2-ns1", "cluster2", "group-bookie2"]]) {
      const topic = `persistent://${ns}/t1`;
      await produce(serviceUrl(clusterName), topic, 300);
      const ledgers = await ledgersOf(clusterName, topic);
      assert.ok(ledgers.length >= 3, `${topic}: ${ledgers.length} ledgers with entries, expected at least 3`);
      assert.equal(ledgers.reduce((n, l) => n + l.entries, 0), 300);
      for (const ledger of ledgers) {
        assert.ok(ledger.bookies.length >= 2, `ledger ${ledger.id} has no ensemble in its metadata`);
        for (const bookie of ledger.bookies) {
          assert.ok(groups[group].includes(bookie), `${topic}: ledger ${ledger.id} uses ${bookie}, outside ${group} (${groups[group]})`);
        }
      }
    }
  });

  it("migrates: a new primary group through the provider's update unloads, new ledgers follow, old ones stay", async () => {
    const topic = "persistent://public/c1-ns1/t1";
    const before = await ledgersOf("cluster1", topic);
    const moved = structuredClone(real.topology);
    moved.namespaces[0].affinity.primary = "group-bookie2";
    const actions = await applyPlan(moved);
    assert.deepEqual(actions.filter((a) => !a.startsWith("none:")), ["update:public/c1-ns1-affinity"]);
    assert.deepEqual(await admin("cluster1").getBookieAffinityGroup("public/c1-ns1"), { bookkeeperAffinityGroupPrimary: "group-bookie2" });

    await produce(serviceUrl("cluster1"), topic, 300);
    const after = await ledgersOf("cluster1", topic);
    const oldIds = new Set(before.map((l) => l.id));
    const fresh = after.filter((l) => !oldIds.has(l.id));
    assert.ok(fresh.length >= 3, `expected at least 3 new ledgers, got ${fresh.length}`);
    const group2 = groupPlan(real.topology)["group-bookie2"];
    for (const ledger of fresh) {
      for (const bookie of ledger.bookies) assert.ok(group2.includes(bookie), `new ledger ${ledger.id} uses ${bookie}, outside group-bookie2`);
    }
    for (const old of before) {
      assert.deepEqual(after.find((l) => l.id === old.id)?.bookies, old.bookies, `old ledger ${old.id} moved`);
    }
    assert.equal(await consume(serviceUrl("cluster1"), topic, "read-all", 600), 600, "all 600 messages readable");

    // Back to the dev plan for the tests that follow; the ledgers written in the other group go with their topic.
    await applyPlan();
    const deleted = await fetch(`${admin("cluster1").url}/admin/v2/persistent/public/c1-ns1/t1?force=true`, { method: "DELETE" });
    assert.equal(deleted.status, 204, `deleting ${topic}: ${deleted.status}`);
  });

  it("re-applying the unchanged plan makes no write call (counted in the brokers' request logs)", async () => {
    await assertReapplyWritesNothing(layer, real.topology, writesSeen);
  });

  it("sees drift: a rack deleted out of band shows in read, and applying again restores it on that cluster only", async () => {
    const bookie = "127.0.0.1:3183";
    await admin("cluster2").deleteBookieRack(bookie);
    const refreshed = await refreshResource(rackProvider, racks.get(bookie)!);
    assert.equal(refreshed.outs.placements["http://127.0.0.1:8081"], null, "read sees the rack gone from cluster2");
    assert.deepEqual(refreshed.outs.placements["http://127.0.0.1:8080"], { group: "group-bookie2", rack: "rack2", hostname: "127.0.0.1" });
    assert.equal(refreshed.outs.group, "", "the clusters disagree, so the group reads as drifted");
    racks.set(bookie, refreshed);

    const writesBefore = await adminWritesSeenBy(path.join(real.paths.stateDir, "broker1"));
    const actions = await applyPlan();
    assert.deepEqual(actions.filter((a) => !a.startsWith("none:")), [`update:${bookie}`]);
    assert.deepEqual((await admin("cluster2").racksInfo())["group-bookie2"][bookie], { rack: "rack2", hostname: "127.0.0.1" });
    assert.equal(await adminWritesSeenBy(path.join(real.paths.stateDir, "broker1")), writesBefore, "cluster1 was right and is not written");
  });

  it("sees drift in namespaces and affinity groups changed out of band", async () => {
    await admin("cluster2").setRetention("public/c2-ns1", { retentionSizeInMB: 10, retentionTimeInMinutes: 10 });
    await admin("cluster2").deleteBookieAffinityGroup("public/c2-ns1");
    namespaces.set("public/c2-ns1", await refreshResource(namespaceProvider, namespaces.get("public/c2-ns1")!));
    affinities.set("public/c2-ns1", await refreshResource(affinityProvider, affinities.get("public/c2-ns1")!));
    assert.deepEqual(namespaces.get("public/c2-ns1")!.outs.retention, { retentionSizeInMB: 10, retentionTimeInMinutes: 10 });
    assert.equal(affinities.get("public/c2-ns1")!.outs.primary, "");

    const actions = await applyPlan();
    assert.deepEqual(actions.filter((a) => !a.startsWith("none:")).sort(), ["update:public/c2-ns1", "update:public/c2-ns1-affinity"]);
    assert.deepEqual(await admin("cluster2").getRetention("public/c2-ns1"), { retentionSizeInMB: 1024, retentionTimeInMinutes: 4320 });
    assert.deepEqual(await admin("cluster2").getBookieAffinityGroup("public/c2-ns1"), { bookkeeperAffinityGroupPrimary: "group-bookie2" });
  });

  it("re-running a bootstrap command, as resource state carries it (JSON), leaves existing metadata alone", async () => {
    const asStored: BootstrapCommand = JSON.parse(JSON.stringify(bookkeeperInitCommand(real.topology)));
    const result = await runBootstrapCommand(asStored, real.paths);
    assert.equal(result.changed, false, result.output.slice(-2000));
    assert.deepEqual(await admin("cluster1").listBookies(), real.topology.bookies.map((b) => `127.0.0.1:${b.bookiePort}`).sort());
  });

  it("the ZooKeeper store removes a node only while it holds the given JSON: an empty node (an operator's switch) stays", async () => {
    const store = new ZooKeeperStore({ connect: configurationStoreConnect(real.topology) });
    const node = "/pulsar-isolation-test-remove-if-holds";
    const mark = { pausedBy: "test", at: Date.now() };
    try {
      assert.equal(await store.createIfAbsent(node), true);
      assert.equal(await store.removeIfHolds(node, mark), false, "an empty node holds no JSON");
      assert.equal(await store.exists(node), true);
      await store.remove(node);
      await store.createIfAbsent(node, { ...mark, at: mark.at + 1 });
      assert.equal(await store.removeIfHolds(node, mark), false, "another value");
      await store.remove(node);
      await store.createIfAbsent(node, mark);
      assert.equal(await store.removeIfHolds(node, mark), true);
      assert.equal(await store.exists(node), false);
      assert.equal(await store.removeIfHolds(node, mark), false, "no node");
    } finally {
      await store.remove(node);
    }
  });

  it("refuses a decommission while an operator has switched re-replication off, before touching the bookie", async () => {
    const store = new ZooKeeperStore({ connect: configurationStoreConnect(real.topology) });
    const [bk6, ...others] = [...real.topology.bookies].reverse();
    const bk6Id = `127.0.0.1:${bk6.bookiePort}`;
    const touched: string[] = [];
    const node = { stop: async () => void touched.push("stop"), start: async () => void touched.push("start"), discardData: async () => void touched.push("discard") };
    const target = {
      name: bk6.name,
      bookie: bk6Id,
      httpUrl: `http://127.0.0.1:${bk6.httpPort}`,
      peerUrls: others.map((b) => `http://127.0.0.1:${b.httpPort}`),
      metadataStore: configurationStoreConnect(real.topology),
    };
    assert.equal(await replicationSwitchedOffByOperator(store), false, "no switch");
    assert.ok(await store.createIfAbsent(REPLICATION_DISABLED_PATH, PAUSED_FOR_RESTART));
    try {
      assert.equal(await replicationSwitchedOffByOperator(store), false, "the stack's own pause of a restart");
    } finally {
      await store.remove(REPLICATION_DISABLED_PATH);
    }
    assert.ok(await store.createIfAbsent(REPLICATION_DISABLED_PATH), "an operator's switch: an empty node");
    try {
      await assert.rejects(decommissionBookie(target, node, 60_000), (err: Error) => {
        assert.match(err.message, new RegExp(`^${bk6.name} \\(${bk6Id}\\) was not decommissioned: ledger re-replication is switched off\\.`));
        assert.ok(err.message.includes(`${bk6.name} was not touched.`), err.message);
        assert.ok(err.message.includes("To finish: switch re-replication on, then run `pulumi up` again."), err.message);
        return true;
      });
    } finally {
      await store.remove(REPLICATION_DISABLED_PATH);
    }
    assert.deepEqual(touched, [], "the bookie was neither stopped nor started");
    assert.ok((await admin("cluster1").listBookies()).includes(bk6Id));
    assert.deepEqual(await new BookieAdmin({ baseUrl: target.httpUrl }).listBookies("ro"), [], "no bookie was set read-only");
  });

  describe("bad input and faults", () => {
    it("a broker that is down: the error names its URL once retries run out, and what to check", async () => {
      const down = new PulsarAdmin({ baseUrl: "http://127.0.0.1:18089", attempts: 3, backoffMs: 50 });
      await assert.rejects(down.racksInfo(), (err: Error) => {
        assert.match(err.message, /^GET http:\/\/127\.0\.0\.1:18089\/admin\/v2\/bookies\/racks-info got no answer: .*ECONNREFUSED.*\(after 3 attempts\)\. Check that the cluster's brokers run and that the admin URL is right/);
        return true;
      });
    });

    it("a 4xx from the broker surfaces the broker's own message, naming the cluster", async () => {
      const ns = { ...namespacePlan(real.topology)[0], persistence: { ensembleSize: 1, writeQuorum: 2, ackQuorum: 1 } };
      // Our check refuses this first; straight to update, the broker's 400 comes through.
      assert.match((await namespaceProvider.check!(ns, ns)).failures![0].reason, /ensemble 1 >= write quorum 2/);
      await assert.rejects(namespaceProvider.update!("public/c1-ns1", namespaces.get("public/c1-ns1")!.outs, ns), (err: Error) => {
        assert.match(err.message, /^cluster cluster1: POST http:\/\/127\.0\.0\.1:8080\/admin\/v2\/namespaces\/public\/c1-ns1\/persistence answered 400: Bookkeeper Ensemble \(1\) >= WriteQuorum \(2\) >= AckQuorum \(1\)/);
        return true;
      });
    });

    it("a group that does not exist is refused by our check before the broker is called", async () => {
      const writesBefore = await totalWrites();
      const wrong = { ...affinityPlan(real.topology)[0], primary: "group-bookie9" };
      const groups = Object.keys(groupPlan(real.topology)).join(", ");
      await assert.rejects(applyResource(affinityProvider, wrong, affinities.get(wrong.namespace)), (err: Error) =>
        err.message.startsWith(`primary: public/c1-ns1: affinity group "group-bookie9" does not exist (groups: ${groups})`),
      );
      // A group the plan knows but whose bookies are not in the live rack map is refused on the way in too.
      const unplaced = { ...wrong, knownGroups: [...wrong.knownGroups, "group-bookie9"] };
      await assert.rejects(affinityProvider.update!(wrong.namespace, affinities.get(wrong.namespace)!.outs, unplaced), /"group-bookie9" holds no bookie in the rack map/);
      assert.equal(await totalWrites(), writesBefore, "no write reached a broker");
      assert.deepEqual(await admin("cluster1").getBookieAffinityGroup("public/c1-ns1"), { bookkeeperAffinityGroupPrimary: "group-bookie1" });
    });
  });
});
