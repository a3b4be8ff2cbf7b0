import * as assert from "node:assert/strict";
import { assertLedgersInGroup } from "../support/ledger-ensembles";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PulsarAdmin, RacksInfo, ZooKeeperStore, withPlacement } from "../../admin";
import { groupPlan } from "../../components";
import { parseTopology } from "../../config";
import { topologyNodes } from "../../runtime";
import { isAlive } from "../../runtime/local";
import { waitFor } from "../../runtime/local/wait";
import { commandLine, descendantsOf, isWildcard, listeningSockets, sessionOf } from "../support/processes";
import { E2E_ENV, healStack, pulumi, pulumiOk, startPulumi } from "../support/pulumi-cli";
import { adminWritesSeenBy, consume, produce } from "../support/pulsar-client";
import { localResourceCount, stackTopology } from "../support/stack-config";
import { SHARED_STACK, sharedDevStack } from "./shared-dev-stack";

/** A copy of the dev stack, which the day-2 suite goes on with after these tests, and destroys. */
const stack = SHARED_STACK;
const topology = parseTopology(stackTopology("dev"));
const stateDir = path.join(E2E_ENV.PULSAR_ISOLATION_STATE_DIR, stack);
const groups = groupPlan(topology);
const namespaces = [
  { ns: "public/c1-ns1", group: "group-bookie1", admin: "http://127.0.0.1:8080", service: "pulsar://127.0.0.1:6650" },
  { ns: "public/c2-ns1", group: "group-bookie2", admin: "http://127.0.0.1:8081", service: "pulsar://127.0.0.1:6651" },
];

const pidOf = async (node: string) => Number((await fs.readFile(path.join(stateDir, node, "pid"), "utf8")).trim());
const alive = isAlive;
const brokerWrites = async () =>
  (await adminWritesSeenBy(path.join(stateDir, "broker1"))) + (await adminWritesSeenBy(path.join(stateDir, "broker2")));

describe("pulumi up on the dev stack (local runtime, real CLI)", function () {
  const timings: Record<string, number> = {};

  after(() => console.log(`      timings (s): ${JSON.stringify(timings)}`));

  it("builds the whole topology from nothing", async () => {
    const up = await sharedDevStack();
    timings.coldUp = up.seconds;
    assert.match(up.output, new RegExp(`\\+ ${localResourceCount(topology)} created`));
    const outputs = JSON.parse((await pulumiOk(["stack", "output", "--stack", stack, "--json"])).output);
    assert.deepEqual(outputs.adminUrls, { cluster1: "http://127.0.0.1:8080", cluster2: "http://127.0.0.1:8081" });
    assert.deepEqual(outputs.rackMap, groups);
    // Each bookie's placement policy reads the map when it starts (admin/providers/rack-map-seed.ts).
    const mapCreated = (await new ZooKeeperStore({ connect: "127.0.0.1:2181" }).createdAt("/bookies"))!;
    for (const b of topology.bookies) {
      const launched = (await fs.stat(path.join(stateDir, b.name, "pid"))).mtimeMs;
      assert.ok(mapCreated < launched, `the bookies' rack map was written ${mapCreated - launched} ms after ${b.name} started`);
    }
  });

  it("passes the article's isolation check: every ledger's ensemble is inside the namespace's group", async () => {
    for (const { ns, group, admin, service } of namespaces) {
      const topic = `persistent://${ns}/t1`;
      await produce(service, topic, 300);
      await assertLedgersInGroup(new PulsarAdmin({ baseUrl: admin }), topic, { name: group, bookies: groups[group] });
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

  it("binds every listening socket of the stack to the declared host, none to every interface", async () => {
    const pids = await Promise.all(topologyNodes(topology).map((n) => pidOf(n.name)));
    const sockets = listeningSockets(pids);
    const declared = topologyNodes(topology).flatMap((n) => Object.values(n.ports));
    assert.ok(declared.every((port) => sockets.some((s) => s.local === `127.0.0.1:${port}`)), `not every declared port listens: ${JSON.stringify(sockets)}`);
    assert.deepEqual(sockets.filter((s) => isWildcard(s.local)), [], "sockets on every interface");
  });

  it("with a broker down, refresh exits 0 warning about the cluster it cannot read, and the next up restarts the broker", async () => {
    const pid = await pidOf("broker1");
    process.kill(pid, "SIGKILL");
    await waitFor("broker1 to die", async () => !alive(pid), { timeoutMs: 10_000, intervalMs: 100 });
    const refresh = await pulumi(["refresh", "--stack", stack, "--yes"]);
    assert.equal(refresh.code, 0, refresh.output);
    assert.match(refresh.output, /~\s+pulumi-nodejs:dynamic\/pulsar-isolation:LocalNode broker1 updated/);
    assert.match(refresh.output, /warning: .*at http:\/\/127\.0\.0\.1:8080 could not be read, so its last known state is kept/);
    await pulumiOk(["up", "--stack", stack, "--yes"]);
    assert.ok(alive(await pidOf("broker1")), "broker1 runs again");
  });

  it("heals any node that dies with one command, npm run heal, keeping racks, groups, namespaces and messages", async () => {
    const admins = namespaces.map((n) => new PulsarAdmin({ baseUrl: n.admin }));
    for (const node of ["broker2", "bk3", "cluster2-zookeeper", "configuration-store"]) {
      const pid = await pidOf(node);
      process.kill(pid, "SIGKILL");
      await waitFor(`${node} to die`, async () => !alive(pid), { timeoutMs: 10_000, intervalMs: 100 });
      const heal = await healStack(stack);
      timings[`heal ${node}`] = heal.seconds;
      assert.ok(alive(await pidOf(node)) && (await pidOf(node)) !== pid, `${node} runs again`);
      for (const admin of admins) {
        const racks = await admin.racksInfo();
        assert.deepEqual(Object.fromEntries(Object.entries(racks).map(([g, bs]) => [g, Object.keys(bs).sort()])), groups, `racks of ${admin.url} after ${node}`);
      }
      for (const [i, { ns, group }] of namespaces.entries()) {
        assert.deepEqual(await admins[i].getBookieAffinityGroup(ns), { bookkeeperAffinityGroupPrimary: group }, `${ns} after ${node}`);
      }
    }
    for (const { ns, service } of namespaces) {
      assert.equal(await consume(service, `persistent://${ns}/t1`, "after-chaos", 300), 300, `${ns}: messages read back`);
    }
  });

  it("leaves no process of a killed pulumi run behind, and pulumi cancel then up converges", async () => {
    const bk4 = await pidOf("bk4");
    process.kill(bk4, "SIGKILL");
    const run = startPulumi(["up", "--refresh", "--stack", stack, "--yes"]);
    // Kill it mid-run, once the engine is restarting the dead bookie.
    await waitFor("pulumi up to be restarting bk4", async () => /LocalNode bk4 updating/.test(run.output()), { timeoutMs: 180_000, intervalMs: 200 });
    const cli = run.child.pid!;
    // The run's own processes; a node it started (bk4's JVM, detached in a session of its own) is meant to live on.
    const tree = descendantsOf(cli).filter((p) => sessionOf(p) === sessionOf(cli));
    assert.ok(tree.some((p) => /pulumi-language-nodejs/.test(commandLine(p) ?? "")), `the run's processes: ${tree.map(commandLine).join("; ")}`);
    process.kill(cli, "SIGKILL");
    await run.exited;
    const killedAt = Date.now();
    await waitFor("every process of the killed run to end", async () => tree.every((p) => commandLine(p) === undefined), { timeoutMs: 10_000, intervalMs: 200 });
    timings.leftoverSeconds = (Date.now() - killedAt) / 1000;

    await pulumi(["cancel", "--stack", stack, "--yes"]);
    await pulumiOk(["up", "--refresh", "--stack", stack, "--yes"]);
    assert.ok(alive(await pidOf("bk4")), "bk4 runs");
    const again = await pulumiOk(["up", "--stack", stack, "--yes", "--expect-no-changes"]);
    assert.match(again.output, new RegExp(`${localResourceCount(topology)} unchanged`));
  });
});
