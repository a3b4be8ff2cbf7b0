/** Runs a named piece of work and records how long it took. */
export type Step = <T>(name: string, work: () => Promise<T>) => Promise<T>;

/** Seconds since `started` (a `Date.now()`), to a tenth, as the suites and benches print them. */
export const secondsSince = (started: number): number => Math.round((Date.now() - started) / 100) / 10;

/** Steps with their durations in seconds. */
export function stepTimer(): { step: Step; timings: Record<string, number> } {
  const timings: Record<string, number> = {};
  const step: Step = async (name, work) => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      timings[name] = secondsSince(started);
    }
  };
  return { step, timings };
}
