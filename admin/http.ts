/**
 * A small JSON-over-HTTP client for Pulsar's admin APIs (broker `/admin/v2`, bookie `/api/v1`):
 * a time limit per request, retries with backoff while a node starts, and errors that name the
 * method, the URL, the status and the server's own message. The token never appears in errors.
 */

import { processState } from "../lib/process-state";

export interface HttpClientOptions {
  /** `http://host:port` or `https://host:port`; more than one, comma-separated, are tried in turn. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …`. */
  readonly token?: string;
  readonly timeoutMs?: number;
  /** Attempts for connection errors and 5xx answers, including the first. */
  readonly attempts?: number;
  /** First backoff; it doubles up to 5 s. */
  readonly backoffMs?: number;
}

export const USER_AGENT = "pulsar-isolation-admin/0.1";

export type Method = "GET" | "PUT" | "POST" | "DELETE";

/** An admin call that failed. A plain Error with fields: dynamic providers are serialized, and Error subclasses do not survive that. */
export interface AdminApiError extends Error {
  readonly method: Method;
  readonly url: string;
  /** HTTP status, or undefined when no answer came. */
  readonly status: number | undefined;
  readonly serverMessage: string;
}

export function adminApiError(method: Method, url: string, status: number | undefined, serverMessage: string): AdminApiError {
  const message = `${method} ${url} ${status === undefined ? "got no answer" : `answered ${status}`}: ${serverMessage}`;
  return Object.assign(new Error(message), { name: "AdminApiError", method, url, status, serverMessage });
}

export class HttpClient {
  private readonly urls: string[];
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.urls = options.baseUrl.split(",").map((u) => u.trim().replace(/\/+$/, "")).filter(Boolean);
    if (this.urls.length === 0) throw new Error("an admin client needs a base URL");
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.attempts = Math.max(1, options.attempts ?? 6);
    this.backoffMs = options.backoffMs ?? 250;
  }

  get baseUrl(): string {
    return this.urls[0];
  }

  /**
   * Sends one request; a 404 answer gives `undefined` when `notFoundOk` is set. The same GET
   * already on its way is not sent twice: callers share its answer (many resources read one
   * cluster's rack map at once).
   */
  async request<T>(method: Method, path: string, body?: unknown, { notFoundOk = false } = {}): Promise<T | undefined> {
    if (method !== "GET") return this.send<T>(method, path, body, notFoundOk);
    const key = `${this.urls.join(",")} ${path} ${notFoundOk} ${this.options.token ?? ""}`;
    const pending = inFlightGets().get(key);
    if (pending) return pending as Promise<T | undefined>;
    const answer = this.send<T>(method, path, body, notFoundOk).finally(() => inFlightGets().delete(key));
    inFlightGets().set(key, answer);
    return answer;
  }

  private async send<T>(method: Method, path: string, body: unknown, notFoundOk: boolean): Promise<T | undefined> {
    let lastError: AdminApiError | undefined;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const base = this.urls[attempt % this.urls.length];
      const url = `${base}${path}`;
      if (attempt > 0) await sleep(Math.min(this.backoffMs * 2 ** (attempt - 1), 5_000));
      let res: Response;
      let text: string;
      const release = await slotFor(base);
      try {
        res = await fetch(url, {
          method,
          headers: this.headers(body !== undefined),
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        text = await res.text().catch(() => "");
      } catch (err) {
        lastError = adminApiError(method, url, undefined, describeNetworkError(err));
        continue;
      } finally {
        release();
      }
      if (res.ok) return parseBody<T>(text);
      const message = serverMessage(text, res.statusText);
      if (res.status === 404 && notFoundOk) return undefined;
      lastError = adminApiError(method, url, res.status, message);
      if (res.status < 500) throw lastError;
    }
    const err = lastError!;
    err.message = `${err.message} (after ${this.attempts} attempts)`;
    throw err;
  }

  private headers(hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": USER_AGENT };
    if (hasBody) headers["content-type"] = "application/json";
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    return headers;
  }
}

function parseBody<T>(text: string): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as unknown as T;
  }
}

/** Pulsar answers errors as `{"reason": "…"}`; BookKeeper as plain text. */
function serverMessage(text: string, statusText: string): string {
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    if (parsed.reason || parsed.message) return String(parsed.reason ?? parsed.message);
  } catch {
    /* not JSON */
  }
  return text.trim().slice(0, 500) || statusText || "no message";
}

function describeNetworkError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  return e.cause?.message ?? e.cause?.code ?? e.message ?? String(err);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GETs on their way, by client and path: a second caller waits for the first one's answer. */
const inFlightGets = () => processState("httpGetsInFlight", () => new Map<string, Promise<unknown>>());

/** At most this many requests at once to one server, however many resources the engine runs in parallel. */
export const MAX_REQUESTS_PER_SERVER = 8;

const busy = () => processState("httpBusyServers", () => new Map<string, { running: number; waiting: (() => void)[] }>());

/** Waits for a free slot of the server; the returned function frees it. */
async function slotFor(server: string): Promise<() => void> {
  const state = busy().get(server) ?? { running: 0, waiting: [] };
  busy().set(server, state);
  if (state.running >= MAX_REQUESTS_PER_SERVER) await new Promise<void>((resolve) => state.waiting.push(resolve));
  else state.running++;
  return () => {
    const next = state.waiting.shift();
    if (next) next();
    else state.running--;
  };
}
