/**
 * BookKeeper's recovery timers, shortened for the suites that wait on recoveries: the integration
 * suites' shared topology and the docker suites. With these, one run placed a copy outside its
 * group, through a gap that did not depend on the timers (the bookies' rack map was written after
 * they started; README, "Isolation through failure and recovery"); the recovery suite runs on them
 * to keep checking that it is closed. The day-2 and kubernetes suites, and the stacks people
 * deploy, keep Pulsar's defaults.
 */
export const QUICK_RECOVERY_SETTINGS: Readonly<Record<string, number>> = {
  // A killed bookie's registration, and so the auditor's view of it, goes after 10 s, not 30 s.
  zkTimeout: 10_000,
  // A ledger still open for writing is fenced and re-replicated after 5 s, not 30 s.
  openLedgerRereplicationGracePeriod: 5_000,
  // A worker retries a ledger it could not copy after at most 32 s (from 1 s, doubling), not 300 s.
  lockReleaseOfFailedLedgerGracePeriod: 32_000,
  // After a ledger it could not copy, a worker takes the next one after 1 s, not 5 s.
  rwRereplicateBackoffMs: 1_000,
};

/** The topology with the quick recovery timers under its own bookie settings. */
export function withQuickRecovery<T extends { bookieSettings?: Record<string, unknown> }>(topology: T): T {
  return { ...topology, bookieSettings: { ...QUICK_RECOVERY_SETTINGS, ...topology.bookieSettings } };
}
