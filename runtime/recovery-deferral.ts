import { BookieAdmin } from "../admin/bookie-admin";
import * as pulumi from "../lib/pulumi";

/**
 * The lost-bookie recovery delay (s) while the stack restarts a bookie on purpose: far longer than
 * a restart takes, so the bookie is back before the auditor has any of its ledgers copied.
 */
export const RESTART_RECOVERY_DELAY_SECONDS = 900;

/** Pulsar's `bookkeeper.conf` sets `lostBookieRecoveryDelay=0`: re-replicate at once. */
const DISTRIBUTION_RECOVERY_DELAY_SECONDS = 0;

/** The bookies' own setting of the delay: `bookieSettings.lostBookieRecoveryDelay`, or the distribution's. */
export function configuredRecoveryDelay(settings: Readonly<Record<string, unknown>>): number {
  const value = Number(settings.lostBookieRecoveryDelay);
  return Number.isInteger(value) && value >= 0 ? value : DISTRIBUTION_RECOVERY_DELAY_SECONDS;
}

/**
 * The delay to put back after a restart: the one found before it, unless that is the restart
 * delay itself, left by a restart that was cut short; then the bookies' own setting.
 */
export const delayToRestore = (found: number, configured: number): number => (found === RESTART_RECOVERY_DELAY_SECONDS ? configured : found);

/**
 * Runs `restart` with BookKeeper's recovery of lost bookies deferred, then puts the delay back.
 * The auditor otherwise treats a restarting bookie as lost and, with Pulsar's delay of 0, has its
 * ledgers copied to the other bookies of their groups while it is away: copies nobody needs, made
 * during every settings change. `admin` is the restarted bookie's HTTP API. The deferral saves work
 * but is not needed for safety, so a bookie that cannot be asked is restarted anyway, with a warning.
 */
export async function withRecoveryDeferred<T>(admin: BookieAdmin, configured: number, restart: () => Promise<T>): Promise<T> {
  let restore: number | undefined;
  try {
    restore = delayToRestore(await admin.lostBookieRecoveryDelay(), configured);
    await admin.setLostBookieRecoveryDelay(RESTART_RECOVERY_DELAY_SECONDS);
  } catch (err) {
    await pulumi.log.warn(`restarting without deferring the recovery of lost bookies (${admin.url}): ${(err as Error).message}`);
  }
  try {
    return await restart();
  } finally {
    if (restore !== undefined) {
      await admin.setLostBookieRecoveryDelay(restore).catch((err: Error) =>
        pulumi.log.warn(
          `the recovery of lost bookies stays deferred by ${RESTART_RECOVERY_DELAY_SECONDS} s: setting lostBookieRecoveryDelay back to ${restore} through ${admin.url} failed (${err.message}); ` +
            `set it with \`bin/bookkeeper shell lostbookierecoverydelay -set ${restore}\``,
        ),
      );
    }
  }
}
