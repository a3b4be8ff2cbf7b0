import type { ZooKeeperStore } from "../admin/zookeeper";
import * as pulumi from "../lib/pulumi";
import { LOST_BOOKIE_RECOVERY_DELAY_PATH, REPLICATION_DISABLED_PATH } from "./bookkeeper-metadata";

/**
 * The lost-bookie recovery delay (s) while the stack restarts a bookie on purpose: far longer than
 * a restart takes, so the bookie is back before the auditor has any of its ledgers copied.
 */
export const RESTART_RECOVERY_DELAY_SECONDS = 900;

/** Pulsar's `bookkeeper.conf` sets `lostBookieRecoveryDelay=0`: re-replicate at once. */
const DISTRIBUTION_RECOVERY_DELAY_SECONDS = 0;

/** The bookies' own setting of the delay (the schema checks it is whole seconds), or the distribution's. */
export const configuredRecoveryDelay = (settings: Readonly<Record<string, string>>): number =>
  Number(settings.lostBookieRecoveryDelay ?? DISTRIBUTION_RECOVERY_DELAY_SECONDS);

/**
 * The delay to put back after a restart: the one found before it, unless that is the restart
 * delay itself, left by a restart that was cut short; then the bookies' own setting.
 */
export const delayToRestore = (found: number, configured: number): number => (found === RESTART_RECOVERY_DELAY_SECONDS ? configured : found);

/** Where the delay is kept: the ledgers' metadata store. */
export type RecoveryDelayStore = Pick<ZooKeeperStore, "connect" | "readJson" | "updateJson">;

/**
 * Runs `restart` with BookKeeper's recovery of lost bookies deferred, then puts the delay back.
 * The auditor otherwise treats a restarting bookie as lost and, with Pulsar's delay of 0, has its
 * ledgers copied to the other bookies of their groups while it is away: copies nobody needs, made
 * during every settings change. The delay is read and written in the metadata store, where the
 * auditor watches it, so it is put back even when the bookie does not come back. Deferring saves
 * work but is not needed for safety: when the delay cannot be read or set, the bookie restarts
 * anyway, with a warning.
 */
export async function withRecoveryDeferred<T>(store: RecoveryDelayStore, configured: number, restart: () => Promise<T>): Promise<T> {
  let found: number | undefined;
  try {
    found = (await store.readJson<number>(LOST_BOOKIE_RECOVERY_DELAY_PATH))?.value;
    // No value yet: no auditor has started, so none would copy anything.
    if (found !== undefined) await store.updateJson<number>(LOST_BOOKIE_RECOVERY_DELAY_PATH, () => RESTART_RECOVERY_DELAY_SECONDS);
  } catch (err) {
    await pulumi.log.warn(`restarting without deferring the recovery of lost bookies (${store.connect}${LOST_BOOKIE_RECOVERY_DELAY_PATH}): ${(err as Error).message}`);
  }
  try {
    return await restart();
  } finally {
    // Also after a failed set: a write that timed out may have landed.
    if (found !== undefined) {
      const restore = delayToRestore(found, configured);
      await store.updateJson<number>(LOST_BOOKIE_RECOVERY_DELAY_PATH, () => restore).catch((err: Error) =>
        pulumi.log.warn(
          `lostBookieRecoveryDelay could not be set back to ${restore} s (${store.connect}${LOST_BOOKIE_RECOVERY_DELAY_PATH}: ${err.message}); ` +
            `if it reads ${RESTART_RECOVERY_DELAY_SECONDS}, a lost bookie's ledgers are copied only after that long: ` +
            `set it with \`bin/bookkeeper shell lostbookierecoverydelay -set ${restore}\``,
        ),
      );
    }
  }
}

/** What the stack writes in the re-replication switch it turns off itself; an operator's is empty. */
export const PAUSED_FOR_RESTART = { pausedBy: "pulsar-isolation", reason: "the auditor's bookie restarts" } as const;

/** Where the switch is kept: the ledgers' metadata store. */
export type ReplicationSwitchStore = Pick<ZooKeeperStore, "connect" | "createIfAbsent" | "removeIfHolds">;

/**
 * Whether someone other than the stack switched re-replication off: then no copy is made until
 * they switch it on. The stack's own switch, while the auditor's bookie restarts, is on again
 * within seconds.
 */
export const replicationSwitchedOffByOperator = async (store: Pick<ZooKeeperStore, "compare">): Promise<boolean> =>
  (await store.compare(REPLICATION_DISABLED_PATH, PAUSED_FOR_RESTART)) === "different";

/** Whether `bookie` holds the auditor, or nobody can say who does. Asks through BookKeeper's REST API. */
export const mayHoldAuditor = (admin: { auditor(): Promise<string> }, bookie: string): Promise<boolean> =>
  admin.auditor().then(
    (auditor) => auditor === bookie,
    () => true,
  );

/**
 * Runs the restart of the auditor's own bookie with re-replication switched off, then on again.
 * Deferring the recovery is not enough there: the bookie's going elects a new auditor, which
 * audits every bookie as soon as it starts, whatever the delay, and can find the bookie already
 * unregistered (CI saw its ledgers copied so). Switched off, that first audit and every
 * replication worker wait until the bookie is back, and then find nothing to copy. A switch
 * already on is an operator's and stays on; one with the stack's mark was left by a restart cut
 * short, and is switched on again here.
 */
export async function withReplicationPaused<T>(store: ReplicationSwitchStore, restart: () => Promise<T>): Promise<T> {
  await store.createIfAbsent(REPLICATION_DISABLED_PATH, PAUSED_FOR_RESTART).catch((err: Error) =>
    pulumi.log.warn(`restarting the auditor's bookie with re-replication on (${store.connect}${REPLICATION_DISABLED_PATH}): ${err.message}`),
  );
  try {
    return await restart();
  } finally {
    // Also after a failed create: a write that timed out may have landed. An operator's switch is
    // empty, not the stack's mark: it stays.
    await store.removeIfHolds(REPLICATION_DISABLED_PATH, PAUSED_FOR_RESTART).catch((err: Error) =>
      pulumi.log.warn(
        `re-replication may still be switched off (${store.connect}${REPLICATION_DISABLED_PATH}: ${err.message}); ` +
          "while it is, no lost bookie's ledgers are copied: switch it on with `bin/bookkeeper shell autorecovery -enable`",
      ),
    );
  }
}
