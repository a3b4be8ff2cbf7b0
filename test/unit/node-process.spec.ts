import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseTopology } from "../../config";
import { NodeSpec, bookieSpec, bootstrapEnv, brokerSpec, configurationStoreSpec } from "../../runtime";
import { isAlive, launchNode, nodeStatus, prepareNode, processEnv, startNode, stopNode } from "../../runtime/local";
import { waitFor } from "../../runtime/local/wait";
import { stackTopology } from "../support/stack-config";

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe("a local node's process and its pid file", function () {
  this.timeout(30_000);
  let root: string;
  let spec: NodeSpec;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "node-process-"));
    // A distribution whose bin/pulsar serves the readiness check, as a broker would.
    const home = path.join(root, "pulsar");
    fs.mkdirSync(path.join(home, "bin"), { recursive: true });
    fs.mkdirSync(path.join(home, "conf"));
    fs.writeFileSync(path.join(home, "conf", "fake.conf"), "port=0\n");
    fs.writeFileSync(
      path.join(home, "bin", "pulsar"),
      `#!/bin/sh\nexec node -e 'require("http").createServer((q, r) => r.end("ok")).listen(Number(process.env.FAKE_PORT), "127.0.0.1")'\n`,
      { mode: 0o755 },
    );
    const port = await freePort();
    spec = {
      name: "fake", role: "broker", host: "127.0.0.1", command: ["fake"], configFile: "conf/fake.conf", configFileEnv: "FAKE_CONF",
      settings: { port: String(port) }, env: { FAKE_PORT: String(port) }, ports: { web: port }, readiness: { port, path: "/" },
    };
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("is written by the launched node itself, with nothing written by the launcher after the spawn", async () => {
    const paths = { pulsarHome: path.join(root, "pulsar"), stateDir: path.join(root, "launched") };
    const pid = launchNode(spec, paths, await prepareNode(spec, paths));
    const file = path.join(paths.stateDir, "fake", "pid");
    await waitFor("the node's pid file", async () => fs.existsSync(file) && fs.readFileSync(file, "utf8").trim() !== "", { timeoutMs: 5_000, intervalMs: 20 });
    assert.equal(fs.readFileSync(file, "utf8").trim(), String(pid));
    await stopNode(spec, paths);
    assert.equal(isAlive(pid), false);
  });

  it("names the server the node became: startNode's pid, alive, found by nodeStatus", async () => {
    const paths = { pulsarHome: path.join(root, "pulsar"), stateDir: path.join(root, "state") };
    const pid = await startNode(spec, paths);
    assert.equal(fs.readFileSync(path.join(paths.stateDir, "fake", "pid"), "utf8").trim(), String(pid), "the pid file names the started process");
    assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"), /^node\0-e\0/, "the shell that wrote it became the server (exec)");
    assert.deepEqual(await nodeStatus(paths, "fake"), { running: true, pid });
    await stopNode(spec, paths);
    assert.equal(isAlive(pid), false);
  });

  it("tells a node that died from one that was stopped, and starts a killed one again on its ports", async () => {
    const paths = { pulsarHome: path.join(root, "pulsar"), stateDir: path.join(root, "killed") };
    const pid = await startNode(spec, paths);
    process.kill(pid, "SIGKILL");
    await waitFor("the node to die", async () => !isAlive(pid), { timeoutMs: 5_000, intervalMs: 20 });
    assert.deepEqual(await nodeStatus(paths, "fake"), { running: false, died: true });
    const again = await startNode(spec, paths);
    assert.notEqual(again, pid);
    await stopNode(spec, paths);
    assert.deepEqual(await nodeStatus(paths, "fake"), { running: false });
  });
});

describe("a local node's JVM options", () => {
  const topology = parseTopology(stackTopology("dev"));
  const paths = { pulsarHome: "/opt/pulsar", stateDir: "/tmp/state" };

  it("runs every local node with the quick compiler alone, after its role's collector; the shared spec keeps both compilers for other runtimes", () => {
    const specs = [configurationStoreSpec(topology), bookieSpec(topology, topology.bookies[0]), brokerSpec(topology, topology.clusters[0], topology.clusters[0].brokers[0])];
    const before = process.env.BOOKIE_GC;
    process.env.BOOKIE_GC = "-XX:+UseZGC";
    try {
      for (const spec of specs) {
        const env = processEnv(spec, paths, "/tmp/conf");
        assert.equal(env.PULSAR_GC, `${spec.env.PULSAR_GC} -XX:TieredStopAtLevel=1`, spec.name);
        assert.equal(env.BOOKIE_GC, env.PULSAR_GC, `${spec.name}: a BOOKIE_GC in the environment does not take the bookies' options away`);
        assert.doesNotMatch(spec.env.PULSAR_GC, /TieredStopAtLevel/, spec.name);
      }
    } finally {
      if (before === undefined) delete process.env.BOOKIE_GC;
      else process.env.BOOKIE_GC = before;
    }
  });

  it("runs bootstrap commands, short-lived in every runtime, with small heaps and the quick compiler", () => {
    for (const key of ["PULSAR_GC", "BOOKIE_GC"]) assert.match(bootstrapEnv[key], /-XX:TieredStopAtLevel=1/);
  });
});
