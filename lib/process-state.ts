/**
 * State shared by everything a process runs, kept on the global object and reached through a
 * function. Pulumi serializes a dynamic provider's closure to run it in the provider process, and a
 * Map captured at module level arrives there as a plain object whose methods all throw.
 */
export const processState = <T>(key: string, create: () => T): T =>
  ((globalThis as Record<string, unknown>)[`pulsarIsolation.${key}`] ??= create()) as T;
