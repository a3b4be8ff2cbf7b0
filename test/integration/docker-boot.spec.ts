import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { PulsarAdmin, ZooKeeperStore } from "../../admin";
import { BookieAdmin } from "../../admin/bookie-admin";
import { Topology, bookieHttpUrl, bookieId, brokerWebUrl, configurationStoreReachableConnect, parseTopology } from "../../config";
import {
  bookieSpec,
  bookkeeperInitCommand,
  brokerSpec,
  clusterMetadataCommand,
  configurationStoreSpec,
  cookiePath,
  decommissionBookie,
  nodeActions,
  zookeeperSpec,
} from "../../runtime";
import { ContainerSpec, DockerOptions, IMAGE_PULSAR_HOME, bootstrapContainer, dockerRunArgs, networkName, nodeContainer } from "../../runtime/docker";
import { waitFor } from "../../runtime/local/wait";
import { PROJECT_ROOT, stackTopology } from "../support/stack-config";

const run = promisify(execFile);
const ENGINE = path.join(PROJECT_ROOT, "toolchain", "docker-engine.sh");
/** Not the stack's own prefix, so a deployed docker-local stack on this engine is left alone. */
const PREFIX = "pulsar-boot-test";

async function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run("docker", args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

async function engine(command: "start" | "image" | "stop"): Promise<string> {
  try {
    const { stdout } = await run("bash", [ENGINE, command], { timeout: 900_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `The docker runtime's boot test needs a Docker engine and a local Pulsar image, and '${ENGINE} ${command}' failed.\n` +
        `It installs docker.io with apt-get and builds the image with debootstrap: run it as root (or with sudo) where Debian's archive is reachable.\n` +
        (e.stderr ?? e.message).trim().split("\n").slice(-15).join("\n"),
    );
  }
}

/** Every container, volume and network of the test, whatever state a previous run left them in. */
async function removeAll(): Promise<void> {
  const containers = (await docker(["ps", "-aq", "--filter", `name=^${PREFIX}-`])).split("\n").filter(Boolean);
  if (containers.length) await docker(["rm", "-f", ...containers]);
  const volumes = (await docker(["volume", "ls", "-q", "--filter", `name=^${PREFIX}-`])).split("\n").filter(Boolean);
  if (volumes.length) await docker(["volume", "rm", "-f", ...volumes]);
  if ((await docker(["network", "ls", "-q", "--filter", `name=^${PREFIX}$`])) !== "") await docker(["network", "rm", PREFIX]);
}

async function lastLogs(name: string): Promise<string> {
  try {
    const { stdout, stderr } = await run("docker", ["logs", "--tail", "30", name]);
    return `${stdout}${stderr}`;
  } catch {
    return "(no logs)";
  }
}

/** Starts detached node containers and waits until Docker reports each healthy. */
async function startNodes(specs: ContainerSpec[], timeoutMs: number): Promise<void> {
  for (const c of specs) await docker(dockerRunArgs(c));
  await Promise.all(
    specs.map((c) =>
      waitFor(
        `${c.name} to be healthy`,
        async () => {
          const state = await docker(["inspect", "-f", "{{.State.Status}} {{.State.Health.Status}}", c.name]);
          if (state.startsWith("exited") || state.startsWith("dead")) throw new Error(`${c.name} stopped (${state}):\n${await lastLogs(c.name)}`);
          return state === "running healthy";
        },
        { timeoutMs, intervalMs: 1_000 },
      ),
    ),
  );
}

/** Runs a one-shot container to its end; its output is the bootstrap command's. */
async function runOnce(c: ContainerSpec): Promise<string> {
  try {
    return await docker(dockerRunArgs(c), 180_000);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${c.name} failed: ${e.message.split("\n")[0]}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

describe("docker runtime: the docker-local stack's container specs boot for real (Docker CLI)", function () {
  this.timeout(1_200_000);
  const topology: Topology = parseTopology(stackTopology("docker-local"));
  const timings: Record<string, number> = {};
  let options: DockerOptions;
  let startedAt: number;

  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round((Date.now() - started) / 100) / 10;
    }
  };
  const nodes = () => ({
    zookeepers: [configurationStoreSpec(topology), ...topology.clusters.map((c) => zookeeperSpec(topology, c))].map((s) => nodeContainer(s, options)),
    bookies: topology.bookies.map((b) => nodeContainer(bookieSpec(topology, b), options)),
    brokers: topology.clusters.flatMap((c) => c.brokers.map((b) => nodeContainer(brokerSpec(topology, c, b), options))),
  });

  before(async () => {
    startedAt = Date.now();
    await step("engine", () => engine("start"));
    const image = (await step("image", () => engine("image"))).split("\n").pop()!;
    options = { prefix: PREFIX, image, pulsarHome: IMAGE_PULSAR_HOME };
    await removeAll();
    await docker(["network", "create", networkName(options)]);

    const { zookeepers, bookies, brokers } = nodes();
    await step("zookeepers", () => startNodes(zookeepers, 120_000));
    await step("bootstrap", () =>
      Promise.all([
        runOnce(bootstrapContainer(bookkeeperInitCommand(topology), options)),
        // One after the other: each cluster's initialisation updates the shared `public` tenant.
        topology.clusters.reduce<Promise<unknown>>((previous, c) => previous.then(() => runOnce(bootstrapContainer(clusterMetadataCommand(topology, c), options))), Promise.resolve()),
      ]),
    );
    await step("bookies", () => startNodes(bookies, 180_000));
    await step("brokers", () => startNodes(brokers, 240_000));
  });

  after(async () => {
    await step("teardown", async () => {
      await removeAll().catch((err) => console.error(`      teardown: ${err}`));
      await engine("stop").catch((err) => console.error(`      teardown: ${err}`));
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
    const output = await runOnce(bootstrapContainer(bookkeeperInitCommand(topology), options));
    assert.match(output, /Ledger root path: \S+ already exists/);
    assert.match(output, /pulsar-isolation: already done/);
  });

  it("decommissions a bookie container the way the stack does (bookie HTTP API, docker stop), copying its ledgers before it goes", async () => {
    const [broker1] = nodes().brokers;
    const bk4 = nodes().bookies[3];
    const bk4Id = bookieId(topology, topology.bookies[3]);
    const peers = new BookieAdmin({ baseUrl: topology.bookies.slice(0, 3).map((b) => bookieHttpUrl(topology, b)).join(",") });
    // Clients inside Docker resolve the brokers' advertised names.
    const client = async (...args: string[]) => {
      const { stdout, stderr } = await run("docker", ["exec", broker1.name, "bin/pulsar-client", "--url", "pulsar://broker1:16650", ...args], { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
      return `${stdout}${stderr}`;
    };
    // Kept without a subscription: the namespace's only cursor otherwise is its replicator's.
    await new PulsarAdmin({ baseUrl: brokerWebUrl(topology, topology.clusters[0].brokers[0]) }).setRetention("public/default", { retentionSizeInMB: 100, retentionTimeInMinutes: 60 });
    assert.match(await client("produce", "-m", "boot", "-n", "300", "persistent://public/default/decommission"), /300 messages successfully produced/);
    await waitFor("a ledger on bk4", async () => (await peers.ledgersOn(bk4Id)).length > 0, { timeoutMs: 30_000, intervalMs: 1_000 }).catch(() => undefined);
    const onBk4 = await peers.ledgersOn(bk4Id);

    await step("decommission", () =>
      decommissionBookie(
        { name: "bk4", bookie: bk4Id, httpUrl: bookieHttpUrl(topology, topology.bookies[3]), peerUrls: topology.bookies.slice(0, 3).map((b) => bookieHttpUrl(topology, b)), metadataStore: configurationStoreReachableConnect(topology) },
        nodeActions({ kind: "docker", container: bk4.name }),
        300_000,
      ),
    );
    assert.equal(await docker(["inspect", "-f", "{{.State.Status}}", bk4.name]), "exited", "the container is stopped, for Pulumi to remove");
    assert.deepEqual(await peers.ledgersOn(bk4Id), [], `no ledger needs bk4 (it held ${onBk4.length})`);
    assert.ok(!(await peers.listBookies("rw")).includes(bk4Id));
    assert.equal(await new ZooKeeperStore({ connect: configurationStoreReachableConnect(topology) }).exists(cookiePath(bk4Id)), false, "its cookie is deleted");
    const consumed = await client("consume", "-s", "after-decommission", "-p", "Earliest", "-n", "300", "persistent://public/default/decommission").catch((err: Error) => err.message);
    if (!/300 messages successfully consumed/.test(consumed)) {
      const stats = await fetch(`${brokerWebUrl(topology, topology.clusters[0].brokers[0])}/admin/v2/persistent/public/default/decommission/internalStats`).then((r) => r.text());
      assert.fail(`the 300 messages did not read back after the decommission.\ntopic: ${stats}\nbroker1: ${await lastLogs(broker1.name)}\nconsumer: ${consumed.slice(-3000)}`);
    }
  });

  it("a replaced bookie container starts on its kept volume with the same identity", async () => {
    const bk1 = nodes().bookies[0];
    await step("bookie replacement", async () => {
      await docker(["rm", "-f", bk1.name]);
      await startNodes([bk1], 180_000);
    });
    // A bookie whose data was lost would refuse to start: its cookie is still in the metadata store.
    const res = await fetch(`${brokerWebUrl(topology, topology.clusters[0].brokers[0])}/admin/v2/bookies/all`);
    const listed = ((await res.json()) as { bookies: { bookieId: string }[] }).bookies.map((b) => b.bookieId);
    assert.ok(listed.includes("bk1:13181"), JSON.stringify(listed));
    assert.equal(await docker(["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", bk1.name]), `${PREFIX}-bk1-data`);
  });
});
