import * as assert from "node:assert/strict";
import { ledgerBookies } from "../support/ledger-ensembles";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PulsarAdmin } from "../../admin";
import { BookieAdmin } from "../../admin/bookie-admin";
import { groupPlan } from "../../components";
import { kubernetesNamespace, parseTopology } from "../../config";
import { containerSettings } from "../support/container-settings";
import { assertEveryLedgerInside, everyLedger, topologyMayUse } from "../support/ledger-placement";
import { PodPulsarClient, StackCli, cluster, clusterMemory, kubectl, kubectlJson, kubernetesToolchain } from "../support/kubernetes-cluster";
import { TEST_STATE_ROOT } from "../support/real-topology";
import { PROJECT_ROOT, readStackTopology, stackTopology, writeStackTopology } from "../support/stack-config";

/**
 * The kubernetes runtime end to end: a real single-node cluster started from nothing by the test,
 * the real Pulumi CLI and the real Kubernetes provider, real Pulsar in pods. The suite keeps its
 * own Pulumi state (so it neither wipes nor is wiped by the other suites) and its own copy of the
 * stack config, which holds the cluster's kubeconfig as a secret.
 */
const STACK = "k8s-local";
const HOME = path.join(TEST_STATE_ROOT, "k8s");
const CONFIG_FILE = path.join(HOME, `Pulumi.${STACK}.yaml`);
const topology = parseTopology(stackTopology(STACK));
const namespace = kubernetesNamespace(topology.kubernetes, STACK);
const groups = groupPlan(topology);
const clusters = [
  { ns: "public/c1-ns1", group: "group-bookie1", admin: "http://127.0.0.1:30080", pod: "broker1-0", service: "pulsar://broker1:30650" },
  { ns: "public/c2-ns1", group: "group-bookie2", admin: "http://127.0.0.1:30081", pod: "broker2-0", service: "pulsar://broker2:30651" },
];
const clientOf = (c: (typeof clusters)[number]) => new PodPulsarClient(namespace, c.pod, c.service);
const allBookies = new BookieAdmin({ baseUrl: ["30011", "30012", "30013", "30014"].map((port) => `http://127.0.0.1:${port}`).join(",") });

/** The ledgers of a topic that hold entries, each with the bookies of its ensembles. */
async function ledgersOf(adminUrl: string, topic: string): Promise<{ id: number; bookies: string[] }[]> {
  const stats = await new PulsarAdmin({ baseUrl: adminUrl }).internalStats(topic);
  return stats.ledgers.filter((l) => l.entries > 0).map((l) => ({ id: l.ledgerId, bookies: ledgerBookies(l) }));
}

/** Writes the stack config with a changed topology (the kubeconfig secret stays). */
async function editTopology(change: (t: Record<string, any>) => void): Promise<void> {
  const topology = await readStackTopology(CONFIG_FILE);
  change(topology);
  await writeStackTopology(CONFIG_FILE, topology);
}

/** The resources an `up` spent 20 s or more on, for the log: what a slow run waited for. */
function logSlowSteps(what: string, output: string): void {
  const slow = output.split("\n").filter((l) => / (created|updated|deleted) \((\d{3,}|[2-9]\d)(\.\d+)?s\)/.test(l)).map((l) => l.trim());
  if (slow.length) console.log(`      ${what}, steps of 20 s or more:\n${slow.map((l) => `        ${l}`).join("\n")}`);
}

const podsReady = async (): Promise<Record<string, boolean>> => {
  const pods = await kubectlJson<{ items: any[] }>(["-n", namespace, "get", "pods", "-l", "app.kubernetes.io/component!=bootstrap"]);
  return Object.fromEntries(
    pods.items.map((p) => [p.metadata.name, (p.status.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True")]),
  );
};

describe("kubernetes runtime: pulumi up of k8s-local on a real cluster (real CLI and provider)", function () {
  const measured: Record<string, number> = {};
  const cli = new StackCli(STACK, path.join(HOME, "pulumi-state"), CONFIG_FILE);
  let destroyed = true;

  before(async function () {
    this.timeout(1_200_000);
    await fs.rm(HOME, { recursive: true, force: true });
    await fs.mkdir(path.join(HOME, "pulumi-state"), { recursive: true });
    const up = await cluster("up");
    measured.clusterUp = up.seconds;
    console.log(up.output.split("\n").filter((l) => l.startsWith("[cluster]")).map((l) => `      ${l}`).join("\n"));
    await fs.copyFile(path.join(PROJECT_ROOT, `Pulumi.${STACK}.yaml`), CONFIG_FILE);
    await cli.init();
    const kubeconfig = await fs.readFile(kubernetesToolchain().kubeconfig, "utf8");
    await cli.ok(["config", "set", "--secret", "kubeconfig", kubeconfig]);
  });

  after(async function () {
    this.timeout(1_200_000);
    try {
      if (!destroyed) await cli.run(["destroy", "--yes"]);
    } finally {
      const down = await cluster("down");
      measured.clusterDown = down.seconds;
      console.log(`      measurements (seconds, MB): ${JSON.stringify(measured)}`);
    }
  });

  it("keeps the kubeconfig a secret in the stack config", async () => {
    const text = await fs.readFile(CONFIG_FILE, "utf8");
    assert.match(text, /kubeconfig:\s*\n?\s*secure:/);
    assert.doesNotMatch(text, /client-key-data/);
  });

  it("builds the whole topology from nothing: every node's pod ready, Jobs done, the rack map on both clusters", async () => {
    destroyed = false;
    const up = await cli.ok(["up", "--yes"]);
    measured.coldUp = up.seconds;
    logSlowSteps("cold up", up.output);
    assert.match(up.output, /kubernetes:apps\/v1:StatefulSet\s+bk1\s+created/);
    const outputs = await cli.outputs();
    assert.deepEqual(outputs.adminUrls, { cluster1: "http://127.0.0.1:30080", cluster2: "http://127.0.0.1:30081" });
    assert.deepEqual(outputs.rackMap, groups);

    const ready = await podsReady();
    assert.deepEqual(Object.keys(ready).sort(), [
      "bk1-0", "bk2-0", "bk3-0", "bk4-0", "broker1-0", "broker2-0", "cluster1-zookeeper-0", "cluster2-zookeeper-0", "configuration-store-0",
    ]);
    assert.ok(Object.values(ready).every(Boolean), JSON.stringify(ready));
    const jobs = await kubectlJson<{ items: any[] }>(["-n", namespace, "get", "jobs"]);
    assert.deepEqual(jobs.items.map((j) => [j.metadata.name, j.status.succeeded]).sort(), [["bookkeeper-init", 1], ["cluster1-metadata", 1], ["cluster2-metadata", 1]]);
    const claims = await kubectlJson<{ items: any[] }>(["-n", namespace, "get", "pvc"]);
    assert.deepEqual(claims.items.filter((c) => c.status.phase === "Bound").map((c) => c.metadata.name).sort(), [
      "data-bk1-0", "data-bk2-0", "data-bk3-0", "data-bk4-0", "data-cluster1-zookeeper-0", "data-cluster2-zookeeper-0", "data-configuration-store-0",
    ]);
    for (const c of clusters) {
      const admin = new PulsarAdmin({ baseUrl: c.admin });
      assert.deepEqual((await admin.listBookies()).sort(), ["bk1:3181", "bk2:3182", "bk3:3183", "bk4:3184"]);
      const racks = await admin.racksInfo();
      assert.deepEqual(Object.fromEntries(Object.entries(racks).map(([g, m]) => [g, Object.keys(m).sort()])), groups);
    }
  });

  it("passes the article's isolation check: 300 messages each, every ledger's ensemble inside the namespace's group", async () => {
    const memory = await clusterMemory();
    measured.controlPlaneMB = memory.controlPlaneMB;
    measured.podsMB = memory.podsMB;
    for (const c of clusters) {
      const topic = `persistent://${c.ns}/t1`;
      await clientOf(c).produce(topic, 300);
      const ledgers = await ledgersOf(c.admin, topic);
      assert.ok(ledgers.length >= 3, `${topic}: ${ledgers.length} ledgers`);
      for (const ledger of ledgers) {
        assert.ok(ledger.bookies.length >= 2, `ledger ${ledger.id} has no ensemble`);
        assert.ok(ledger.bookies.every((b) => groups[c.group].includes(b)), `${topic}: ledger ${ledger.id} on ${ledger.bookies}, outside ${c.group}`);
      }
    }
    // Every ledger of the BookKeeper cluster, schemas and system topics too.
    assertEveryLedgerInside(await everyLedger("http://127.0.0.1:30011"), topologyMayUse(topology));
  });

  it("a second pulumi up changes nothing, and the policy pack passes the stack it reads from the StatefulSets", async () => {
    const again = await cli.ok(["up", "--yes", "--expect-no-changes", "--policy-pack", "policy"]);
    measured.noChangeUp = again.seconds;
    assert.doesNotMatch(again.output, /\b(created|updated|deleted|replaced)\b/);
    assert.match(again.output, /✅ pulsar-isolation@v0\.1\.0/);
  });

  it("restarts bookies one at a time on a settings change: never two bookie pods away, every one replaced with the setting, no closed ledger copied", async () => {
    const bookies = ["bk1-0", "bk2-0", "bk3-0", "bk4-0"];
    const uids = async () => {
      const pods = await kubectlJson<{ items: any[] }>(["-n", namespace, "get", "pods", "-l", "app.kubernetes.io/component=bookie"]);
      return Object.fromEntries(pods.items.map((p) => [p.metadata.name, p.metadata.uid]));
    };
    const topicLedgers = new Set(clusters.map((c) => `${c.ns}/persistent/t1`));
    const closedEnsembles = async () =>
      Object.fromEntries(
        (await allBookies.ledgers()).filter((l) => topicLedgers.has(l.managedLedger ?? "") && l.state === "CLOSED").map((l) => [l.ledgerId, l.ensembles]),
      );
    const uidsBefore = await uids();
    const closedBefore = await closedEnsembles();
    await editTopology((t) => (t.bookieSettings = { ...(t.bookieSettings ?? {}), gcWaitTime: 600000 }));

    let watching = true;
    let mostAway = 0;
    const watch = (async () => {
      while (watching) {
        const ready = await podsReady().catch(() => undefined);
        if (ready) mostAway = Math.max(mostAway, bookies.filter((b) => !ready[b]).length);
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const up = await cli.ok(["up", "--yes"]).finally(() => (watching = false));
    await watch;
    measured.rollingRestart = up.seconds;
    logSlowSteps("rolling restart", up.output);

    const uidsAfter = await uids();
    assert.deepEqual(Object.keys(uidsAfter).sort(), bookies);
    for (const b of bookies) assert.notEqual(uidsAfter[b], uidsBefore[b], `${b} was replaced`);
    assert.equal(mostAway, 1, `bookie pods away at once, at most: ${mostAway}`);
    for (const b of bookies) {
      const pod = await kubectlJson<any>(["-n", namespace, "get", "pod", b]);
      assert.equal(containerSettings(pod.spec.containers[0].env).gcWaitTime, "600000", `${b} runs the new setting`);
    }
    assert.ok(Object.keys(closedBefore).length >= 2, `${Object.keys(closedBefore).length} closed ledgers`);
    assert.deepEqual(await closedEnsembles(), closedBefore, "no closed ledger was copied elsewhere while its bookie restarted");
    assert.deepEqual(await allBookies.underReplicatedLedgers(), [], "under-replicated ledgers");
    assert.equal(await allBookies.lostBookieRecoveryDelay(), 0, "the recovery of lost bookies is immediate again, as the bookies' setting says");
  });

  it("heals a deleted bookie pod: the StatefulSet brings it back on its volume, with its identity, and no message is lost", async () => {
    const before = await kubectlJson(["-n", namespace, "get", "pod", "bk3-0"]);
    const started = Date.now();
    await kubectl(["-n", namespace, "delete", "pod", "bk3-0", "--wait=true"]);
    await kubectl(["-n", namespace, "wait", "--for=condition=Ready", "pod/bk3-0", "--timeout=300s"], 320_000);
    measured.bookiePodHealed = (Date.now() - started) / 1000;
    const after = await kubectlJson(["-n", namespace, "get", "pod", "bk3-0"]);
    assert.notEqual(after.metadata.uid, before.metadata.uid, "a new pod");
    const claim = (p: any) => p.spec.volumes.find((v: any) => v.name === "data").persistentVolumeClaim.claimName;
    assert.equal(claim(after), claim(before), "the same claim");

    for (const c of clusters) {
      const admin = new PulsarAdmin({ baseUrl: c.admin });
      assert.ok((await admin.listBookies()).includes("bk3:3183"), "bk3 is back under its id");
      assert.equal(await clientOf(c).consume(`persistent://${c.ns}/t1`, "after-pod-deleted", 300), 300, `${c.ns}: messages read back`);
    }
  });

  it("scales out: bk5 joins group-bookie2, both clusters file it, new ledgers use it", async () => {
    await editTopology((t) => t.bookies.push({ name: "bk5", bookiePort: 3185, httpPort: 30015, group: "group-bookie2", rack: "rack2", host: "bk5" }));
    const up = await cli.ok(["up", "--yes"]);
    measured.scaleOut = up.seconds;
    logSlowSteps("scale out", up.output);
    assert.match(up.output, /kubernetes:apps\/v1:StatefulSet\s+bk5\s+created/);
    assert.equal((await podsReady())["bk5-0"], true);
    for (const c of clusters) {
      const racks = await new PulsarAdmin({ baseUrl: c.admin }).racksInfo();
      assert.equal(racks["group-bookie2"]?.["bk5:3185"]?.rack, "rack2", `${c.admin} lists bk5 in group-bookie2`);
    }
    const c2 = clusters[1];
    const topic = `persistent://${c2.ns}/t2`;
    await clientOf(c2).produce(topic, 600);
    const ledgers = await ledgersOf(c2.admin, topic);
    const group = [...groups["group-bookie2"], "bk5:3185"];
    for (const ledger of ledgers) assert.ok(ledger.bookies.every((b) => group.includes(b)), `ledger ${ledger.id} on ${ledger.bookies}, outside group-bookie2`);
    assert.ok(ledgers.some((l) => l.bookies.includes("bk5:3185")), `no new ledger on bk5: ${JSON.stringify(ledgers)}`);
  });

  it("scales in safely: bk5 is decommissioned through its StatefulSet, its ledgers copied inside the group, its claim gone, nothing lost", async () => {
    await editTopology((t) => (t.bookies = t.bookies.filter((b: { name: string }) => b.name !== "bk5")));
    const up = await cli.ok(["up", "--yes"]);
    measured.scaleIn = up.seconds;
    logSlowSteps("scale in", up.output);
    assert.match(up.output, /BookieMembership\s+bk5-membership\s+deleted/);
    assert.match(up.output, /kubernetes:apps\/v1:StatefulSet\s+bk5\s+deleted/);

    const peers = new BookieAdmin({ baseUrl: "http://127.0.0.1:30013,http://127.0.0.1:30014" });
    assert.deepEqual(await peers.ledgersOn("bk5:3185"), [], "ledgers with a copy on bk5");
    assert.deepEqual(await peers.underReplicatedLedgers(), [], "under-replicated ledgers");
    const claims = await kubectlJson<{ items: any[] }>(["-n", namespace, "get", "pvc"]);
    assert.ok(!claims.items.some((c) => c.metadata.name === "data-bk5-0"), "bk5's claim is left");
    assert.ok(!Object.keys(await podsReady()).includes("bk5-0"), "bk5's pod is left");

    const c2 = clusters[1];
    for (const ledger of await ledgersOf(c2.admin, `persistent://${c2.ns}/t2`)) {
      assert.ok(ledger.bookies.every((b) => groups["group-bookie2"].includes(b)), `ledger ${ledger.id} on ${ledger.bookies}, outside group-bookie2`);
    }
    assert.equal(await clientOf(c2).consume(`persistent://${c2.ns}/t2`, "after-scale-in", 600), 600, "messages read back");
    assert.equal(await clientOf(c2).consume(`persistent://${c2.ns}/t1`, "after-scale-in", 300), 300, "messages read back");
  });

  it("pulumi destroy leaves no object of the stack: no namespace, pod, claim or volume", async () => {
    const volumesBefore = await kubectlJson<{ items: any[] }>(["get", "pv"]);
    const destroy = await cli.ok(["destroy", "--yes"]);
    destroyed = true;
    measured.destroy = destroy.seconds;
    const namespaces = await kubectlJson<{ items: any[] }>(["get", "namespaces"]);
    assert.ok(!namespaces.items.some((n) => n.metadata.name === namespace), `namespace ${namespace} is left`);
    const managed = await kubectl(["get", "all,pvc,configmaps,secrets", "-A", "-l", "app.kubernetes.io/managed-by=pulsar-isolation", "-o", "name"]);
    assert.equal(managed.trim(), "", "objects left");
    // Claims are gone with the namespace; their volumes with them (reclaim policy Delete).
    for (let i = 0; i < 60 && (await kubectlJson<{ items: any[] }>(["get", "pv"])).items.length > 0; i++) await new Promise((r) => setTimeout(r, 1000));
    const volumes = await kubectlJson<{ items: any[] }>(["get", "pv"]);
    assert.deepEqual(volumes.items.map((v) => v.metadata.name), [], `volumes left (there were ${volumesBefore.items.length})`);
    for (const v of volumesBefore.items) {
      await assert.rejects(fs.stat(v.spec.hostPath.path), `${v.spec.hostPath.path} is left on the node`);
    }
  });
});
