import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PulsarAdmin } from "../../admin";
import { groupPlan } from "../../components";
import { Topology, bookieId, brokerServiceUrl, brokerWebUrl } from "../../config";
import { dockerOptions } from "../../runtime/docker";
import { AdminLayer, assertReapplyWritesNothing } from "../support/apply";
import { DockerTopology, TEST_DOCKER_HOSTS as HOSTS, toolchainScript, twoHostTopology } from "../support/docker-boot";
import { assertLedgersInGroup } from "../support/ledger-ensembles";
import { consume, produce } from "../support/pulsar-client";
import { withQuickRecovery } from "../support/quick-recovery";
import { stopSharedTopology } from "../support/shared-topology";
import { stepTimer } from "../support/step-timer";

const run = promisify(execFile);
const PREFIX = "pulsar-two-hosts-test";
/** The addresses TCP sockets listen on, in a network namespace (or the root one). */
async function listeningSockets(netns?: string): Promise<string[]> {
  const ss = ["ss", "-Hltn"];
  const { stdout } = await run(netns ? "nsenter" : ss[0], netns ? [`--net=/var/run/netns/${netns}`, ...ss] : ss.slice(1));
  return stdout.split("\n").filter(Boolean).map((line) => line.trim().split(/\s+/)[3]);
}

describe("docker runtime, two hosts: one Docker engine per rack, each in its own network namespace", function () {
  this.timeout(1_200_000);
  const { step, timings } = stepTimer();
  const layer = new AdminLayer();
  let topology: Topology;
  let docker: DockerTopology;
  let startedAt: number;

  const admin = (cluster: number) => new PulsarAdmin({ baseUrl: brokerWebUrl(topology, topology.clusters[cluster].brokers[0]) });
  const ports = () => new Set(docker.nodes().zookeepers.concat(docker.nodes().bookies, docker.nodes().brokers).flatMap((c) => c.spec.ports.map((p) => p.external)));
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    await docker?.removeAll().catch((err) => console.error(`      teardown: ${err}`));
    await toolchainScript("docker-hosts.sh", "down").catch((err) => console.error(`      teardown: ${err}`));
    await toolchainScript("docker-engine.sh", "stop").catch((err) => console.error(`      teardown: ${err}`));
  };

  before(async () => {
    startedAt = Date.now();
    await stopSharedTopology(); // its idle JVMs slow the containers' start (see the one-host suite)
    await step("engine and image", async () => {
      await toolchainScript("docker-engine.sh", "start");
      return toolchainScript("docker-engine.sh", "image");
    });
    const hosts = await step("hosts", () => toolchainScript("docker-hosts.sh", "up", ...Object.entries(HOSTS).map(([rack, address]) => `${rack}=${address}`)));
    const image = (await toolchainScript("docker-engine.sh", "image")).split("\n").pop()!;
    assert.equal(hosts.split("\n").length, 2, hosts);
    topology = twoHostTopology(image, withQuickRecovery);
    docker = new DockerTopology(topology, dockerOptions(topology, PREFIX));
    await step("boot", () => docker.boot(step));
  });

  after(async () => {
    if (!tornDown) await step("teardown", teardown);
    timings.total = Math.round((Date.now() - startedAt) / 100) / 10;
    console.log(`      timings (s): ${JSON.stringify(timings)}`);
  });

  it("places each node on its rack's host, and both brokers list the 4 bookies by their hosts' addresses", async () => {
    for (const [rack, expected] of [["rack1", ["bk1", "bk2", "broker1", "cluster1-zookeeper", "configuration-store"]], ["rack2", ["bk3", "bk4", "broker2", "cluster2-zookeeper"]]] as const) {
      const names = (await docker.docker(["ps", "--format", "{{.Names}}"], topology.docker.hosts[rack].url)).split("\n").map((n) => n.slice(PREFIX.length + 1));
      assert.deepEqual(names.sort(), expected, rack);
    }
    const expected = topology.bookies.map((b) => bookieId(topology, b)).sort();
    assert.deepEqual(expected, ["10.213.0.11:3181", "10.213.0.11:3182", "10.213.0.12:3181", "10.213.0.12:3182"]);
    for (const cluster of [0, 1]) assert.deepEqual(await admin(cluster).listBookies(), expected, topology.clusters[cluster].name);
  });

  it("converges the admin layer across hosts, and isolates: 300 messages per namespace, every ledger on its rack's bookies", async () => {
    const actions = await step("admin layer", () => layer.apply(topology));
    assert.ok(actions.every((a) => a.startsWith("create:")), actions.join(", "));
    const groups = groupPlan(topology);
    assert.deepEqual(groups, { "group-bookie1": ["10.213.0.11:3181", "10.213.0.11:3182"], "group-bookie2": ["10.213.0.12:3181", "10.213.0.12:3182"] });
    for (const [cluster, ns, group] of [[0, "public/c1-ns1", "group-bookie1"], [1, "public/c2-ns1", "group-bookie2"]] as const) {
      const topic = `persistent://${ns}/isolation`;
      const url = brokerServiceUrl(topology, topology.clusters[cluster].brokers[0]);
      await step(`produce ${ns}`, () => produce(url, topic, 300, "across-hosts"));
      await assertLedgersInGroup(admin(cluster), topic, { name: group, bookies: groups[group] });
      assert.equal(await consume(url, topic, "read-back", 300), 300, `${topic} read back`);
    }
  });

  it("a second apply writes nothing (the brokers' request logs, on both hosts)", async () => {
    await assertReapplyWritesNothing(layer, topology, () => docker.adminWritesSeen());
  });

  it("nothing listens outside this machine: each host publishes on its own namespace's address only", async () => {
    const topologyPorts = ports();
    const onPort = (address: string) => topologyPorts.has(Number(address.slice(address.lastIndexOf(":") + 1)));
    // Local topologies of other tests may listen on the same numbers here, on loopback.
    const beyondLoopback = (await listeningSockets()).filter((a) => onPort(a) && !a.startsWith("127."));
    assert.deepEqual(beyondLoopback, [], "the root namespace listens on none of the topology's ports beyond loopback");
    for (const [rack, address] of Object.entries(HOSTS)) {
      const published = (await listeningSockets(`pi-host-${rack}`)).filter(onPort);
      assert.ok(published.length > 0, `${rack} publishes the ports of its nodes`);
      assert.deepEqual(published.filter((a) => !a.startsWith(`${address}:`)), [], `${rack} binds only ${address}`);
    }
  });

  it("a bookie on the second host keeps its identity when its container is replaced", async () => {
    const bk3 = docker.node("bk3");
    assert.equal(bk3.engine, topology.docker.hosts.rack2.url);
    await step("bookie replacement", async () => {
      await docker.docker(["rm", "-f", bk3.spec.name], bk3.engine);
      await docker.start([bk3], 180_000);
    });
    assert.ok((await admin(0).listBookies()).includes("10.213.0.12:3181"));
    assert.equal(await docker.docker(["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", bk3.spec.name], bk3.engine), `${PREFIX}-bk3-data`);
    // Its ledgers are readable again from the other host's cluster.
    const url = brokerServiceUrl(topology, topology.clusters[1].brokers[0]);
    assert.equal(await consume(url, "persistent://public/c2-ns1/isolation", "after-replacement", 300), 300);
  });

  it("tears down: every engine, namespace and bridge the test made is gone", async () => {
    await step("teardown", teardown);
    const { stdout: namespaces } = await run("ip", ["netns", "list"]);
    assert.doesNotMatch(namespaces, /pi-host-/);
    const { stdout: links } = await run("ip", ["-o", "link", "show"]);
    assert.doesNotMatch(links, /pi-hosts|pih-/);
    const { stdout: processes } = await run("ps", ["-eo", "args"]);
    assert.doesNotMatch(processes, /dockerd .*pi-docker/);
  });
});
