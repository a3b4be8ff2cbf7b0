import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { USER_AGENT } from "../../admin";
import { pulsarHome } from "./toolchain";

const run = promisify(execFile);
const CLIENT_ENV = { PULSAR_MEM: "-Xms64m -Xmx256m" };

/** Produces `count` messages, one entry each, with the distribution's client (one JVM per batch). */
export async function produce(serviceUrl: string, topic: string, count: number, message = "hello"): Promise<void> {
  const { stdout, stderr } = await run(
    path.join(pulsarHome(), "bin", "pulsar-client"),
    ["--url", serviceUrl, "produce", "-m", message, "-n", String(count), topic],
    { env: { ...process.env, ...CLIENT_ENV }, maxBuffer: 64 * 1024 * 1024 },
  );
  if (!`${stdout}${stderr}`.includes(`${count} messages successfully produced`)) {
    throw new Error(`producing ${count} messages to ${topic} failed:\n${stderr.slice(-2000)}`);
  }
}

/** Reads `count` messages from the earliest position with a new subscription; returns how many arrived. */
export async function consume(serviceUrl: string, topic: string, subscription: string, count: number): Promise<number> {
  const { stdout, stderr } = await run(
    path.join(pulsarHome(), "bin", "pulsar-client"),
    ["--url", serviceUrl, "consume", "-s", subscription, "-p", "Earliest", "-n", String(count), topic],
    { env: { ...process.env, ...CLIENT_ENV }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
  );
  const match = /(\d+) messages successfully consumed/.exec(`${stdout}${stderr}`);
  return match ? Number(match[1]) : 0;
}

/**
 * Admin writes (POST, PUT, DELETE) that our client sent to a broker, counted in the broker's own
 * request log: what the broker saw, not what our code believes it sent.
 */
export async function adminWritesSeenBy(brokerDir: string): Promise<number> {
  const log = await fs.readFile(path.join(brokerDir, "logs", "console.log"), "utf8").catch(() => "");
  const ours = new RegExp(`"(POST|PUT|DELETE) /admin/v2/[^"]*" \\d+ \\S+ "[^"]*" "${USER_AGENT.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"`);
  return log.split("\n").filter((line) => ours.test(line)).length;
}
