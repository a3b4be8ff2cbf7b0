import { BookieAdmin } from "../admin/bookie-admin";
import { ZooKeeperStore } from "../admin/zookeeper";
import { lockFolder, oneAtATime, whileWaiting } from "../lib/one-at-a-time";
import { mayHoldAuditor, withRecoveryDeferred, withReplicationPaused } from "./recovery-deferral";

/** A bookie the stack restarts on purpose, as the machine running Pulumi reaches it. */
export interface RestartedBookie {
  /** Its id, `host:port`. */
  readonly bookie: string;
  /** Its own HTTP API. */
  readonly httpUrl: string;
  /** The store of the ledgers' metadata (`host:port`), where the auditor's settings are kept. */
  readonly metadataStore: string;
  /** The bookies' own lost-bookie recovery delay (s), put back after the restart. */
  readonly recoveryDelay: number;
}

/** How long a restarted bookie may take to be writable again before the next one stops. */
const WRITABLE_WITHIN_MS = 180_000;
/** How long the auditor's bookie gives the restarts asked for with its own to arrive. */
const OTHERS_ARRIVE_WITHIN_MS = 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Restarts a bookie so that a settings change never takes more than one bookie of the cluster
 * away, and none of its ledgers is copied while it is away: one restart at a time per BookKeeper
 * cluster on this machine, with the recovery of lost bookies deferred (and re-replication paused
 * when the bookie holds the auditor), each bookie writable again before the next one stops.
 * Every runtime restarts its bookies through here; `restart` is the runtime's stop and start.
 *
 * The auditor's own bookie goes after every other bookie waiting to restart. Its going elects a new
 * auditor, whose first audit waits while re-replication is paused and runs once it is resumed; a
 * bookie stopped during that audit did not stop until it was killed 30 s later, and then waited
 * 24 s more for its old session to expire (day-2, the new auditor's bookie restarting next). Last,
 * the auditor moves once per rolling restart, and no restart follows its new auditor's first audit.
 */
export function restartBookie<T>(target: RestartedBookie, restart: () => Promise<T>): Promise<T> {
  const admin = new BookieAdmin({ baseUrl: target.httpUrl, attempts: 1, timeoutMs: 5_000 });
  const store = new ZooKeeperStore({ connect: target.metadataStore, timeoutMs: 5_000 });
  const untilWritable = async () => {
    const restarted = await restart();
    await admin.waitUntilWritable(target.bookie, WRITABLE_WITHIN_MS);
    return restarted;
  };
  const lock = restartLock(target.metadataStore);
  return whileWaiting(`${lock}.waiting`, target.bookie, async (othersWaiting) => {
    // Asked again at each turn, and only a sure answer counts: two bookies never wait on each other.
    const holdsAuditor = () => admin.auditor().then((auditor) => auditor === target.bookie, () => false);
    // The engine asks for the bookies' restarts within moments of each other: let the others arrive.
    if (await holdsAuditor()) await sleep(OTHERS_ARRIVE_WITHIN_MS);
    while ((await holdsAuditor()) && (await othersWaiting())) await sleep(1_000);
    return oneAtATime(lock, () =>
      withRecoveryDeferred(store, target.recoveryDelay, async () =>
        (await mayHoldAuditor(admin, target.bookie)) ? withReplicationPaused(store, untilWritable) : untilWritable(),
      ),
    );
  });
}

/** The lock folder of one BookKeeper cluster's restarts, named by its metadata store. */
export const restartLock = (metadataStore: string): string => lockFolder("restarting-bookie", metadataStore);
