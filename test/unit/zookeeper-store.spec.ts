import * as assert from "node:assert/strict";
import * as net from "node:net";
import { ZooKeeperStore } from "../../admin/zookeeper";

/** A port of this machine that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the ZooKeeper store's failures", () => {
  it("fails within seconds when every server keeps refusing the connection (a stopped store), marked unreachable", async () => {
    const connect = `127.0.0.1:${await closedPort()}, 127.0.0.1:${await closedPort()}/chroot`;
    const started = Date.now();
    await assert.rejects(new ZooKeeperStore({ connect, timeoutMs: 15_000 }).readJson("/bookies"), (err: Error & { unreachable?: boolean }) => {
      assert.equal(err.message, `ZooKeeper ${connect} refused the connection: nothing listens there`);
      assert.equal(err.unreachable, true);
      return true;
    });
    assert.ok(Date.now() - started < 5_000, "long before the 15 s limit");
  });

  it("waits out a refusal that passes: a server that starts listening a second later is given its chance", async () => {
    const port = await closedPort();
    const accepted: net.Socket[] = [];
    const late = net.createServer((socket) => accepted.push(socket));
    const listening = new Promise<void>((resolve) => setTimeout(() => late.listen(port, "127.0.0.1", resolve), 1_000));
    try {
      // It listens but does not speak ZooKeeper: the session ends at its limit, not as refused.
      await assert.rejects(new ZooKeeperStore({ connect: `127.0.0.1:${port}`, timeoutMs: 4_000 }).readJson("/bookies"), /did not answer within 4 s/);
    } finally {
      await listening;
      accepted.forEach((socket) => socket.destroy());
      await new Promise((resolve) => late.close(resolve));
    }
  });

  it("stops probing for refusals once its session has ended: a short-lived process is not kept alive", async () => {
    const connect = `127.0.0.1:${await closedPort()}`;
    const pending = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "TCPSocketWrap").length;
    const before = pending();
    await assert.rejects(new ZooKeeperStore({ connect, timeoutMs: 1_000 }).readJson("/bookies"), /did not answer within 1 s/);
    await new Promise((r) => setTimeout(r, 1_000)); // longer than one probe round, shorter than the 3 s a refusal must last
    assert.ok(pending() <= before, `still pending: ${process.getActiveResourcesInfo().join(", ")}`);
  });

  it("waits out its limit for a server that accepts but does not answer", async () => {
    const accepted: net.Socket[] = [];
    const silent = net.createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const connect = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      await assert.rejects(new ZooKeeperStore({ connect, timeoutMs: 1_000 }).readJson("/bookies"), /did not answer within 1 s/);
    } finally {
      accepted.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
