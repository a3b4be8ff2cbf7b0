import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { PulsarAdmin } from "../../admin";
import { groupPlan } from "../../components";
import { parseTopology } from "../../config";
import { securityDir, securityFiles, topologyNodes } from "../../runtime";
import { isAlive } from "../../runtime/local";
import { mintToken } from "../../runtime/local/security";
import { assertLedgersInGroup } from "../support/ledger-ensembles";
import { openPorts } from "../support/processes";
import { E2E_ENV, PulumiResult, ensureStack, pulumi, pulumiOk } from "../support/pulumi-cli";
import { adminWritesSeenBy, produce, securedClient } from "../support/pulsar-client";
import { PROJECT_ROOT, localResourceCount, stackTopology, writeStackTopology } from "../support/stack-config";
import { TEST_STATE_ROOT } from "../support/real-topology";
import { toolchainEnv } from "../support/toolchain";

const run = promisify(execFile);

/**
 * The secure stack (Pulumi.secure.yaml: the article's topology, token authentication and TLS) as
 * its own test stack, from nothing: `secure:init`, the real `pulumi up`, the isolation check through
 * `pulsar+ssl://` and `https://` with the token, the clear failures without the token and with a CA
 * that does not match (and no write either way), no token in plain text, and `destroy`.
 */
const stack = "e2e-secure";
const stackFile = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
const topology = parseTopology(stackTopology("secure"));
const stateDir = path.join(E2E_ENV.PULSAR_ISOLATION_STATE_DIR, stack);
const files = securityFiles(securityDir(stateDir));
const groups = groupPlan(topology);
const work = path.join(TEST_STATE_ROOT, "secure-work");
const namespaces = [
  { ns: "public/c1-ns1", group: "group-bookie1", admin: "https://127.0.0.1:28443", service: "pulsar+ssl://127.0.0.1:26750" },
  { ns: "public/c2-ns1", group: "group-bookie2", admin: "https://127.0.0.1:28444", service: "pulsar+ssl://127.0.0.1:26751" },
];

const brokerWrites = async () => (await adminWritesSeenBy(path.join(stateDir, "broker1"))) + (await adminWritesSeenBy(path.join(stateDir, "broker2")));
const pidOf = async (node: string) => Number((await fs.readFile(path.join(stateDir, node, "pid"), "utf8")).trim());

/** Every file under a folder, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : Promise.resolve([path.join(dir, e.name)]))));
  return nested.flat();
}

describe("the secure stack: token authentication and TLS (local runtime, real CLI)", function () {
  const timings: Record<string, number> = {};
  const outputs: string[] = [];
  let token = "";
  let tokenFile = "";
  let destroyed = false;
  const record = (result: PulumiResult) => (outputs.push(result.output), result);

  before(async () => {
    await fs.rm(work, { recursive: true, force: true });
    await fs.mkdir(work, { recursive: true, mode: 0o700 });
    // The test stack is a copy of Pulumi.secure.yaml, so that its config (adminToken, adminCaFile) stays out of the repository.
    await fs.copyFile(path.join(PROJECT_ROOT, "Pulumi.secure.yaml"), stackFile);
    await ensureStack(stack);
    const started = Date.now();
    const init = await run("node", ["-r", "ts-node/register/transpile-only", "ops/secure-init-command.ts", stack], { cwd: PROJECT_ROOT, env: toolchainEnv(E2E_ENV) });
    timings.secureInit = (Date.now() - started) / 1000;
    outputs.push(`${init.stdout}${init.stderr}`);
    assert.match(init.stdout, /adminToken set as a secret \(role admin\)/);
    token = await mintToken(files.dir, "admin");
    tokenFile = path.join(work, "admin.token");
    await fs.writeFile(tokenFile, token, { mode: 0o600 });
  });

  after(async () => {
    if (!destroyed) await pulumi(["destroy", "--stack", stack, "--yes"]);
    console.log(`      timings (s): ${JSON.stringify(timings)}`);
  });

  it("comes up from nothing with pulumi up: https admin URLs, pulsar+ssl service URLs", async () => {
    const up = record(await pulumiOk(["up", "--stack", stack, "--yes"]));
    timings.coldUp = up.seconds;
    // The dev topology's resources and one admin access check per cluster.
    assert.match(up.output, new RegExp(`\\+ ${localResourceCount(topology) + topology.clusters.length} created`));
    const out = JSON.parse((await pulumiOk(["stack", "output", "--stack", stack, "--json"])).output);
    assert.deepEqual(out.adminUrls, { cluster1: "https://127.0.0.1:28443", cluster2: "https://127.0.0.1:28444" });
    assert.deepEqual(out.serviceUrls, { cluster1: "pulsar+ssl://127.0.0.1:26750", cluster2: "pulsar+ssl://127.0.0.1:26751" });
    // The brokers refuse an admin call without a token, on the TLS port and on the plain one.
    for (const url of ["https://127.0.0.1:28443", "http://127.0.0.1:28080"]) {
      await assert.rejects(new PulsarAdmin({ baseUrl: url, ca: await fs.readFile(files.caCert, "utf8"), attempts: 1 }).racksInfo(), /answered 401/, url);
    }
  });

  it("passes the article's isolation check through pulsar+ssl:// and https:// with the token", async () => {
    const ca = await fs.readFile(files.caCert, "utf8");
    for (const { ns, group, admin, service } of namespaces) {
      const topic = `persistent://${ns}/t1`;
      await produce(service, topic, 300, "hello", securedClient(tokenFile, files.caCert));
      await assertLedgersInGroup(new PulsarAdmin({ baseUrl: admin, token, ca }), topic, { name: group, bookies: groups[group] });
    }
  });

  it("the ledger report reads the secured clusters with the stack's token and CA: every ledger inside, and no secret in its output", async () => {
    const report = await run("node", ["-r", "ts-node/register/transpile-only", "ops/ledgers-command.ts", stack], { cwd: PROJECT_ROOT, env: toolchainEnv(E2E_ENV) });
    console.log(report.stdout.replace(/^/gm, "      "));
    assert.match(report.stdout, /^public\/c1-ns1 \(cluster1\) may use group-bookie1: /m);
    assert.match(report.stdout, /^public\/c2-ns1 \(cluster2\) may use group-bookie2: /m);
    assert.match(report.stdout, /^outside where they may be: 0$/m);
    assert.ok(!`${report.stdout}${report.stderr}`.includes(token), "the token is printed");
  });

  it("a second pulumi up changes nothing", async () => {
    const again = record(await pulumiOk(["up", "--stack", stack, "--yes", "--expect-no-changes"]));
    timings.noChangeUp = again.seconds;
  });

  it("without the token, preview and up fail with the 401 message naming the cluster and the URL, and no write reaches the brokers", async () => {
    await pulumiOk(["config", "rm", "adminToken", "--stack", stack]);
    const writesBefore = await brokerWrites();
    const unauthorized = /cluster (cluster1|cluster2): GET https:\/\/127\.0\.0\.1:2844[34]\/admin\/v2\/bookies\/racks-info answered 401: .*The broker demands an admin token and none is set: set a token of a super-user role with `pulumi config set --secret adminToken <token>`/;
    const preview = record(await pulumi(["preview", "--stack", stack]));
    timings.previewWithoutToken = preview.seconds;
    assert.notEqual(preview.code, 0, preview.output);
    assert.match(preview.output, unauthorized);
    const up = record(await pulumi(["up", "--stack", stack, "--yes"]));
    assert.notEqual(up.code, 0, up.output);
    assert.match(up.output, unauthorized);
    assert.equal(await brokerWrites(), writesBefore, "admin writes seen by the brokers");
    await run("bash", ["-c", `pulumi config set --secret adminToken --stack ${stack} < "${tokenFile}"`], { cwd: PROJECT_ROOT, env: toolchainEnv(E2E_ENV) });
  });

  it("with a CA that does not match, preview fails with the TLS message naming the cluster and the URL, and no write", async () => {
    const otherCa = path.join(work, "other-ca.cert.pem");
    await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(work, "other-ca.key.pem"), "-out", otherCa, "-days", "2", "-subj", "/CN=another CA"]);
    await pulumiOk(["config", "set", "adminCaFile", otherCa, "--stack", stack]);
    const writesBefore = await brokerWrites();
    const preview = record(await pulumi(["preview", "--stack", stack]));
    timings.previewWithOtherCa = preview.seconds;
    assert.notEqual(preview.code, 0, preview.output);
    assert.match(preview.output, /cluster (cluster1|cluster2): GET https:\/\/127\.0\.0\.1:2844[34]\/admin\/v2\/bookies\/racks-info failed the TLS handshake: .*The broker's TLS certificate is not signed by a CA the providers trust: point adminCaFile at the CA certificate/);
    assert.equal(await brokerWrites(), writesBefore, "admin writes seen by the brokers");
    await pulumiOk(["config", "set", "adminCaFile", files.caCert, "--stack", stack]);
    const restored = record(await pulumiOk(["preview", "--stack", stack, "--expect-no-changes"]));
    timings.previewRestored = restored.seconds;
  });

  // A second stack, runtime: external, over these secured clusters (its tests run in order, before the secure stack's destroy).
  const external = "e2e-secure-external";
  const externalFile = path.join(PROJECT_ROOT, `Pulumi.${external}.yaml`);
  let externalUp = false;
  const externalCli = async (...args: string[]) => {
    const result = record(await pulumi([...args, "--stack", external]));
    assert.equal(result.code, 0, result.output.slice(-6000));
    return result;
  };
  const adminOf = async (url: string) => new PulsarAdmin({ baseUrl: url, token, ca: await fs.readFile(files.caCert, "utf8") });

  after(async () => {
    if (externalUp) await pulumi(["destroy", "--stack", external, "--yes"]);
    await pulumi(["stack", "rm", external, "--yes", "--force"]);
    await fs.rm(externalFile, { force: true });
  });

  it("an external stack over these clusters adopts everything as it is, over https with the token: its first up creates only what is missing, here nothing, and writes nothing", async () => {
    // The secure stack's isolation, declared as an operator adopting running clusters would.
    const declared = {
      runtime: "external",
      configurationStore: { connect: `127.0.0.1:${topology.configurationStore.clientPort}` },
      bookies: topology.bookies.map((b) => ({ name: b.name, id: `127.0.0.1:${b.bookiePort}`, group: b.group, rack: b.rack })),
      clusters: topology.clusters.map((c, i) => {
        const { ensembleSize, writeQuorum, ackQuorum } = c.managedLedger;
        return { name: c.name, adminUrl: namespaces[i].admin, managedLedger: { ensembleSize, writeQuorum, ackQuorum } };
      }),
      namespaces: stackTopology("secure").namespaces,
    };
    await writeStackTopology(externalFile, declared);
    await ensureStack(external);
    await run("bash", ["-c", `pulumi config set --secret adminToken --stack ${external} < "${tokenFile}"`], { cwd: PROJECT_ROOT, env: toolchainEnv(E2E_ENV) });
    await pulumiOk(["config", "set", "adminCaFile", files.caCert, "--stack", external]);

    const writesBefore = await brokerWrites();
    externalUp = true;
    const up = await externalCli("up", "--yes");
    timings.externalFirstUp = up.seconds;
    assert.match(up.output, /public\/c1-ns1 already exists on cluster1 \(30 bundles; retention 1024 MB \/ 4320 min\); it will be adopted as it is/);
    assert.equal(await brokerWrites(), writesBefore, "admin writes seen by the brokers");
    const again = await externalCli("up", "--yes", "--expect-no-changes");
    timings.externalNoChangeUp = again.seconds;
    assert.equal(await brokerWrites(), writesBefore, "admin writes seen by the brokers");
  });

  it("the external stack sees drift made with the admin API on refresh, and its up repairs it", async () => {
    const admin = await adminOf(namespaces[1].admin);
    await admin.deleteBookieAffinityGroup("public/c2-ns1");
    const refresh = await externalCli("refresh", "--yes");
    assert.match(refresh.output, /~\s+pulumi-nodejs:dynamic\/pulsar-isolation:AffinityGroup public\/c2-ns1-affinity updated/);
    assert.match(refresh.output, /1 updated/);
    await externalCli("up", "--yes");
    assert.equal((await admin.getBookieAffinityGroup("public/c2-ns1"))?.bookkeeperAffinityGroupPrimary, "group-bookie2");
  });

  it("the external stack's destroy leaves every node running and every namespace, group and rack entry in place: the secure stack's refresh then finds nothing changed", async () => {
    const pids = await Promise.all(topologyNodes(topology, stateDir).map((n) => pidOf(n.name)));
    const destroy = await externalCli("destroy", "--yes");
    externalUp = false;
    timings.externalDestroy = destroy.seconds;
    assert.deepEqual(pids.filter((p) => !isAlive(p)), [], "nodes stopped by the external stack's destroy");
    for (const { ns, admin } of namespaces) assert.ok(await (await adminOf(admin)).getNamespace(ns), `${ns} is still there`);
    // What the secure stack reads back is what it left: nothing of it was removed.
    record(await pulumiOk(["refresh", "--stack", stack, "--yes", "--expect-no-changes"]));
  });

  it("the token, the token key and the CA key appear nowhere in plain text: state, outputs, node logs", async () => {
    const caKey = (await fs.readFile(files.caKey, "utf8")).split("\n").find((l) => l.length > 40)!;
    const tokenKey = (await fs.readFile(files.tokenKey)).toString("base64");
    const secrets = { token, "token key": tokenKey, "CA key": caKey };
    const state = await filesUnder(path.join(TEST_STATE_ROOT, "pulumi-state"));
    // The nodes' logs and configuration files and the bootstrap commands' output; not their data, nor the security folder itself.
    const logs = (await filesUnder(stateDir)).filter((f) => !f.startsWith(files.dir) && /\/(logs|conf|bootstrap)\//.test(f));
    assert.ok(state.length > 0 && logs.length > 0);
    for (const file of [...state, ...logs, stackFile]) {
      const text = await fs.readFile(file, "utf8").catch(() => "");
      for (const [what, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret), `the ${what} is in ${file}`);
    }
    for (const [what, secret] of Object.entries(secrets)) assert.ok(!outputs.join("\n").includes(secret), `the ${what} is in the CLI's output`);
  });

  it("pulumi destroy leaves no process and no port", async () => {
    const pids = await Promise.all(topologyNodes(topology, stateDir).map((n) => pidOf(n.name)));
    const destroy = record(await pulumiOk(["destroy", "--stack", stack, "--yes"]));
    timings.destroy = destroy.seconds;
    destroyed = true;
    assert.deepEqual(pids.filter(isAlive), [], "node processes still running");
    const ports = topologyNodes(topology, stateDir).flatMap((n) => Object.values(n.ports));
    assert.ok(ports.includes(28443) && ports.includes(26751));
    assert.deepEqual(await openPorts(ports), [], "ports still open");
  });
});
