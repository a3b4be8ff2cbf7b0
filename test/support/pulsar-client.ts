import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { USER_AGENT } from "../../admin";
import { JVM_OPTIONS } from "../../runtime";
import { ClientOptions, javaClient } from "./java-client";
import { pulsarHome } from "./toolchain";

/** The client's options for a secured cluster: the token (from a file) and the CA it trusts. */
export const securedClient = (tokenFile: string, caCert: string): ClientOptions => ({ tokenFile, caCert });

/** Produces `count` messages, one entry each, with the distribution's Java client. */
export async function produce(serviceUrl: string, topic: string, count: number, message = "hello", options: ClientOptions = {}): Promise<void> {
  await javaClient().request({ op: "produce", serviceUrl, topic, count, message, options });
}

/** Reads `count` messages from the earliest position with a new subscription; returns how many arrived within 2 minutes. */
export async function consume(serviceUrl: string, topic: string, subscription: string, count: number, options: ClientOptions = {}): Promise<number> {
  return (await javaClient().request({ op: "consume", serviceUrl, topic, subscription, count, timeoutMs: 120_000, options })).consumed ?? 0;
}

export const ADMIN_WRITES: readonly string[] = ["POST", "PUT", "DELETE"];

/**
 * Admin writes (POST, PUT, DELETE) that our client sent to a broker, counted in the broker's own
 * request log: what the broker saw, not what our code believes it sent.
 */
export const adminWritesSeenBy = (brokerDir: string): Promise<number> => adminRequestsSeenBy(brokerDir, ADMIN_WRITES);

/** Admin requests of these methods that our client sent to a broker, counted in its request log. */
export async function adminRequestsSeenBy(brokerDir: string, methods: readonly string[] = ["GET", ...ADMIN_WRITES]): Promise<number> {
  return adminRequestsIn(await fs.readFile(path.join(brokerDir, "logs", "console.log"), "utf8").catch(() => ""), methods);
}

/** Admin requests of these methods from our client in a broker's log, wherever the log is kept (a file, a container's output). */
export function adminRequestsIn(log: string, methods: readonly string[]): number {
  const ours = new RegExp(`"(${methods.join("|")}) /admin/v2/[^"]*" \\d+ \\S+ "[^"]*" "${USER_AGENT.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"`);
  return log.split("\n").filter((line) => ours.test(line)).length;
}

/** A count read until it stops changing: a broker logs a request a moment after it answers. */
export async function settledCount(count: () => Promise<number>, intervalMs = 1_000): Promise<number> {
  let last = await count();
  for (;;) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const now = await count();
    if (now === last) return now;
    last = now;
  }
}

export interface PacedProduction {
  /** Messages the broker acknowledged. */
  readonly sent: number;
  /** The longest a message waited for its acknowledgement: the longest write pause. */
  readonly maxLatencyMs: number;
}

/**
 * Produces at `rate` messages per second, unbatched and without a send time limit, with the
 * distribution's `pulsar-perf`, until stopped; it exits on the first publish failure. `stop`
 * ends it and returns what its shutdown report says.
 */
export function startPacedProducer(serviceUrl: string, topic: string, rate: number): { stop(): Promise<PacedProduction> } {
  const child = spawn(
    path.join(pulsarHome(), "bin", "pulsar-perf"),
    ["produce", "-u", serviceUrl, "-r", String(rate), "-m", "0", "-db", "--send-timeout", "0", "-ef", topic],
    { env: { ...process.env, PULSAR_MEM: JVM_OPTIONS.smallHeap }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    async stop() {
      // With -ef it exits on its own only when a publish failed.
      if (child.exitCode !== null) throw new Error(`pulsar-perf produce to ${topic} stopped early:\n${output.slice(-3000)}`);
      child.kill("SIGTERM");
      await exited;
      const sent = /Aggregated throughput stats --- (\d+) records sent/.exec(output);
      const max = /Aggregated latency stats --- .*Max:\s*([\d.]+)/.exec(output);
      if (!sent || !max) throw new Error(`pulsar-perf produce to ${topic} did not report its totals:\n${output.slice(-3000)}`);
      return { sent: Number(sent[1]), maxLatencyMs: Number(max[1]) };
    },
  };
}
