import * as net from "node:net";
import { isDeepStrictEqual } from "node:util";
// Required as the module itself, so that dynamic providers that use it serialize a require of it rather than a copy.
import zk = require("node-zookeeper-client");
import { processState } from "../lib/process-state";

/**
 * The few ZooKeeper operations the project needs where Pulsar and BookKeeper offer no REST API:
 * the bookies' copy of the rack map (`/bookies` in the configuration store) and a decommissioned
 * bookie's cookie. Every call connects, works and closes, within a time limit.
 */

/** A node's data and the version a compare-and-set must name. */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

export interface ZooKeeperOptions {
  /** `host:port[,host:port…]`. */
  readonly connect: string;
  /** Limit for connecting and for each operation. */
  readonly timeoutMs?: number;
}

/** Reads on their way, by store and path: many resources read the same rack map at once. */
const readsInFlight = () => processState("zookeeperReadsInFlight", () => new Map<string, Promise<unknown>>());

/** Updates of a node from this process, the last one queued by store and path. */
const updatesInLine = () => processState("zookeeperUpdatesInLine", () => new Map<string, Promise<unknown>>());

/** How long every server must keep refusing connections before a session gives up early. */
const REFUSALS_FOR_MS = 3_000;

/** Compare-and-set rounds before a writer gives up on a node that keeps changing under it. */
const CAS_ATTEMPTS = 20;

const codeOf = (err: unknown): number | undefined => (err instanceof zk.Exception ? err.getCode() : undefined);

export class ZooKeeperStore {
  private readonly timeoutMs: number;

  constructor(private readonly options: ZooKeeperOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  get connect(): string {
    return this.options.connect;
  }

  /** The node's JSON data, or undefined when the node does not exist. Reads of one node at once share one session. */
  async readJson<T>(path: string): Promise<Versioned<T> | undefined> {
    const key = `${this.options.connect}${path}`;
    const pending = readsInFlight().get(key);
    if (pending) return pending as Promise<Versioned<T> | undefined>;
    const read = this.session(async (client) => {
      const node = await getData(client, path);
      return node && { value: parseJson<T>(node.data, this.describe(path)), version: node.version };
    }).finally(() => readsInFlight().delete(key));
    readsInFlight().set(key, read);
    return read;
  }

  /**
   * Changes the node's JSON with `change` (which sees undefined for a missing node), by
   * compare-and-set on the version read: a concurrent writer makes it read and change again.
   * Returns the value written and read back, or the current one when `change` leaves it equal.
   */
  async updateJson<T>(path: string, change: (current: T | undefined) => T): Promise<T> {
    // Writers of one node in this process take turns: at once they would only make each other retry.
    const key = `${this.options.connect}${path}`;
    const turn = (updatesInLine().get(key) ?? Promise.resolve()).catch(() => undefined).then(() => this.compareAndSet(path, change));
    updatesInLine().set(key, turn);
    try {
      return await turn;
    } finally {
      if (updatesInLine().get(key) === turn) updatesInLine().delete(key);
    }
  }

  private async compareAndSet<T>(path: string, change: (current: T | undefined) => T): Promise<T> {
    return this.session(async (client) => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 50 * attempt));
        const node = await getData(client, path);
        const current = node && parseJson<T>(node.data, this.describe(path));
        const next = change(current);
        if (node && JSON.stringify(next) === JSON.stringify(current)) return current as T;
        const data = Buffer.from(JSON.stringify(next));
        try {
          if (node) await setData(client, path, data, node.version);
          else await create(client, path, data);
        } catch (err) {
          const code = codeOf(err);
          if (code === zk.Exception.BAD_VERSION || code === zk.Exception.NODE_EXISTS || code === zk.Exception.NO_NODE) continue;
          throw this.failure(`write ${path}`, err);
        }
        const written = await getData(client, path);
        if (written && written.data.equals(data)) return next;
      }
      throw new Error(`${this.describe(path)} kept changing under ${CAS_ATTEMPTS} compare-and-set attempts; not written`);
    });
  }

  /** Removes the node if it exists; true when it did. */
  async remove(path: string): Promise<boolean> {
    return this.session(
      (client) =>
        new Promise<boolean>((resolve, reject) =>
          client.remove(path, -1, (err) => {
            if (!err) resolve(true);
            else if (codeOf(err) === zk.Exception.NO_NODE) resolve(false);
            else reject(this.failure(`remove ${path}`, err));
          }),
        ),
    );
  }

  /**
   * Removes the node only while it holds `value` as JSON, at the version read: a node that holds
   * anything else, or changed meanwhile, stays. True when it was removed here.
   */
  async removeIfHolds(path: string, value: unknown): Promise<boolean> {
    return this.session(async (client) => {
      const found = await getData(client, path);
      if (!found || !holdsJson(found.data, value)) return false;
      return new Promise<boolean>((resolve, reject) =>
        client.remove(path, found.version, (err) => {
          if (!err) resolve(true);
          else if (codeOf(err) === zk.Exception.NO_NODE || codeOf(err) === zk.Exception.BAD_VERSION) resolve(false);
          else reject(this.failure(`remove ${path}`, err));
        }),
      );
    });
  }

  /** When the node was created (ms since the epoch); undefined when it does not exist. */
  async createdAt(path: string): Promise<number | undefined> {
    return this.session(
      (client) =>
        new Promise<number | undefined>((resolve, reject) =>
          client.exists(path, (err, stat) => {
            if (err) reject(this.failure(`stat ${path}`, err));
            else resolve(stat ? Number(Buffer.from(stat.ctime as unknown as Buffer).readBigInt64BE()) : undefined);
          }),
        ),
    );
  }

  /** Creates the node, empty or holding `value` as JSON, if it does not exist; true when it was created here. */
  async createIfAbsent(path: string, value?: unknown): Promise<boolean> {
    return this.session(async (client) => {
      try {
        await create(client, path, value === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(value)));
        return true;
      } catch (err) {
        if (codeOf(err) === zk.Exception.NODE_EXISTS) return false;
        throw this.failure(`create ${path}`, err);
      }
    });
  }

  /** Whether the node is missing, holds `value` as JSON, or holds something else (an empty node included). */
  async compare(path: string, value: unknown): Promise<"missing" | "same" | "different"> {
    return this.session(async (client) => {
      const found = await getData(client, path);
      return !found ? "missing" : holdsJson(found.data, value) ? "same" : "different";
    });
  }

  async exists(path: string): Promise<boolean> {
    return this.session(async (client) => (await getData(client, path)) !== undefined);
  }

  /**
   * The client keeps retrying a server that refuses connections until the time limit. When every
   * server keeps refusing for a few seconds (nothing listens there: a stopped store), this rejects,
   * so that a refresh with the store down warns without waiting the whole limit; a refusal that
   * passes (a Service whose endpoints are being set up) is waited out. Otherwise it never settles;
   * it stops probing once `decided()` says the connect ended another way.
   */
  private refusedByEveryServer(decided: () => boolean): Promise<never> {
    const servers = serversOf(this.options.connect);
    const refusal = new Promise<never>((_, reject) => {
      const deadline = Date.now() + REFUSALS_FOR_MS;
      const probe = async (): Promise<void> => {
        if (decided()) return;
        const refused = servers.length > 0 && (await Promise.all(servers.map(refusesConnections))).every(Boolean);
        if (!refused || decided()) return;
        if (Date.now() >= deadline) {
          reject(Object.assign(new Error(`ZooKeeper ${this.options.connect} refused the connection: nothing listens there`), { unreachable: true }));
          return;
        }
        setTimeout(() => void probe(), 250);
      };
      void probe();
    });
    refusal.catch(() => undefined); // settled after the race was decided: not an unhandled rejection
    return refusal;
  }

  private describe(path: string): string {
    return `ZooKeeper ${this.options.connect}${path}`;
  }

  private failure(what: string, err: unknown): Error {
    return new Error(`ZooKeeper ${this.options.connect}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  /** Connects, runs `work` and closes, failing when either takes longer than the time limit. */
  private async session<T>(work: (client: zk.Client) => Promise<T>): Promise<T> {
    const client = zk.createClient(this.options.connect, { sessionTimeout: this.timeoutMs, spinDelay: 200, retries: 0 });
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            Object.assign(new Error(`ZooKeeper ${this.options.connect} did not answer within ${Math.round(this.timeoutMs / 1000)} s`), {
              unreachable: true,
            }),
          ),
        this.timeoutMs,
      );
    });
    try {
      const connected = new Promise<void>((resolve) => client.once("connected", () => resolve()));
      client.connect();
      let decided = false;
      try {
        await Promise.race([connected, limit, this.refusedByEveryServer(() => decided)]);
      } finally {
        decided = true;
      }
      return await Promise.race([work(client), limit]);
    } finally {
      clearTimeout(timer);
      client.close();
    }
  }
}

/** The servers of a connect string as the client reads them: `host[:port]` (2181 by default), before any chroot. */
function serversOf(connect: string): { host: string; port: number }[] {
  return connect
    .split("/")[0]
    .split(",")
    .map((server) => server.trim())
    .filter(Boolean)
    .map((server) => {
      const [host, port] = server.split(":");
      return { host, port: port ? Number(port) : 2181 };
    });
}

/** Whether a server refuses a TCP connection; anything else (an answer, a time-out, an odd address) is for the client to judge. */
function refusesConnections({ host, port }: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    let socket: net.Socket;
    try {
      socket = net.connect({ host, port });
    } catch {
      resolve(false);
      return;
    }
    const settle = (refused: boolean) => {
      socket.destroy();
      resolve(refused);
    };
    socket.setTimeout(1_000, () => settle(false));
    socket.once("connect", () => settle(false));
    socket.once("error", (err: NodeJS.ErrnoException) => settle(err.code === "ECONNREFUSED"));
  });
}

function parseJson<T>(data: Buffer, where: string): T {
  try {
    return JSON.parse(data.toString("utf8")) as T;
  } catch {
    throw new Error(`${where} does not hold JSON (${data.length} bytes); not touching it`);
  }
}

/** Whether `data` is `value` as JSON; data that is not JSON (an empty node) holds nothing. */
function holdsJson(data: Buffer, value: unknown): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(data.toString("utf8")), value);
  } catch {
    return false;
  }
}

function getData(client: zk.Client, path: string): Promise<{ data: Buffer; version: number } | undefined> {
  return new Promise((resolve, reject) =>
    client.getData(path, (err, data, stat) => {
      if (!err) resolve({ data: data ?? Buffer.alloc(0), version: stat.version });
      else if (codeOf(err) === zk.Exception.NO_NODE) resolve(undefined);
      else reject(err);
    }),
  );
}

function setData(client: zk.Client, path: string, data: Buffer, version: number): Promise<void> {
  return new Promise((resolve, reject) => client.setData(path, data, version, (err) => (err ? reject(err) : resolve())));
}

function create(client: zk.Client, path: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => client.create(path, data, zk.CreateMode.PERSISTENT, (err) => (err ? reject(err) : resolve())));
}
