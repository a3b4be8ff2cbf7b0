export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

/** Polls `check` until it returns true; an error thrown by `check` ends the wait at once. */
export async function waitFor(what: string, check: () => Promise<boolean>, { timeoutMs, intervalMs }: WaitOptions): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
