import * as assert from "node:assert/strict";
import { PulsarAdmin, ZooKeeperStore } from "../../admin";
import { BookieAdmin } from "../../admin/bookie-admin";
import { groupPlan } from "../../components";
import { Topology, bookieHttpUrl, bookieId, brokerWebUrl, configurationStoreReachableConnect, parseTopology } from "../../config";
import { bookkeeperInitCommand, cookiePath, decommissionBookie, nodeActions } from "../../runtime";
import { EXTERNAL_LISTENER, bootstrapContainer, dockerOptions } from "../../runtime/docker";
import { waitFor } from "../../runtime/local/wait";
import { AdminLayer, assertReapplyWritesNothing } from "../support/apply";
import { DockerTopology, toolchainScript } from "../support/docker-boot";
import { assertLedgersInGroup } from "../support/ledger-ensembles";
import { warmJavaClient } from "../support/java-client";
import { consume, produce } from "../support/pulsar-client";
import { withQuickRecovery } from "../support/quick-recovery";
import { stopSharedTopology } from "../support/shared-topology";
import { assertEveryLedgerInside, everyLedger, topologyMayUse } from "../support/ledger-placement";
import { stackTopology } from "../support/stack-config";
import { stepTimer } from "../support/step-timer";

/** Not the stack's own prefix, so a deployed docker-local stack on this engine is left alone. */
const PREFIX = "pulsar-boot-test";

describe("docker runtime, one host: the docker-local stack's containers booted for real (Docker CLI)", function () {
  this.timeout(1_200_000);
  const topology: Topology = parseTopology(withQuickRecovery(stackTopology("docker-local")));
  const { step, timings } = stepTimer();
  const layer = new AdminLayer();
  let docker: DockerTopology;
  let startedAt: number;

  const admin = (cluster: number) => new PulsarAdmin({ baseUrl: brokerWebUrl(topology, topology.clusters[cluster].brokers[0]) });
  /** Where a client on this machine reaches a broker: its Docker host's published port, by the external listener. */
  const external = (cluster: number) => ({ url: `pulsar://127.0.0.1:${topology.clusters[cluster].brokers[0].servicePort}`, options: { listenerName: EXTERNAL_LISTENER } });

  before(async () => {
    startedAt = Date.now();
    warmJavaClient();
    // The local topology's nine idle JVMs slowed the containers' start by half (ZooKeepers healthy
    // after 12 s instead of 6, bookies 22 s instead of 11): the suites after this one do not use it.
    await stopSharedTopology();
    await step("engine", () => toolchainScript("docker-engine.sh", "start"));
    const image = (await step("image", () => toolchainScript("docker-engine.sh", "image"))).split("\n").pop()!;
    docker = new DockerTopology(topology, { ...dockerOptions(topology, PREFIX), image });
    await docker.boot(step);
  });

  after(async () => {
    await step("teardown", async () => {
      await docker?.removeAll().catch((err) => console.error(`      teardown: ${err}`));
      await toolchainScript("docker-engine.sh", "stop").catch((err) => console.error(`      teardown: ${err}`));
    });
    timings.total = Math.round((Date.now() - startedAt) / 100) / 10;
    console.log(`      timings (s): ${JSON.stringify(timings)}`);
  });

  it("both brokers list the 4 bookies, by their container names, through the published admin ports", async () => {
    const expected = topology.bookies.map((b) => bookieId(topology, b)).sort();
    assert.deepEqual(expected, ["bk1:13181", "bk2:13182", "bk3:13183", "bk4:13184"]);
    for (const cluster of topology.clusters) {
      const url = `${brokerWebUrl(topology, cluster.brokers[0])}/admin/v2/bookies/all`;
      // Bookies register in the metadata store as they start; give the brokers' view a moment.
      let listed: string[] = [];
      await waitFor(`${url} to list ${expected.length} bookies`, async () => {
        const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        assert.equal(res.status, 200, `${url} answered ${res.status}`);
        listed = ((await res.json()) as { bookies: { bookieId: string }[] }).bookies.map((b) => b.bookieId).sort();
        return listed.length === expected.length;
      }, { timeoutMs: 30_000, intervalMs: 1_000 });
      assert.deepEqual(listed, expected, cluster.name);
    }
  });

  it("a second bookkeeper-init finds the metadata and succeeds without touching it", async () => {
    const output = await docker.runOnce(bootstrapContainer(bookkeeperInitCommand(topology), docker.options));
    assert.match(output, /Ledger root path: \S+ already exists/);
    assert.match(output, /pulsar-isolation: already done/);
  });

  it("decommissions a bookie container the way the stack does (bookie HTTP API, docker stop), copying its ledgers before it goes", async () => {
    const broker1 = docker.node("broker1").spec;
    const bk4 = docker.node("bk4").spec;
    const bk4Id = bookieId(topology, topology.bookies[3]);
    const peers = new BookieAdmin({ baseUrl: topology.bookies.slice(0, 3).map((b) => bookieHttpUrl(topology, b)).join(",") });
    const topic = "persistent://public/default/decommission";
    // Kept without a subscription: the namespace's only cursor otherwise is its replicator's.
    await new PulsarAdmin({ baseUrl: brokerWebUrl(topology, topology.clusters[0].brokers[0]) }).setRetention("public/default", { retentionSizeInMB: 100, retentionTimeInMinutes: 60 });
    await produce(external(0).url, topic, 300, "boot", external(0).options);
    await waitFor("a ledger on bk4", async () => (await peers.ledgersOn(bk4Id)).length > 0, { timeoutMs: 30_000, intervalMs: 1_000 }).catch(() => undefined);
    const onBk4 = await peers.ledgersOn(bk4Id);

    await step("decommission", () =>
      decommissionBookie(
        { name: "bk4", bookie: bk4Id, httpUrl: bookieHttpUrl(topology, topology.bookies[3]), peerUrls: topology.bookies.slice(0, 3).map((b) => bookieHttpUrl(topology, b)), metadataStore: configurationStoreReachableConnect(topology) },
        nodeActions({ kind: "docker", container: bk4.name }),
        300_000,
      ),
    );
    assert.equal(await docker.docker(["inspect", "-f", "{{.State.Status}}", bk4.name]), "exited", "the container is stopped, for Pulumi to remove");
    assert.deepEqual(await peers.ledgersOn(bk4Id), [], `no ledger needs bk4 (it held ${onBk4.length})`);
    assert.ok(!(await peers.listBookies("rw")).includes(bk4Id));
    assert.equal(await new ZooKeeperStore({ connect: configurationStoreReachableConnect(topology) }).exists(cookiePath(bk4Id)), false, "its cookie is deleted");
    const consumed = await consume(external(0).url, topic, "after-decommission", 300, external(0).options).catch((err: Error) => err.message);
    if (consumed !== 300) {
      const stats = await fetch(`${brokerWebUrl(topology, topology.clusters[0].brokers[0])}/admin/v2/persistent/public/default/decommission/internalStats`).then((r) => r.text());
      assert.fail(`the 300 messages did not read back after the decommission.\ntopic: ${stats}\nbroker1: ${await docker.logs(broker1.name, undefined, 30)}\nconsumer: ${String(consumed).slice(-3000)}`);
    }

    // Its group needs two bookies again for the isolation checks: bk4 joins anew, as a scale-out does.
    await docker.docker(["rm", "-f", bk4.name]);
    await docker.docker(["volume", "rm", `${PREFIX}-bk4-data`]);
    await step("bookie rejoin", () => docker.start([docker.node("bk4")], 180_000));
    await waitFor("bk4 writable again", async () => (await peers.listBookies("rw")).includes(bk4Id), { timeoutMs: 60_000, intervalMs: 1_000 });
  });

  it("a replaced bookie container starts on its kept volume with the same identity", async () => {
    const bk1 = docker.node("bk1");
    await step("bookie replacement", async () => {
      await docker.docker(["rm", "-f", bk1.spec.name]);
      await docker.start([bk1], 180_000);
    });
    // A bookie whose data was lost would refuse to start: its cookie is still in the metadata store.
    const res = await fetch(`${brokerWebUrl(topology, topology.clusters[0].brokers[0])}/admin/v2/bookies/all`);
    const listed = ((await res.json()) as { bookies: { bookieId: string }[] }).bookies.map((b) => b.bookieId);
    assert.ok(listed.includes("bk1:13181"), JSON.stringify(listed));
    assert.equal(await docker.docker(["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", bk1.spec.name]), `${PREFIX}-bk1-data`);
  });
  it("converges the admin layer in the containers: both clusters' racks, the tenant, the namespaces, the affinity groups", async () => {
    const actions = await step("admin layer", () => layer.apply(topology));
    assert.ok(actions.every((a) => a.startsWith("create:")), actions.join(", "));
    const planned = groupPlan(topology);
    for (const cluster of [0, 1]) {
      const live = await admin(cluster).racksInfo();
      assert.deepEqual(Object.fromEntries(Object.entries(live).map(([g, bookies]) => [g, Object.keys(bookies).sort()])), planned, topology.clusters[cluster].name);
    }
    assert.deepEqual(await admin(0).getBookieAffinityGroup("public/c1-ns1"), { bookkeeperAffinityGroupPrimary: "group-bookie1" });
    assert.deepEqual(await admin(1).getBookieAffinityGroup("public/c2-ns1"), { bookkeeperAffinityGroupPrimary: "group-bookie2" });
  });

  it("isolates, with a client on this machine through the external listener: 300 messages per namespace, every ledger in its group", async () => {
    const groups = groupPlan(topology);
    for (const [cluster, ns, group] of [[0, "public/c1-ns1", "group-bookie1"], [1, "public/c2-ns1", "group-bookie2"]] as const) {
      const topic = `persistent://${ns}/isolation`;
      await step(`produce ${ns}`, () => produce(external(cluster).url, topic, 300, "isolated", external(cluster).options));
      await assertLedgersInGroup(admin(cluster), topic, { name: group, bookies: groups[group] });
      assert.equal(await consume(external(cluster).url, topic, "read-back", 300, external(cluster).options), 300, `${topic} read back`);
    }
    // Every ledger of the BookKeeper cluster, schemas and system topics too.
    assertEveryLedgerInside(await everyLedger(bookieHttpUrl(topology, topology.bookies[0])), topologyMayUse(topology));
  });

  it("a second apply of the unchanged admin layer writes nothing (the brokers' request logs)", async () => {
    await assertReapplyWritesNothing(layer, topology, () => docker.adminWritesSeen());
  });

  it("a client on this machine that names no listener is sent to the container name, which only Docker resolves", async () => {
    const lookup = `${brokerWebUrl(topology, topology.clusters[0].brokers[0])}/lookup/v2/topic/persistent/public/c1-ns1/isolation`;
    const brokerUrl = async (url: string) => ((await (await fetch(url)).json()) as { brokerUrl: string }).brokerUrl;
    assert.equal(await brokerUrl(lookup), "pulsar://broker1:16650");
    // Pulsar 4.0.8 shares a lookup in flight by bundle whatever listener it names
    // (NamespaceService.findingBundles*.computeIfAbsent(bundle)): one made right after the lookup
    // above can get its answer (seen once in CI). A few tries, a moment apart, get the named one.
    const named: string[] = [];
    const answered = async () => {
      named.push(await brokerUrl(`${lookup}?listenerName=${EXTERNAL_LISTENER}`));
      return named.at(-1) === "pulsar://127.0.0.1:16650";
    };
    await waitFor("the external listener's answer", answered, { timeoutMs: 2_000, intervalMs: 500 }).catch((err: Error) =>
      assert.fail(`${err.message}; answers: ${named.join(", ")}`),
    );
  });
});
