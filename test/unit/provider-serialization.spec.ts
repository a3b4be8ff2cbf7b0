import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { BookieMembershipProvider } from "../../runtime/bookie-membership";
import { AdminAccessProvider } from "../../admin";
import { providerLoadedFrom } from "../../lib/loaded-provider";

type Provider<I, O> = pulumi.dynamic.ResourceProvider<I, O>;

/** What the engine's provider process does with the `__provider` text in state: load it as a module and call `handler()`. */
function loadAsTheEngineDoes<I, O>(source: string): Provider<I, O> {
  const module = { exports: {} as { handler: () => Provider<I, O> } };
  new Function("module", "exports", "require", source)(module, module.exports, require);
  return module.exports.handler();
}

const asTheEngineRunsIt = <I, O>(file: string, Provider: new () => Provider<I, O>) => loadAsTheEngineDoes<I, O>(providerLoadedFrom(file, Provider).source);

const MEMBERSHIP_FILE = require.resolve("../../runtime/bookie-membership");
const ADMIN_ACCESS_FILE = require.resolve("../../admin/providers/admin-access");

describe("dynamic providers as the engine runs them (loaded from the program in the provider process)", () => {
  let server: http.Server;
  let url: string;

  before(async () => {
    // A bookie's HTTP API answering that bk1 is writable.
    server = http.createServer((_req, res) => res.end(JSON.stringify({ "bk1:3181": null })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("a bookie membership loaded as the engine does reaches the bookie's HTTP API (the HTTP client's shared state survives)", async function () {
    this.timeout(20_000);
    const provider = asTheEngineRunsIt(MEMBERSHIP_FILE, BookieMembershipProvider);
    const inputs = {
      name: "bk1",
      bookie: "bk1:3181",
      httpUrl: url,
      peerUrls: [],
      metadataStore: "127.0.0.1:2181",
      control: { kind: "kubernetes" as const, namespace: "ns", statefulSet: "bk1", claims: [], kubeconfigKey: "kubeconfig" },
    };
    const created = await provider.create(inputs);
    assert.equal(created.id, "bk1:3181");
  });

  it("an admin access check loaded as the engine does tells an untrusted certificate from a cluster that does not answer", async function () {
    this.timeout(20_000);
    const provider = asTheEngineRunsIt(ADMIN_ACCESS_FILE, AdminAccessProvider);
    await provider.configure!({ config: { get: () => undefined, require: () => "" } });
    // Nothing listens on port 1: the check passes (a first preview, before the brokers exist), and create says why it cannot.
    const inputs = { cluster: "cluster1", adminUrl: "https://127.0.0.1:1" };
    assert.deepEqual((await provider.check!(inputs, inputs)).failures, []);
    await assert.rejects(provider.create(inputs), /^AdminApiError: cluster cluster1: GET https:\/\/127\.0\.0\.1:1\/\S+ got no answer: .*Check that the cluster's brokers run/);
  });

  it("state carries a few lines that load the provider, not a copy of its code, and only the methods the provider has", () => {
    const { source } = providerLoadedFrom(MEMBERSHIP_FILE, BookieMembershipProvider);
    assert.ok(source.length < 2_000, `${source.length} characters`);
    assert.doesNotMatch(source, /decommission/i);
    const own = ["check", "configure", "create", "delete", "diff", "read", "update"].filter(
      (m) => typeof (BookieMembershipProvider.prototype as unknown as Record<string, unknown>)[m] === "function",
    );
    assert.deepEqual(Object.keys(loadAsTheEngineDoes(source)).sort(), own);
    class CreateOnly {
      async create() {
        return { id: "x" };
      }
    }
    assert.deepEqual(Object.keys(loadAsTheEngineDoes(providerLoadedFrom(__filename, CreateOnly).source)), ["create"]);
  });

  it("a project that moved still loads its providers: from their path relative to the program's folder", async () => {
    class EchoProvider {
      async check(_olds: unknown, news: unknown) {
        return { inputs: news };
      }
      async create() {
        return { id: "echo" };
      }
    }
    const before = mkdtempSync(path.join(tmpdir(), "project-"));
    const after = `${before}-moved`;
    const cwd = process.cwd();
    try {
      writeFileSync(path.join(before, "echo.js"), "exports.EchoProvider = class { async check(_o, news) { return { inputs: { ...news, loadedFrom: __dirname } }; } };");
      process.chdir(before);
      const { source } = providerLoadedFrom(path.join(before, "echo.js"), EchoProvider);
      renameSync(before, after);
      process.chdir(after);
      const checked = await loadAsTheEngineDoes<object, object>(source).check!({}, { x: 1 });
      assert.deepEqual(checked.inputs, { x: 1, loadedFrom: realpathSync(after) });
    } finally {
      process.chdir(cwd);
      rmSync(before, { recursive: true, force: true });
      rmSync(after, { recursive: true, force: true });
    }
  });

  it("says to compile the program when its compiled providers are missing, naming both places it looked", async () => {
    const provider = loadAsTheEngineDoes(providerLoadedFrom("/nowhere/bin/admin/providers/tenant.js", AdminAccessProvider).source);
    await assert.rejects(provider.check!({}, {}), /^Error: AdminAccessProvider is in neither \/nowhere\/bin\/admin\/providers\/tenant\.js nor \S+: compile the program with `npm run build`$/);
  });
});
