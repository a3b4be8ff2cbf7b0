import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PulsarAdmin, ZooKeeperStore, placementIn, zooKeeperRackMap } from "../../admin";
import { ExternalTopology, bookieHttpUrl, brokerServiceUrl, brokerWebUrl, bookieId, configurationStoreConnect, parseStackTopology } from "../../config";
import { runLedgerReport, stackFile } from "../support/ledger-report-run";
import { isAlive } from "../../runtime/local";
import { assertLedgersInGroup } from "../support/ledger-ensembles";
import { adminWritesSeenBy, consume, produce, settledCount } from "../support/pulsar-client";
import { ensureStack, pulumi } from "../support/pulumi-cli";
import { RealTopology, TEST_STATE_ROOT, startRealTopology, stopRealTopology } from "../support/real-topology";
import { devTopologyApart, writeStackTopology } from "../support/stack-config";

describe("runtime: external: the isolation layer on clusters someone else runs (real CLI)", function () {
  const stack = "e2e-external";
  const configDir = path.join(TEST_STATE_ROOT, "external-stack");
  const configFile = path.join(configDir, `Pulumi.${stack}.yaml`);
  const cli = (...args: string[]) => pulumi([...args, "--stack", stack, "--config-file", configFile]);
  const cliOk = async (...args: string[]) => {
    const result = await cli(...args);
    assert.equal(result.code, 0, result.output.slice(-6000));
    return result;
  };
  const timings: Record<string, number> = {};

  let real: RealTopology;
  let declared: Record<string, any>;
  const cluster = (name: string) => real.topology.clusters.find((c) => c.name === name)!;
  const admin = (name: string) => new PulsarAdmin({ baseUrl: brokerWebUrl(real.topology, cluster(name).brokers[0]) });
  const serviceUrl = (name: string) => brokerServiceUrl(real.topology, cluster(name).brokers[0]);
  const brokerDirs = () => real.topology.clusters.flatMap((c) => c.brokers.map((b) => path.join(real.paths.stateDir, b.name)));
  const writes = () => settledCount(async () => (await Promise.all(brokerDirs().map(adminWritesSeenBy))).reduce((a, b) => a + b, 0));
  const writeConfig = async (topology: Record<string, any>) => {
    declared = topology;
    await writeStackTopology(configFile, topology);
  };
  const groupOf = (topology: ExternalTopology, group: string) => topology.bookies.filter((b) => b.group === group).map((b) => b.id);

  before(async () => {
    real = await startRealTopology("external-operator", devTopologyApart(5000));
    // What the operator had before adopting the stack: a namespace with data and a retention of its
    // own, its data on group-bookie2's bookies (the stack pins it to group-bookie1).
    const t = real.topology;
    for (const b of t.bookies) await admin("cluster1").setBookieRack(bookieId(t, b), { group: b.group, rack: b.rack, hostname: "127.0.0.1" });
    await admin("cluster1").createNamespace("public/c1-ns1", 8, ["cluster1"]);
    await admin("cluster1").setRetention("public/c1-ns1", { retentionSizeInMB: 500, retentionTimeInMinutes: 60 });
    await admin("cluster1").setBookieAffinityGroup("public/c1-ns1", { bookkeeperAffinityGroupPrimary: "group-bookie2" });
    await produce(serviceUrl("cluster1"), "persistent://public/c1-ns1/before", 50);

    await writeConfig({
      runtime: "external",
      configurationStore: { connect: configurationStoreConnect(t) },
      bookies: t.bookies.map((b) => ({ name: b.name, id: bookieId(t, b), group: b.group, rack: b.rack, httpUrl: bookieHttpUrl(t, b) })),
      clusters: t.clusters.map((c) => ({ name: c.name, adminUrl: brokerWebUrl(t, c.brokers[0]), managedLedger: { ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 } })),
      namespaces: [
        // Adopted: the stack declares its groups only, so its retention stays the operator's.
        { name: "public/c1-ns1", cluster: "cluster1", affinity: { primary: "group-bookie1" } },
        { name: "public/c2-ns1", cluster: "cluster2", bundles: 8, retention: { size: "1G", time: "3d" }, affinity: { primary: "group-bookie2" } },
      ],
    });
    await ensureStack(stack);
  });

  after(async () => {
    await cli("destroy", "--yes");
    await pulumi(["stack", "rm", stack, "--yes", "--force"]);
    await stopRealTopology(real);
    console.log(`      timings (s): ${JSON.stringify(timings)}`);
  });

  it("previews the adoption with the namespace's current policies, and writes nothing", async () => {
    const before = await writes();
    const preview = await cliOk("preview");
    timings.preview = preview.seconds;
    assert.match(preview.output, /public\/c1-ns1 already exists on cluster1 \(8 bundles; retention 500 MB \/ 60 min\); it will be adopted as it is, no setting changed/);
    assert.doesNotMatch(preview.output, /public\/c2-ns1 already exists/);
    assert.equal(await writes(), before, "admin writes seen by the brokers during preview");
  });

  it("first up creates only what is missing: racks everywhere, the new namespace, both groups; the adopted namespace keeps its data and retention", async () => {
    const up = await cliOk("up", "--yes");
    timings.firstUp = up.seconds;
    const topology = parseStackTopology(declared) as ExternalTopology;

    for (const c of real.topology.clusters) {
      const racks = await admin(c.name).racksInfo();
      for (const group of ["group-bookie1", "group-bookie2"]) {
        assert.deepEqual(Object.keys(racks[group] ?? {}).sort(), groupOf(topology, group).sort(), `${c.name}'s rack map, ${group}`);
      }
    }
    const bookiesCopy = await zooKeeperRackMap(new ZooKeeperStore({ connect: configurationStoreConnect(real.topology) })).read();
    assert.deepEqual(Object.keys(bookiesCopy["group-bookie2"] ?? {}).sort(), groupOf(topology, "group-bookie2").sort(), "the configuration store's /bookies");

    assert.deepEqual(await admin("cluster1").getRetention("public/c1-ns1"), { retentionSizeInMB: 500, retentionTimeInMinutes: 60 });
    assert.equal((await admin("cluster1").getNamespace("public/c1-ns1"))!.bundles.numBundles, 8);
    assert.equal(await consume(serviceUrl("cluster1"), "persistent://public/c1-ns1/before", "after-adoption", 50), 50);
    assert.deepEqual(await admin("cluster2").getRetention("public/c2-ns1"), { retentionSizeInMB: 1024, retentionTimeInMinutes: 3 * 24 * 60 });
    assert.equal((await admin("cluster1").getBookieAffinityGroup("public/c1-ns1"))?.bookkeeperAffinityGroupPrimary, "group-bookie1");
    assert.equal((await admin("cluster2").getBookieAffinityGroup("public/c2-ns1"))?.bookkeeperAffinityGroupPrimary, "group-bookie2");
  });

  it("passes the article's isolation check on the adopted clusters: every ledger's ensemble inside the namespace's group", async () => {
    const topology = parseStackTopology(declared) as ExternalTopology;
    for (const [ns, clusterName, group] of [["public/c1-ns1", "cluster1", "group-bookie1"], ["public/c2-ns1", "cluster2", "group-bookie2"]]) {
      const topic = `persistent://${ns}/isolation`;
      await produce(serviceUrl(clusterName), topic, 300);
      await assertLedgersInGroup(admin(clusterName), topic, { name: group, bookies: groupOf(topology, group) });
    }
  });

  it("the ledger report on the external stack shows the ledgers written before the adoption outside the namespace's group, and fails", async () => {
    const report = await runLedgerReport(stack, declared);
    await fs.rm(stackFile(stack), { force: true });
    console.log(report.stdout.replace(/^/gm, "      "));
    assert.equal(report.code, 2, report.stdout);
    assert.match(
      report.stdout,
      /^ {2}ledger \d+: topic data of public\/c1-ns1\/persistent\/before \(cluster1\) has copies on 127\.0\.0\.1:\d+ \(group-bookie2\), 127\.0\.0\.1:\d+ \(group-bookie2\), outside group-bookie1; written for group-bookie2, before the namespace moved$/m,
    );
    assert.doesNotMatch(report.stdout, /ledger \d+: [^\n]*public\/c1-ns1\/persistent\/isolation/, "the data written after the adoption is inside");
    assert.match(report.stdout, /^clusters without default groups .*: cluster1, cluster2$/m, "the operator's brokers set none");
  });

  it("a second up changes nothing and writes nothing", async () => {
    const before = await writes();
    const again = await cliOk("up", "--yes", "--expect-no-changes");
    timings.noChangeUp = again.seconds;
    assert.equal(await writes(), before, "admin writes seen by the brokers");
  });

  it("sees drift made with the admin API on refresh, and up repairs it", async () => {
    const bk3 = bookieId(real.topology, real.topology.bookies.find((b) => b.name === "bk3")!);
    await admin("cluster2").deleteBookieAffinityGroup("public/c2-ns1");
    await admin("cluster2").setBookieRack(bk3, { group: "group-bookie1", rack: "rack9", hostname: bk3.split(":")[0] });
    await admin("cluster1").setRetention("public/c1-ns1", { retentionSizeInMB: 7, retentionTimeInMinutes: 7 });

    const refresh = await cliOk("refresh", "--yes");
    const updated = (resource: string) => new RegExp(`~\\s+pulumi-nodejs:dynamic/pulsar-isolation:${resource} updated`);
    assert.match(refresh.output, updated("AffinityGroup public/c2-ns1-affinity"));
    assert.match(refresh.output, updated("BookieRack bk3-rack"));
    assert.match(refresh.output, /2 updated/, "a setting the stack does not declare (c1-ns1's retention) is not its drift");

    const up = await cliOk("up", "--yes");
    timings.repairUp = up.seconds;
    assert.equal((await admin("cluster2").getBookieAffinityGroup("public/c2-ns1"))?.bookkeeperAffinityGroupPrimary, "group-bookie2");
    assert.deepEqual(placementIn(await admin("cluster2").racksInfo(), bk3), { group: "group-bookie2", rack: "rack2", hostname: bk3.split(":")[0] });
    assert.deepEqual(await admin("cluster1").getRetention("public/c1-ns1"), { retentionSizeInMB: 7, retentionTimeInMinutes: 7 }, "undeclared: left as the operator set it");
    await cliOk("up", "--yes", "--expect-no-changes");
  });

  it("removing an adopted namespace from the stack releases it: it stays in Pulsar with its data and groups", async () => {
    await writeConfig({ ...declared, namespaces: declared.namespaces.filter((ns: { name: string }) => ns.name !== "public/c1-ns1") });
    const up = await cliOk("up", "--yes");
    assert.match(up.output, /public\/c1-ns1 existed before this stack adopted it, so it is released, not deleted/);
    assert.ok(await admin("cluster1").getNamespace("public/c1-ns1"), "the released namespace is still there");
    assert.equal((await admin("cluster1").getBookieAffinityGroup("public/c1-ns1"))?.bookkeeperAffinityGroupPrimary, "group-bookie1");
    assert.equal(await consume(serviceUrl("cluster1"), "persistent://public/c1-ns1/isolation", "after-release", 300), 300);
  });

  it("destroy leaves every node running and the adopted namespace in place; a namespace it created goes once emptied on purpose", async () => {
    // Pulsar refuses to delete a namespace that holds topics: the operator empties it first.
    const refused = await cli("destroy", "--yes");
    assert.notEqual(refused.code, 0, "a namespace with topics must not be deleted");
    assert.ok(await admin("cluster2").getNamespace("public/c2-ns1"));
    const topic = `${brokerWebUrl(real.topology, cluster("cluster2").brokers[0])}/admin/v2/persistent/public/c2-ns1/isolation`;
    assert.ok((await fetch(topic, { method: "DELETE" })).ok, `DELETE ${topic}`);

    const destroy = await cliOk("destroy", "--yes");
    timings.destroy = destroy.seconds;
    const pids = await Promise.all(
      real.started.nodes.map(async (n) => Number((await fs.readFile(path.join(real.paths.stateDir, n.name, "pid"), "utf8")).trim())),
    );
    assert.ok(pids.every(isAlive), "every node of the operator's topology still runs");
    assert.ok(await admin("cluster1").getNamespace("public/c1-ns1"), "the adopted namespace stays");
    assert.ok(await admin("cluster1").getTenant("public"), "the adopted tenant stays");
  });
});
