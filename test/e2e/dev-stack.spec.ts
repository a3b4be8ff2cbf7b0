import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { PulsarAdmin, RacksInfo, ZooKeeperStore, ledgerBookies, withPlacement } from "../../admin";
import { groupPlan } from "../../components";
import { parseTopology } from "../../config";
import { topologyNodes } from "../../runtime";
import { isAlive } from "../../runtime/local";
import { E2E_ENV, ensureStack, pulumi, pulumiOk } from "../support/pulumi-cli";
import { adminWritesSeenBy, consume, produce } from "../support/pulsar-client";
import { localResourceCount, stackTopology } from "../support/stack-config";

const stack = "dev";
const topology = parseTopology(stackTopology(stack));
const stateDir = path.join(E2E_ENV.PULSAR_ISOLATION_STATE_DIR, stack);
const groups = groupPlan(topology);
const namespaces = [
  { ns: "public/c1-ns1", group: "group-bookie1", admin: "http://127.0.0.1:8080", service: "pulsar://127.0.0.1:6650" },
  { ns: "public/c2-ns1", group: "group-bookie2", admin: "http://127.0.0.1:8081", service: "pulsar://127.0.0.1:6651" },
];

const pidOf = async (node: string) => Number((await fs.readFile(path.join(stateDir, node, "pid"), "utf8")).trim());
const alive = isAlive;
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
const brokerWrites = async () =>
  (await adminWritesSeenBy(path.join(stateDir, "broker1"))) + (await adminWritesSeenBy(path.join(stateDir, "broker2")));

describe("pulumi up on the dev stack (local runtime, real CLI)", function () {
  const timings: Record<string, number> = {};
  let destroyed = false;

  before(async () => {
    await ensureStack(stack);
  });

  after(async () => {
    if (!destroyed) await pulumi(["destroy", "--stack", stack, "--yes"]);
    console.log(`      timings (s): ${JSON.stringify(timings)}`);
  });

  it("builds the whole topology from nothing", async () => {
    const up = await pulumiOk(["up", "--stack", stack, "--yes"]);
    timings.coldUp = up.seconds;
    assert.match(up.output, new RegExp(`\\+ ${localResourceCount(topology)} created`));
    const outputs = JSON.parse((await pulumiOk(["stack", "output", "--stack", stack, "--json"])).output);
    assert.deepEqual(outputs.adminUrls, { cluster1: "http://127.0.0.1:8080", cluster2: "http://127.0.0.1:8081" });
    assert.deepEqual(outputs.rackMap, groups);
  });

  it("passes the article's isolation check: every ledger's ensemble is inside the namespace's group", async () => {
    for (const { ns, group, admin, service } of namespaces) {
      const topic = `persistent://${ns}/t1`;
      await produce(service, topic, 300);
      const stats = await new PulsarAdmin({ baseUrl: admin }).internalStats(topic);
      const ledgers = stats.ledgers.filter((l) => l.entries > 0);
      assert.ok(ledgers.length >= 3, `${topic}: ${ledgers.length} ledgers`);
      for (const ledger of ledgers) {
        const bookies = ledgerBookies(ledger);
        assert.ok(bookies.length >= 2, `ledger ${ledger.ledgerId} has no ensemble`);
        assert.ok(bookies.every((b) => groups[group].includes(b)), `${topic}: ledger ${ledger.ledgerId} on ${bookies}, outside ${group}`);
      }
    }
  });

  it("a second pulumi up changes nothing, and pulumi preview makes no write", async () => {
    const writesBefore = await brokerWrites();
    const again = await pulumiOk(["up", "--stack", stack, "--yes", "--expect-no-changes"]);
    timings.noChangeUp = again.seconds;
    assert.match(again.output, new RegExp(`${localResourceCount(topology)} unchanged`));
    const preview = await pulumiOk(["preview", "--stack", stack, "--expect-no-changes"]);
    timings.preview = preview.seconds;
    assert.equal(await brokerWrites(), writesBefore, "admin writes seen by the brokers");
  });

  it("sees a killed bookie on refresh and brings it back on up, with every message still readable", async () => {
    const pid = await pidOf("bk3");
    process.kill(pid, "SIGKILL");
    while (alive(pid)) await new Promise((r) => setTimeout(r, 100));

    const refresh = await pulumiOk(["refresh", "--stack", stack, "--yes"]);
    assert.match(refresh.output, /~\s+pulumi-nodejs:dynamic\/pulsar-isolation:LocalNode bk3 updated/);
    assert.match(refresh.output, /1 updated/);

    const up = await pulumiOk(["up", "--stack", stack, "--yes"]);
    assert.match(up.output, /~\s+pulumi-nodejs:dynamic\/pulsar-isolation:LocalNode bk3 updated/);
    assert.ok(alive(await pidOf("bk3")), "bk3 runs again");
    assert.notEqual(await pidOf("bk3"), pid);

    for (const { ns, service } of namespaces) {
      assert.equal(await consume(service, `persistent://${ns}/t1`, "after-restart", 300), 300, `${ns}: messages read back`);
    }
  });

  it("sees the bookies' copy of the rack map changed in the configuration store on refresh, and repairs it on up", async () => {
    const store = new ZooKeeperStore({ connect: "127.0.0.1:2181" });
    const bk3 = "127.0.0.1:3183";
    await store.updateJson<RacksInfo>("/bookies", (map) => withPlacement(map ?? {}, bk3, null));
    const refresh = await pulumiOk(["refresh", "--stack", stack, "--yes"]);
    assert.match(refresh.output, /~\s+pulumi-nodejs:dynamic\/pulsar-isolation:BookieRack bk3-rack updated/);
    const up = await pulumiOk(["up", "--stack", stack, "--yes"]);
    assert.match(up.output, /~\s+pulumi-nodejs:dynamic\/pulsar-isolation:BookieRack bk3-rack updated/);
    assert.deepEqual((await store.readJson<RacksInfo>("/bookies"))!.value["group-bookie2"][bk3], { rack: "rack2", hostname: "127.0.0.1" });
  });

  it("pulumi destroy leaves no process and no listening port of the stack", async () => {
    const pids = await Promise.all(topologyNodes(topology).map((n) => pidOf(n.name)));
    const destroy = await pulumiOk(["destroy", "--stack", stack, "--yes"]);
    destroyed = true;
    timings.destroy = destroy.seconds;
    assert.deepEqual(pids.filter(alive), [], "processes left");
    const ports = topologyNodes(topology).flatMap((n) => Object.values(n.ports));
    const open = (await Promise.all(ports.map(async (p) => ((await listening(p)) ? p : undefined)))).filter((p) => p !== undefined);
    assert.deepEqual(open, [], "ports still listening");
  });
});
