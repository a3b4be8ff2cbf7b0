import * as pulumi from "./pulumi";

/** What every dynamic provider of the project needs for diff and read, whichever layer it is in. */

/** The names of the inputs that differ, comparing their JSON forms (keys in any order). */
export function changedKeys<T extends object>(olds: Partial<T>, news: T, keys: readonly (keyof T)[]): string[] {
  return keys.filter((k) => canonicalJson(olds[k] ?? null) !== canonicalJson(news[k] ?? null)).map(String);
}

/** JSON with every object's keys sorted: the engine hands back properties sorted, a live read has the server's order. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );

/** A diff over the compared inputs: a change of the identity input means another resource, the rest update in place. */
export function diffOn<T extends object>(olds: Partial<T>, news: T, compared: readonly (keyof T)[], identity: keyof T): pulumi.dynamic.DiffResult {
  const changes = changedKeys(olds, news, compared);
  return { changes: changes.length > 0, replaces: changes.includes(String(identity)) ? [String(identity)] : [] };
}

/** A read result whose inputs are the live state seen as inputs, so diffs after `pulumi refresh` are right. */
export function liveResult<I, O extends I>(id: string, props: O, inputs: I): pulumi.dynamic.ReadResult<O> {
  // The SDK types `inputs` as outputs; ours are the input subset of them. Read results go to the
  // engine as protobuf structs, which refuse `undefined`: absent fields are dropped.
  return { id, props: withoutUndefined(props), inputs: withoutUndefined(inputs) as O };
}

const withoutUndefined = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The engine passes the resource's last state to `read`; without it there is nothing to look up. */
export function requireState<O>(props: O | undefined, type: string): O {
  if (!props) throw new Error(`${type}: reading needs the resource's last state (import is not supported)`);
  return props;
}

/**
 * True for an error that says the service could not be reached or could not answer (no answer,
 * 5xx after retries, a store that timed out), as opposed to one that says what is there.
 */
export function isUnreachable(err: unknown): boolean {
  const e = err as { name?: string; status?: number; unreachable?: boolean; kind?: string };
  // A certificate the providers do not trust is an answer of sorts: refresh must not hide it.
  const noAnswer = e?.status === undefined && (e?.kind === undefined || e.kind === "unreachable");
  return e?.unreachable === true || (e?.name === "AdminApiError" && (noAnswer || (e.status !== undefined && e.status >= 500)));
}

/**
 * Reads live state, but when the service is unreachable keeps `last` and says so as a warning:
 * `pulumi refresh` must not fail because a node is down (the node's own resource records that).
 */
export async function readOrKeep<T>(what: string, last: T, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!isUnreachable(err)) throw err;
    await pulumi.log.warn(`${what} could not be read, so its last known state is kept: ${(err as Error).message}`);
    return last;
  }
}
