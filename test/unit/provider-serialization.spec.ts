import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { BookieMembershipProvider } from "../../runtime/bookie-membership";
import { AdminAccessProvider } from "../../admin";

/** What the engine's dynamic-provider process does with a provider: serialize its closure, then load and call it. */
async function asTheEngineRunsIt<T>(provider: T): Promise<T> {
  const { text, exportName } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  const module = { exports: {} as Record<string, () => T> };
  new Function("module", "exports", "require", text)(module, module.exports, require);
  return module.exports[exportName]();
}

describe("dynamic providers as the engine runs them (closure serialization)", () => {
  let server: http.Server;
  let url: string;

  before(async () => {
    // A bookie's HTTP API answering that bk1 is writable.
    server = http.createServer((_req, res) => res.end(JSON.stringify({ "bk1:3181": null })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("a bookie membership serialized and loaded again reaches the bookie's HTTP API (the HTTP client's shared state survives)", async function () {
    this.timeout(20_000);
    const provider = await asTheEngineRunsIt(new BookieMembershipProvider());
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

  it("an admin access check serialized and loaded again tells an untrusted certificate from a cluster that does not answer", async function () {
    this.timeout(20_000);
    const provider = await asTheEngineRunsIt(new AdminAccessProvider());
    await provider.configure({ config: { get: () => undefined, require: () => "" } });
    // Nothing listens on port 1: the check passes (a first preview, before the brokers exist), and create says why it cannot.
    const inputs = { cluster: "cluster1", adminUrl: "https://127.0.0.1:1" };
    assert.deepEqual((await provider.check(inputs, inputs)).failures, []);
    await assert.rejects(provider.create(inputs), /^AdminApiError: cluster cluster1: GET https:\/\/127\.0\.0\.1:1\/\S+ got no answer: .*Check that the cluster's brokers run/);
  });
});
