import { BookieAdmin } from "../admin/bookie-admin";
import { ZooKeeperStore } from "../admin/zookeeper";
import { DEFAULT_DECOMMISSION_TIMEOUT_SECONDS } from "../config/derived";
import { REPLICATION_DISABLED_PATH, cookiePath, underReplicationLockPath } from "./bookkeeper-metadata";
import { NodeActions } from "./node-control";
import { replicationSwitchedOffByOperator } from "./recovery-deferral";

/**
 * A safe decommission of a bookie, the same on every runtime: it talks to the bookies' HTTP API
 * and to the ledgers' metadata store, and reaches the node itself only through `NodeActions`.
 */

/** What the stack config says about decommissions, read when the provider is configured. */
export type DecommissionSettings =
  | {
      readonly readable: true;
      /** Bookie names the stack config declares now. A bookie it still declares is torn down, not removed. */
      readonly declaredBookies: readonly string[];
      /** How long re-replication may take before the bookie is put back. */
      readonly timeoutMs: number;
    }
  /** The config could not be read: nothing is decommissioned, whatever happens. */
  | { readonly readable: false; readonly why: string };

/** The part of the raw stack config `topology` value the settings come from (the program checks the rest). */
interface RawTopology {
  bookies?: unknown;
  decommission?: { timeoutSeconds?: unknown };
}

/**
 * Reads the settings from the stack config's `topology` value (JSON text), as a dynamic provider
 * receives it. Without a readable list of bookies it fails closed: a bookie whose removal cannot
 * be confirmed is never decommissioned.
 */
export function decommissionSettings(topologyJson: string | undefined): DecommissionSettings {
  if (topologyJson === undefined || topologyJson.trim() === "") {
    return { readable: false, why: "the stack config has no pulsar-isolation:topology" };
  }
  let raw: RawTopology;
  try {
    raw = JSON.parse(topologyJson) as RawTopology;
  } catch (err) {
    return { readable: false, why: `the stack config's pulsar-isolation:topology is not valid JSON (${(err as Error).message})` };
  }
  const bookies = raw?.bookies;
  if (!Array.isArray(bookies) || !bookies.every((b) => typeof b?.name === "string")) {
    return { readable: false, why: "the stack config's pulsar-isolation:topology has no list of named bookies" };
  }
  const timeoutSeconds = raw.decommission?.timeoutSeconds;
  return {
    readable: true,
    declaredBookies: bookies.map((b: { name: string }) => b.name),
    timeoutMs: 1000 * (typeof timeoutSeconds === "number" && timeoutSeconds > 0 ? timeoutSeconds : DEFAULT_DECOMMISSION_TIMEOUT_SECONDS),
  };
}

/** The bookie to take out, and where to ask about it. */
export interface DecommissionTarget {
  /** Its name in the topology. */
  readonly name: string;
  /** Its id, `host:port`. */
  readonly bookie: string;
  /** Its own HTTP API, as the machine running Pulumi reaches it. */
  readonly httpUrl: string;
  /** The HTTP APIs of the other bookies: they answer for the BookKeeper cluster once it is stopped. */
  readonly peerUrls: readonly string[];
  /** The configuration store (`host:port`) that holds the ledgers' metadata and the bookie's cookie. */
  readonly metadataStore: string;
}

export interface WhatIsLeft {
  readonly ledgers?: number[];
  readonly underReplicated?: number[];
  /** BookKeeper's switch for all ledger re-replication is off: no copy is made until it is on again. */
  readonly replicationDisabled?: boolean;
  readonly error?: string;
}

/**
 * Takes a bookie out of the BookKeeper cluster without losing data: read-only, stopped, its
 * ledgers re-replicated by the other bookies' autorecovery (within the time limit), checked, its
 * cookie deleted, and only then its data removed. When copying does not finish in time the bookie
 * is started again, read-only and with its data, and the error says what is left. While an
 * operator has switched re-replication off, no copy can be made: the bookie is not touched.
 */
export async function decommissionBookie(target: DecommissionTarget, node: NodeActions, timeoutMs: number): Promise<void> {
  const self = new BookieAdmin({ baseUrl: target.httpUrl, attempts: 2, backoffMs: 200 });
  if (target.peerUrls.length === 0) throw new Error(decommissionFailure(target, "no other bookie is declared to take its ledgers", {}, false));
  const metadata = new ZooKeeperStore({ connect: target.metadataStore, timeoutMs: 5_000 });
  await refuseWhileReplicationIsOff(target, metadata);
  const peers = new BookieAdmin({ baseUrl: target.peerUrls.join(","), attempts: 3 });

  await self.setReadOnly(true).catch(() => undefined); // a bookie that is down already is fine
  await node.stop();
  // The limit is re-replication's: it starts once the bookie is down (a clean stop takes seconds).
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  try {
    await waitUntil(`${target.bookie} to leave the registered bookies`, async () => !(await isRegistered(peers, target.bookie)), left());
    await peers.decommission(target.bookie);
    const locks = new LeakedLockBreaker(metadata);
    await waitUntil(
      `no ledger to have a copy on ${target.bookie}`,
      async () => {
        const underReplicated = await peers.underReplicatedLedgers(target.bookie);
        await locks.release(underReplicated);
        return underReplicated.length === 0 && (await peers.ledgersOn(target.bookie)).length === 0;
      },
      left(),
      2_000,
    );
  } catch (err) {
    const why = (err as Partial<TimedOut>).timedOut
      ? `re-replication did not finish within ${Math.round(timeoutMs / 1000)} s (decommission.timeoutSeconds)`
      : (err as Error).message;
    const what = await whatIsLeft(peers, metadata, target.bookie);
    await node.start();
    await self.setReadOnly(true);
    throw new Error(decommissionFailure(target, why, what, true));
  }
  await metadata.remove(cookiePath(target.bookie));
  await node.discardData();
}

/**
 * A decommission started while re-replication is switched off could only time out, and a bookie
 * stopped then is slow to go: its auditor, if it holds it, waits on the switch in its audit and
 * is killed (day-2 measured 45 s). Unsure whether it is off, nothing is touched either.
 */
async function refuseWhileReplicationIsOff(target: DecommissionTarget, store: ZooKeeperStore): Promise<void> {
  let switchedOff: boolean;
  try {
    switchedOff = await replicationSwitchedOffByOperator(store);
  } catch (err) {
    const why = `whether ledger re-replication is switched off could not be read (${(err as Error).message})`;
    throw new Error(decommissionFailure(target, why, {}, false));
  }
  if (switchedOff) throw new Error(decommissionFailure(target, "ledger re-replication is switched off", { replicationDisabled: true }, false));
}

/**
 * BookKeeper's replication workers lock a ledger while they copy it, and keep the lock of one they
 * failed on for at most `lockReleaseOfFailedLedgerGracePeriod` (5 minutes by default). A worker can
 * also leak it: seen after it recovered an open ledger of the decommissioned bookie and found it
 * empty. No worker takes that ledger again while the lock is there, so a decommission would wait
 * for nothing; a lock older than this is taken to be leaked and removed, and a worker copies the
 * ledger within seconds.
 */
export const LEAKED_LOCK_AGE_MS = 6 * 60_000;
/** How often the locks of the ledgers still under-replicated are looked at. */
const LOCK_CHECK_INTERVAL_MS = 30_000;

/** The ledgers whose lock is older than a worker would hold it. */
export function leakedLocks(locks: readonly { readonly ledger: number; readonly createdAt?: number }[], now: number): number[] {
  return locks.filter((l) => l.createdAt !== undefined && now - l.createdAt > LEAKED_LOCK_AGE_MS).map((l) => l.ledger);
}

class LeakedLockBreaker {
  private checkedAt = 0;

  constructor(private readonly store: ZooKeeperStore) {}

  /** Removes the leaked locks of these under-replicated ledgers, looking at most every 30 s. */
  async release(underReplicated: readonly number[]): Promise<void> {
    if (underReplicated.length === 0 || Date.now() - this.checkedAt < LOCK_CHECK_INTERVAL_MS) return;
    this.checkedAt = Date.now();
    const locks = await Promise.all(underReplicated.map(async (ledger) => ({ ledger, createdAt: await this.store.createdAt(underReplicationLockPath(ledger)) })));
    await Promise.all(leakedLocks(locks, Date.now()).map((ledger) => this.store.remove(underReplicationLockPath(ledger))));
  }
}

async function isRegistered(peers: BookieAdmin, bookie: string): Promise<boolean> {
  const [writable, readOnly] = await Promise.all([peers.listBookies("rw"), peers.listBookies("ro")]);
  return writable.includes(bookie) || readOnly.includes(bookie);
}

interface TimedOut extends Error {
  readonly timedOut: true;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw Object.assign(new Error(`timed out waiting for ${what}`), { timedOut: true as const });
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function whatIsLeft(peers: BookieAdmin, store: ZooKeeperStore, bookie: string): Promise<WhatIsLeft> {
  try {
    const [ledgers, underReplicated, replicationDisabled] = await Promise.all([
      peers.ledgersOn(bookie),
      peers.underReplicatedLedgers(bookie),
      // Only advice: a store that cannot say keeps neither the list nor the restart waiting.
      replicationSwitchedOffByOperator(store).catch(() => undefined),
    ]);
    return { ledgers, underReplicated, replicationDisabled };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Why a decommission stopped short, for the operator: what is left and how to go on. */
export function decommissionFailure(target: Pick<DecommissionTarget, "name" | "bookie">, why: string, left: WhatIsLeft, restarted: boolean): string {
  const list = (ids: number[]) => (ids.length > 20 ? `${ids.slice(0, 20).join(", ")}, … (${ids.length})` : `${ids.join(", ") || "none"} (${ids.length})`);
  return [
    `${target.name} (${target.bookie}) was not decommissioned: ${why}.`,
    ...(left.error
      ? [`Could not list what is left: ${left.error}.`]
      : left.ledgers
        ? [`Ledgers still with a copy on it: ${list(left.ledgers)}; under-replicated ledgers: ${list(left.underReplicated ?? [])}.`]
        : []),
    ...(left.replicationDisabled
      ? [`Ledger re-replication is switched off in the BookKeeper cluster (${REPLICATION_DISABLED_PATH} exists): no copy is made until \`bin/bookkeeper shell autorecovery -enable\` switches it on.`]
      : []),
    restarted
      ? `${target.name} runs again, read-only, with all its data; its rack entries are removed, so no new ledger is placed on it.`
      : `${target.name} was not touched.`,
    `To finish: ${
      left.replicationDisabled
        ? "switch re-replication on"
        : "check that the other bookies run autorecovery (autoRecoveryDaemonEnabled) and that the bookie's groups keep enough " +
          "live bookies for the copies, raise decommission.timeoutSeconds if copying needs longer"
    }, then run \`pulumi up\` again. To keep the bookie, put it back in the stack config.`,
  ].join("\n");
}
