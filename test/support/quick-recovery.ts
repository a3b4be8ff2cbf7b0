/**
 * BookKeeper's recovery timers, shortened for the docker suites, whose decommission and
 * replacement checks do not look at groups. The suites that check where copies land after a
 * recovery (recovery-isolation, day-2, kubernetes) keep Pulsar's defaults: with these, one run
 * placed a copy outside its group, through a gap that does not depend on the timers but that only
 * these runs have met (README, "Isolation through failure and recovery"). The stacks people deploy
 * keep Pulsar's defaults too.
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
