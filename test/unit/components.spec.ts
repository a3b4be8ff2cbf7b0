import * as assert from "node:assert/strict";
import { isolationPlan, placedBookies } from "../../components/isolation-plan";
import { RegisteredResource, promiseOf, recordResources, settle } from "../support/mocks";
import { PROJECT_NAME, stackConfig } from "../support/stack-config";

describe("the dev stack's resource tree (Pulumi mocks)", function () {
  this.timeout(60_000);
  let resources: RegisteredResource[];
  let program: typeof import("../../index");
  const ofType = (suffix: string) => resources.filter((r) => r.type.endsWith(suffix));
  const node = (name: string) => ofType(":LocalNode").find((r) => r.name === name)!;

  before(async () => {
    resources = recordResources(PROJECT_NAME, "dev", stackConfig("dev"));
    program = await import("../../index");
    await settle(resources);
  });

  it("has one configuration store, one BookKeeper cluster, two Pulsar clusters and the isolation", () => {
    assert.deepEqual(ofType("pulsar:index:ConfigurationStore").map((r) => r.name), ["configuration-store"]);
    assert.deepEqual(ofType("pulsar:index:BookieCluster").map((r) => r.name), ["bookkeeper"]);
    assert.deepEqual(ofType("pulsar:index:PulsarCluster").map((r) => r.name), ["cluster1", "cluster2"]);
    assert.deepEqual(ofType("pulsar:index:NamespaceAffinity").map((r) => r.name), ["isolation"]);
  });

  it("runs nine nodes: the store, four bookies and a ZooKeeper and a broker per cluster", () => {
    const nodes = ofType(":LocalNode").map((r) => `${r.inputs.spec.role}:${r.name}`).sort();
    assert.deepEqual(nodes, [
      "bookie:bk1", "bookie:bk2", "bookie:bk3", "bookie:bk4",
      "broker:broker1", "broker:broker2",
      "configuration-store:configuration-store",
      "zookeeper:cluster1-zookeeper", "zookeeper:cluster2-zookeeper",
    ]);
  });

  it("points every broker at its local ZooKeeper, the shared store and the shared BookKeeper", () => {
    for (const [broker, zk, port] of [["broker1", 2182, 8080], ["broker2", 2183, 8081]] as const) {
      const settings = node(broker).inputs.spec.settings;
      assert.equal(settings.metadataStoreUrl, `zk:127.0.0.1:${zk}`);
      assert.equal(settings.configurationMetadataStoreUrl, "zk:127.0.0.1:2181");
      assert.equal(settings.bookkeeperMetadataServiceUri, "zk://127.0.0.1:2181/ledgers");
      assert.equal(settings.webServicePort, String(port));
      assert.equal(settings.managedLedgerDefaultEnsembleSize, "2");
      assert.equal(settings.managedLedgerMaxEntriesPerLedger, "100");
    }
    // Bookies name the same ledgers root by zkServers, which their rack resolver can open.
    const bk3 = node("bk3").inputs.spec.settings;
    assert.deepEqual([bk3.metadataServiceUri, bk3.zkServers, bk3.zkLedgersRootPath], ["", "127.0.0.1:2181", "/ledgers"]);
    assert.equal(bk3.ensemblePlacementPolicy, "pulsarisolation.placement.GroupKeepingPlacementPolicy");
    assert.equal(node("bk3").inputs.spec.settings.bookiePort, "3183");
  });

  it("bootstraps BookKeeper once with initnewcluster, never metaformat, and each cluster once", () => {
    const steps = ofType(":BootstrapStep");
    assert.deepEqual(steps.map((s) => s.name).sort(), ["bookkeeper-init", "cluster1-metadata", "cluster2-metadata"]);
    const bk = steps.find((s) => s.name === "bookkeeper-init")!;
    assert.deepEqual(bk.inputs.command.args, ["shell", "initnewcluster"]);
    assert.ok(!JSON.stringify(steps).includes("metaformat"));
  });

  it("places every bookie in its group and rack on both clusters", () => {
    const racks = ofType(":BookieRack").map((r) => `${r.inputs.bookie}=${r.inputs.group}/${r.inputs.rack}/${r.inputs.hostname}@${r.inputs.adminUrls.join("+")}`);
    assert.deepEqual(racks, [
      "127.0.0.1:3181=group-bookie1/rack1/127.0.0.1@http://127.0.0.1:8080+http://127.0.0.1:8081",
      "127.0.0.1:3182=group-bookie1/rack1/127.0.0.1@http://127.0.0.1:8080+http://127.0.0.1:8081",
      "127.0.0.1:3183=group-bookie2/rack2/127.0.0.1@http://127.0.0.1:8080+http://127.0.0.1:8081",
      "127.0.0.1:3184=group-bookie2/rack2/127.0.0.1@http://127.0.0.1:8080+http://127.0.0.1:8081",
    ]);
  });

  it("creates two namespaces on their clusters, each pinned to its group", () => {
    const namespaces = ofType(":Namespace").map((r) => `${r.inputs.namespace}@${r.inputs.cluster}/${r.inputs.bundles}`);
    assert.deepEqual(namespaces, ["public/c1-ns1@cluster1/30", "public/c2-ns1@cluster2/30"]);
    const c1 = ofType(":Namespace")[0].inputs;
    assert.deepEqual(c1.retention, { retentionSizeInMB: 1024, retentionTimeInMinutes: 4320 });
    const groups = ofType(":AffinityGroup").map((r) => `${r.inputs.namespace}->${r.inputs.primary}@${r.inputs.adminUrl}`);
    assert.deepEqual(groups, ["public/c1-ns1->group-bookie1@http://127.0.0.1:8080", "public/c2-ns1->group-bookie2@http://127.0.0.1:8081"]);
  });

  it("exports the admin URLs, service URLs and the rack/group map", async () => {
    assert.deepEqual(program.adminUrls, { cluster1: "http://127.0.0.1:8080", cluster2: "http://127.0.0.1:8081" });
    assert.deepEqual(program.serviceUrls, { cluster1: "pulsar://127.0.0.1:6650", cluster2: "pulsar://127.0.0.1:6651" });
    assert.deepEqual(await promiseOf(program.rackMap), {
      "group-bookie1": ["127.0.0.1:3181", "127.0.0.1:3182"],
      "group-bookie2": ["127.0.0.1:3183", "127.0.0.1:3184"],
    });
  });
});

describe("NamespaceAffinity's bookies", () => {
  it("files each bookie as its ref's placement says, the hostname defaulting to the host of its id", () => {
    const plan = isolationPlan({
      clusters: [{ clusterName: "c1", adminUrl: "http://a:8080" }],
      bookies: [
        { name: "b1", id: "10.0.0.1:3181", placement: { group: "g1", rack: "r1" } },
        { name: "b2", id: "10.0.0.2:3181", placement: { group: "g1", rack: "r2", hostname: "bk-2" } },
      ],
      namespaces: [],
    });
    assert.deepEqual(plan.racks.map((r) => [r.bookie, r.group, r.rack, r.hostname]), [["10.0.0.1:3181", "g1", "r1", "10.0.0.1"], ["10.0.0.2:3181", "g1", "r2", "bk-2"]]);
    assert.deepEqual(plan.groups, { g1: ["10.0.0.1:3181", "10.0.0.2:3181"] });
  });

  it("refuses a bookie without a placement, by name", () => {
    assert.throws(
      () => placedBookies([{ name: "b1", id: "10.0.0.1:3181", placement: { group: "g1", rack: "r1" } }, { name: "b2", id: "10.0.0.2:3181" }]),
      /bookies without a placement \(group and rack\) cannot be isolated: b2; /,
    );
  });
});
