import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { AdminAccessProvider, TenantProvider } from "../../admin";
import { providerLoadedFrom } from "../../lib/loaded-provider";
import { BookieMembershipProvider } from "../../runtime/bookie-membership";
import { PROJECT_ROOT } from "../support/stack-config";

type Provider<I, O> = pulumi.dynamic.ResourceProvider<I, O>;

/** The module the engine's provider process loads the `__provider` text with (require-from-string, beside the SDK). */
const REQUIRE_FROM_STRING = require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] });

/** What the engine's provider process does with the `__provider` text in state: load it as a module and call `handler()`. */
function loadAsTheEngineDoes<I, O>(source: string): Provider<I, O> {
  const requireFromString = require(REQUIRE_FROM_STRING) as (code: string) => { handler: () => Provider<I, O> };
  return requireFromString(source).handler();
}

const asTheEngineRunsIt = <I, O>(file: string, Provider: new () => Provider<I, O>) => loadAsTheEngineDoes<I, O>(providerLoadedFrom(file, Provider).source);

const MEMBERSHIP_FILE = require.resolve("../../runtime/bookie-membership");
const ADMIN_ACCESS_FILE = require.resolve("../../admin/providers/admin-access");

/** A provider in a file of its own that says where it was loaded from. */
class EchoProvider {
  async check(_olds: unknown, news: unknown) {
    return { inputs: news };
  }
  async create() {
    return { id: "echo" };
  }
}
const ECHO_SOURCE = "exports.EchoProvider = class { async check(_o, news) { return { inputs: { ...news, loadedFrom: __dirname } }; } };";

/** Runs `work` with `dir` as the working folder, as the provider process runs in the program's folder. */
async function inFolder<T>(dir: string, work: () => Promise<T> | T): Promise<T> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await work();
  } finally {
    process.chdir(cwd);
  }
}

describe("dynamic providers as the engine runs them (loaded from the program in the provider process)", () => {
  let server: http.Server;
  let url: string;
  const folders: string[] = [];
  const folder = (prefix: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    folders.push(dir, `${dir}-moved`);
    return dir;
  };

  before(async () => {
    // A bookie's HTTP API answering that bk1 is writable.
    server = http.createServer((_req, res) => res.end(JSON.stringify({ "bk1:3181": null })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("a bookie membership loaded as the engine does reaches the bookie's HTTP API", async function () {
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
    assert.ok(source.length < 2_500, `${source.length} characters`);
    assert.doesNotMatch(source, /decommission/i);
    assert.deepEqual(Object.keys(loadAsTheEngineDoes(source)).sort(), ["configure", "create", "delete", "diff", "read", "update"]);
    class CreateOnly {
      async create() {
        return { id: "x" };
      }
    }
    assert.deepEqual(Object.keys(loadAsTheEngineDoes(providerLoadedFrom(path.join(tmpdir(), "create-only.js"), CreateOnly).source)), ["create"]);
  });

  it("each copy of the project runs its own providers, and one that moved still finds them: by their path relative to the program's folder", async () => {
    const original = folder("project-");
    const copy = folder("project-copy-");
    writeFileSync(path.join(original, "echo.js"), ECHO_SOURCE);
    cpSync(original, copy, { recursive: true });
    const { source } = await inFolder(original, () => providerLoadedFrom(path.join(original, "echo.js"), EchoProvider));
    const loadedFrom = async (dir: string) => {
      const checked = await inFolder(dir, () => loadAsTheEngineDoes<{ loadedFrom?: string }, object>(source).check!({}, {}));
      return checked.inputs?.loadedFrom;
    };

    assert.equal(await loadedFrom(copy), realpathSync(copy), "a copy sharing the state runs its own code");
    renameSync(original, `${original}-moved`);
    assert.equal(await loadedFrom(`${original}-moved`), realpathSync(`${original}-moved`));
  });

  it("says to compile the program when its compiled providers are missing, naming both places it looked", async () => {
    const provider = loadAsTheEngineDoes(providerLoadedFrom("/nowhere/bin/admin/providers/tenant.js", AdminAccessProvider).source);
    await assert.rejects(provider.check!({}, {}), /^Error: AdminAccessProvider is in neither \S+ nor \/nowhere\/bin\/admin\/providers\/tenant\.js: compile the program with `npm run build`$/);
  });

  it("refuses a provider that its file does not export by its name: at once when the file is loaded, else at the engine's first call", async () => {
    assert.throws(() => providerLoadedFrom(__filename, EchoProvider), /provider-serialization\.spec\.ts does not export the provider EchoProvider by that name/);
    const dir = folder("renamed-");
    writeFileSync(path.join(dir, "echo.js"), ECHO_SOURCE.replace("exports.EchoProvider", "exports.Renamed"));
    const provider = loadAsTheEngineDoes(providerLoadedFrom(path.join(dir, "echo.js"), EchoProvider).source);
    await assert.rejects(provider.check!({}, {}), /echo\.js does not export the provider EchoProvider$/);
  });

  it("a provider that could not be loaded when the engine configured it gets that configuration once it loads", async () => {
    class Configured {
      async configure() {}
      async check(_olds: unknown, news: unknown) {
        return { inputs: news };
      }
      async create() {
        return { id: "x" };
      }
    }
    const dir = folder("late-");
    const file = path.join(dir, "configured.js");
    const provider = loadAsTheEngineDoes<object, object>(providerLoadedFrom(file, Configured).source);
    await assert.rejects(provider.configure!({ config: { get: (key: string) => `value of ${key}`, require: () => "" } }), /compile the program/);
    writeFileSync(file, "exports.Configured = class { async configure(req) { this.token = req.config.get('adminToken'); } async check(_o, news) { return { inputs: { ...news, token: this.token } }; } };");
    assert.deepEqual((await provider.check!({}, {})).inputs, { token: "value of adminToken" });
  });

  it("a program run as TypeScript has its providers compiled in a provider process of plain node (ts-node, transpile only)", async function () {
    this.timeout(60_000);
    const { source } = providerLoadedFrom(require.resolve("../../admin/providers/tenant"), TenantProvider);
    const news = { tenant: "public", allowedClusters: ["c2", "c1"], adminRoles: [], adminUrl: "http://127.0.0.1:1" };
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        "node",
        [require.resolve("../support/plain-provider-process.js"), JSON.stringify(news)],
        { cwd: PROJECT_ROOT, env: { ...process.env, PROVIDER_SOURCE: source, REQUIRE_FROM_STRING, NODE_OPTIONS: "" } },
        (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
      ),
    );
    assert.deepEqual(JSON.parse(stdout).allowedClusters, ["c1", "c2"]);
  });
});
