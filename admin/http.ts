/**
 * A small JSON-over-HTTP client for Pulsar's admin APIs (broker `/admin/v2`, bookie `/api/v1`):
 * a time limit per request, retries with backoff while a node starts, and errors that name the
 * method, the URL, the status and the server's own message. The token never appears in errors.
 */
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

  /** Sends one request; a 404 answer gives `undefined` when `notFoundOk` is set. */
  async request<T>(method: Method, path: string, body?: unknown, { notFoundOk = false } = {}): Promise<T | undefined> {
    let lastError: AdminApiError | undefined;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const base = this.urls[attempt % this.urls.length];
      const url = `${base}${path}`;
      if (attempt > 0) await sleep(Math.min(this.backoffMs * 2 ** (attempt - 1), 5_000));
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: this.headers(body !== undefined),
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        lastError = adminApiError(method, url, undefined, describeNetworkError(err));
        continue;
      }
      if (res.ok) return parseBody<T>(await res.text());
      const message = serverMessage(await res.text().catch(() => ""), res.statusText);
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
