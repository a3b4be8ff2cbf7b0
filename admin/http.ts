/**
 * A small JSON-over-HTTP client for Pulsar's admin APIs (broker `/admin/v2`, bookie `/api/v1`):
 * a time limit per request, retries with backoff while a node starts, and errors that name the
 * method, the URL, the status and the server's own message, and for a failure of access (token,
 * certificate, no answer) what to do about it. The token never appears in errors.
 */

import * as http from "node:http";
import * as https from "node:https";
import { processState } from "../lib/process-state";
import { FailureKind, accessAdvice, failureKind, isTlsFailure } from "./access-errors";

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
  /** How long every attempt may be refused (nothing listens: a node that is down) before the client gives up early. */
  readonly refusedForMs?: number;
  /** PEM certificates of the CAs trusted for `https://` URLs, instead of the system's (a stack's private CA). */
  readonly ca?: string;
  /** The Pulsar cluster behind the URL, named in errors. */
  readonly cluster?: string;
}

export const USER_AGENT = "pulsar-isolation-admin/0.1";

/** As long as the ZooKeeper store waits on servers that all refuse (admin/zookeeper.ts). */
const REFUSED_FOR_MS = 3_000;

export type Method = "GET" | "PUT" | "POST" | "DELETE";

/** An admin call that failed. A plain Error with fields: dynamic providers are serialized, and Error subclasses do not survive that. */
export interface AdminApiError extends Error {
  readonly method: Method;
  readonly url: string;
  /** HTTP status, or undefined when no answer came. */
  readonly status: number | undefined;
  readonly serverMessage: string;
  /** Why access failed (token, role, certificate, no answer); undefined for other failures. */
  readonly kind?: FailureKind;
}

export interface FailureContext {
  /** Node's error code when no answer came. */
  readonly code?: string;
  readonly hadToken?: boolean;
  readonly cluster?: string;
}

/**
 * `[cluster X: ]METHOD URL answered N: reason[. What to do]`. Access failures (401, 403, TLS, no
 * answer) end with what to do about them (admin/access-errors.ts).
 */
export function adminApiError(method: Method, url: string, status: number | undefined, serverMessage: string, context: FailureContext = {}): AdminApiError {
  const kind = failureKind({ status, code: context.code, hadToken: context.hadToken ?? false, serverMessage });
  const outcome =
    status !== undefined ? `answered ${status}` : kind === "scheme-mismatch" ? "met another protocol" : isTlsFailure(kind) ? "failed the TLS handshake" : "got no answer";
  const message = `${context.cluster ? `cluster ${context.cluster}: ` : ""}${method} ${url} ${outcome}: ${serverMessage}`;
  return Object.assign(new Error(message), { name: "AdminApiError", method, url, status, serverMessage, kind });
}

/** The error's message with its advice appended: called once, when the client gives up. */
function withAdvice(err: AdminApiError): AdminApiError {
  const advice = accessAdvice(err.kind);
  if (advice) err.message = `${err.message}. ${advice}`;
  return err;
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
    const context = { hadToken: Boolean(this.options.token), cluster: this.options.cluster };
    // Since when every attempt has been refused: a refresh with a broker down warns without waiting out every attempt.
    let refusedSince: number | undefined;
    let attempt = 0;
    for (; attempt < this.attempts; attempt++) {
      if (refusedSince !== undefined && Date.now() - refusedSince >= (this.options.refusedForMs ?? REFUSED_FOR_MS)) break;
      const base = this.urls[attempt % this.urls.length];
      const url = `${base}${path}`;
      if (attempt > 0) await sleep(Math.min(this.backoffMs * 2 ** (attempt - 1), 5_000));
      let res: Answer;
      const release = await slotFor(base);
      try {
        res = await exchange(url, method, this.headers(body !== undefined), body === undefined ? undefined : JSON.stringify(body), this.timeoutMs, this.options.ca);
      } catch (err) {
        const e = err as { code?: string };
        lastError = adminApiError(method, url, undefined, describeNetworkError(err), { ...context, code: e.code });
        // A certificate that is not trusted now will not be trusted on the next attempt.
        if (isTlsFailure(lastError.kind)) throw withAdvice(lastError);
        refusedSince = e.code === "ECONNREFUSED" ? (refusedSince ?? Date.now()) : undefined;
        continue;
      } finally {
        release();
      }
      if (res.status >= 200 && res.status < 300) return parseBody<T>(res.text);
      const message = serverMessage(res.text, res.statusText);
      if (res.status === 404 && notFoundOk) return undefined;
      lastError = adminApiError(method, url, res.status, message, context);
      if (res.status < 500) throw withAdvice(lastError);
      refusedSince = undefined;
    }
    const err = lastError!;
    err.message = `${err.message} (after ${attempt} attempts)`;
    throw withAdvice(err);
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
  const e = err as { name?: string; message?: string; code?: string };
  if (e.name === "TimeoutError") return "timed out";
  return e.message || e.code || String(err);
}

interface Answer {
  readonly status: number;
  readonly statusText: string;
  readonly text: string;
}

/** One request and its whole answer, over http or https (with the given CAs); rejects on no answer within the time limit. */
function exchange(url: string, method: Method, headers: Record<string, string>, body: string | undefined, timeoutMs: number, ca: string | undefined): Promise<Answer> {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  return new Promise<Answer>((resolve, reject) => {
    const req = (secure ? https : http).request(
      target,
      { method, headers, ...(secure ? { agent: httpsAgent(ca) } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error("timed out"), { name: "TimeoutError" })), timeoutMs);
    req.on("error", reject);
    req.on("close", () => clearTimeout(timer));
    req.end(body);
  });
}

/** One keep-alive agent per set of trusted CAs (the system's when none is given). */
function httpsAgent(ca: string | undefined): https.Agent {
  const agents = processState("httpsAgents", () => new Map<string, https.Agent>());
  const key = ca ?? "";
  let agent = agents.get(key);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) });
    agents.set(key, agent);
  }
  return agent;
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
