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

/** Whether `url` answers 200 within 2 s: a node's readiness check, as its health check asks it. */
export async function answersReady(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  await res?.body?.cancel();
  return res?.status === 200;
}
