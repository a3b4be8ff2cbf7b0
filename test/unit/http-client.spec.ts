import * as assert from "node:assert/strict";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { HttpClient, MAX_REQUESTS_PER_SERVER } from "../../admin/http";

/** A local HTTP server that answers with `handler`, counting requests and the most at once. */
async function server(handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) {
  let requests = 0;
  let open = 0;
  let mostAtOnce = 0;
  const s = http.createServer((req, res) => {
    requests++;
    open++;
    mostAtOnce = Math.max(mostAtOnce, open);
    res.on("close", () => open--);
    handler(req, res, requests);
  });
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const close = () => new Promise((r) => { s.closeAllConnections(); s.close(r); });
  return { url, requests: () => requests, mostAtOnce: () => mostAtOnce, close };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

describe("the admin HTTP client", () => {
  it("retries 5xx answers with backoff and returns the answer that comes", async () => {
    const s = await server((_req, res, n) => (n < 3 ? json(res, 503, { reason: "starting" }) : json(res, 200, { ok: true })));
    try {
      assert.deepEqual(await new HttpClient({ baseUrl: s.url, backoffMs: 10 }).request("GET", "/x"), { ok: true });
      assert.equal(s.requests(), 3);
    } finally {
      await s.close();
    }
  });

  it("does not retry a 4xx, and its error names method, URL, status and the server's reason, never the token", async () => {
    const s = await server((_req, res) => json(res, 412, { reason: "Namespace does not have any bundle" }));
    try {
      const client = new HttpClient({ baseUrl: s.url, token: "s3cret-token", backoffMs: 10 });
      await assert.rejects(client.request("POST", "/admin/v2/x", { a: 1 }), (err: Error) => {
        assert.equal(err.message, `POST ${s.url}/admin/v2/x answered 412: Namespace does not have any bundle`);
        assert.ok(!JSON.stringify({ ...err, message: err.message }).includes("s3cret-token"));
        return true;
      });
      assert.equal(s.requests(), 1);
    } finally {
      await s.close();
    }
  });

  it("gives up early on a server whose every attempt is refused: nothing listens there", async () => {
    const s = await server(() => undefined);
    await s.close();
    const client = new HttpClient({ baseUrl: s.url, attempts: 20, backoffMs: 20, refusedForMs: 100 });
    await assert.rejects(client.request("GET", "/down"), (err: Error) => {
      const made = Number(/ECONNREFUSED.*\(after (\d+) attempts\)/.exec(err.message)?.[1]);
      assert.ok(made >= 2 && made < 20, err.message);
      return true;
    });
  });

  it("gives up on a server that does not answer within the time limit, after its attempts", async () => {
    const s = await server(() => undefined);
    try {
      const client = new HttpClient({ baseUrl: s.url, timeoutMs: 200, attempts: 2, backoffMs: 10 });
      await assert.rejects(client.request("GET", "/slow"), /^AdminApiError: GET http:\/\/127\.0\.0\.1:\d+\/slow got no answer: timed out \(after 2 attempts\)\. Check that the cluster's brokers run and that the admin URL is right/);
      assert.equal(s.requests(), 2);
    } finally {
      await s.close();
    }
  });

  it("tries the next URL of a comma-separated list when one does not answer", async () => {
    const s = await server((_req, res) => json(res, 200, "second"));
    try {
      const client = new HttpClient({ baseUrl: `http://127.0.0.1:1,${s.url}`, backoffMs: 10 });
      assert.equal(await client.request("GET", "/x"), "second");
    } finally {
      await s.close();
    }
  });

  it("sends one GET for identical ones on their way at once, and every caller gets its answer", async () => {
    const s = await server((_req, res) => setTimeout(() => json(res, 200, { racks: 1 }), 100));
    try {
      const client = new HttpClient({ baseUrl: s.url });
      const answers = await Promise.all(Array.from({ length: 10 }, () => client.request("GET", "/racks")));
      assert.equal(s.requests(), 1);
      assert.ok(answers.every((a) => JSON.stringify(a) === '{"racks":1}'));
      await client.request("GET", "/racks");
      assert.equal(s.requests(), 2, "a later GET is sent again");
    } finally {
      await s.close();
    }
  });

  it(`keeps at most ${MAX_REQUESTS_PER_SERVER} requests open to one server`, async () => {
    const s = await server((_req, res) => setTimeout(() => json(res, 200, {}), 50));
    try {
      const client = new HttpClient({ baseUrl: s.url });
      await Promise.all(Array.from({ length: 30 }, (_, i) => client.request("PUT", `/ns-${i}`, {})));
      assert.equal(s.requests(), 30);
      assert.ok(s.mostAtOnce() <= MAX_REQUESTS_PER_SERVER, `${s.mostAtOnce()} at once`);
      assert.ok(s.mostAtOnce() > 1, "requests still run in parallel");
    } finally {
      await s.close();
    }
  });
});
