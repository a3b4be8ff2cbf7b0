import { spawn } from "node:child_process";
import { promises as fs, openSync, closeSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { removeStaleRegistration } from "../bookie-registration";
import { DATA_DIR, NodeSpec, jvmEnv } from "../node-spec";
import { answersReady, waitFor } from "./wait";
import { isAlive } from "../../lib/process-alive";

export { isAlive };

/**
 * Runs one node of a topology as a process of the Pulsar distribution, in its own folder:
 * `<stateDir>/<node>/{conf,data,logs}` and a `pid` file. The one way a node runs locally,
 * for `pulumi up` (the local runtime) and for the tests alike.
 */
export interface LocalPaths {
  /** The unpacked Pulsar distribution. */
  readonly pulsarHome: string;
  /** The stack's folder; each node gets a sub-folder named after it. */
  readonly stateDir: string;
}

export interface NodeStatus {
  readonly running: boolean;
  readonly pid?: number;
  /** Not running, but its pid file outlived its process: the node died without being stopped. */
  readonly died?: boolean;
}

export const nodeDir = (paths: LocalPaths, name: string) => path.join(paths.stateDir, name);
const pidFile = (paths: LocalPaths, name: string) => path.join(nodeDir(paths, name), "pid");
const logFile = (paths: LocalPaths, name: string) => path.join(nodeDir(paths, name), "logs", "console.log");

/** Applies settings over a `key=value` configuration file: replaces keys in place, appends the rest. */
export function applySettings(original: string, settings: Readonly<Record<string, string>>): string {
  const pending = new Map(Object.entries(settings));
  const lines = original.split("\n").map((line) => {
    const match = /^\s*([^#\s=]+)\s*=/.exec(line);
    if (!match || !pending.has(match[1])) return line;
    const value = pending.get(match[1]);
    pending.delete(match[1]);
    return `${match[1]}=${value}`;
  });
  const appended = [...pending].map(([k, v]) => `${k}=${v}`);
  return [...lines, ...(appended.length ? ["", "# Set by pulsar-isolation", ...appended] : [])].join("\n") + "\n";
}

/** Writes the node's configuration file and returns its path. Data already in the folder stays. */
export async function prepareNode(spec: NodeSpec, paths: LocalPaths): Promise<string> {
  const dir = nodeDir(paths, spec.name);
  await Promise.all(["conf", "data", "logs"].map((d) => fs.mkdir(path.join(dir, d), { recursive: true })));
  const dataDir = path.join(dir, "data");
  const settings = Object.fromEntries(
    Object.entries(spec.settings).map(([k, v]) => [k, v.split(DATA_DIR).join(dataDir)]),
  );
  const original = await fs.readFile(path.join(paths.pulsarHome, spec.configFile), "utf8");
  const confPath = path.join(dir, "conf", path.basename(spec.configFile));
  await fs.writeFile(confPath, applySettings(original, settings));
  return confPath;
}

export function processEnv(spec: NodeSpec, paths: LocalPaths, confPath: string): NodeJS.ProcessEnv {
  // The nodes of a local topology share one machine's cores and start together: with the quick
  // compiler alone, the dev topology's nodes serve after about 21 s instead of 34 s on 2 cores.
  const env = jvmEnv(spec.env, "quick");
  return {
    ...process.env,
    ...env,
    // Bookies (`bin/pulsar bookie`) read BOOKIE_GC, which would otherwise come from the environment or PULSAR_GC.
    BOOKIE_GC: env.PULSAR_GC,
    PULSAR_HOME: paths.pulsarHome,
    [spec.configFileEnv]: confPath,
    PULSAR_LOG_DIR: path.join(nodeDir(paths, spec.name), "logs"),
    PULSAR_PID_DIR: nodeDir(paths, spec.name),
  };
}

export async function nodeStatus(paths: LocalPaths, name: string): Promise<NodeStatus> {
  const pid = await readPid(paths, name);
  if (pid === undefined) return { running: false };
  return isAlive(pid) ? { running: true, pid } : { running: false, died: true };
}

/** Starts the node unless it already runs, and waits until it answers its readiness check. */
export async function startNode(spec: NodeSpec, paths: LocalPaths, timeoutMs = 180_000): Promise<number> {
  const status = await nodeStatus(paths, spec.name);
  if (status.running) {
    await waitUntilReady(spec, paths, status.pid!, timeoutMs);
    return status.pid!;
  }
  const died = status.died === true;
  // A port held by another process would answer the readiness check in our node's place. A JVM
  // just killed holds its ports a moment after its main thread is gone.
  let busy = await busyPorts(spec);
  if (busy.length && died) {
    await waitFor(`${spec.name}'s ports to be released`, async () => (busy = await busyPorts(spec)).length === 0, { timeoutMs: 10_000, intervalMs: 200 }).catch(() => undefined);
  }
  if (busy.length) throw new Error(`${spec.name} cannot start: ${busy.join(", ")} on ${spec.host} already in use by another process`);
  if (spec.role === "bookie" && died) await removeStaleRegistration(spec);
  const confPath = await prepareNode(spec, paths);
  const logStart = await fs.stat(logFile(paths, spec.name)).then((st) => st.size, () => 0);
  const pid = launchNode(spec, paths, confPath);
  await waitUntilReady(spec, paths, pid, timeoutMs);
  const marker = await failureLogged(spec, paths, logStart);
  if (marker) {
    await stopNode(spec, paths);
    throw new Error(`${spec.name} started wrong: its log says "${marker}"; stopped it. Last lines of ${logFile(paths, spec.name)}:\n${await tail(paths, spec.name)}`);
  }
  return pid;
}

/**
 * Spawns the node detached, its output appended to its log; returns its pid. The node writes its own
 * pid file before it becomes the JVM, so a run killed right after the spawn leaves no node that the
 * next run cannot find.
 */
export function launchNode(spec: NodeSpec, paths: LocalPaths, confPath: string): number {
  const out = openSync(logFile(paths, spec.name), "a");
  const child = spawn("sh", ["-c", 'echo $$ > "$0" && exec "$@"', pidFile(paths, spec.name), path.join(paths.pulsarHome, "bin", "pulsar"), ...spec.command], {
    cwd: nodeDir(paths, spec.name),
    env: processEnv(spec, paths, confPath),
    detached: true,
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  child.unref();
  return child.pid!;
}

/** The first of the spec's failure markers that this start has logged. */
async function failureLogged(spec: NodeSpec, paths: LocalPaths, fromByte: number): Promise<string | undefined> {
  if (!spec.failureMarkers?.length) return undefined;
  const log = await fs.readFile(logFile(paths, spec.name)).then((b) => b.subarray(fromByte).toString("utf8"), () => "");
  return spec.failureMarkers.find((m) => log.includes(m));
}

async function waitUntilReady(spec: NodeSpec, paths: LocalPaths, pid: number, timeoutMs: number): Promise<void> {
  const url = `http://${spec.host}:${spec.readiness.port}${spec.readiness.path}`;
  await waitFor(
    `${spec.name} to answer ${url}`,
    async () => {
      if (!isAlive(pid)) {
        throw new Error(`${spec.name} exited while starting; last lines of ${logFile(paths, spec.name)}:\n${await tail(paths, spec.name)}`);
      }
      return answersReady(url);
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** Stops the node (TERM, then KILL after the grace period) and waits until its ports are free. */
export async function stopNode(spec: NodeSpec, paths: LocalPaths, graceMs = 30_000): Promise<void> {
  const pid = await readPid(paths, spec.name);
  if (pid !== undefined && isAlive(pid)) {
    signal(pid, "SIGTERM");
    const stopped = await waitFor(`${spec.name} to stop`, async () => !isAlive(pid), { timeoutMs: graceMs, intervalMs: 200 }).then(
      () => true,
      () => false,
    );
    if (!stopped) {
      signal(pid, "SIGKILL");
      await waitFor(`${spec.name} to be killed`, async () => !isAlive(pid), { timeoutMs: 10_000, intervalMs: 100 });
    }
  }
  await fs.rm(pidFile(paths, spec.name), { force: true });
  await waitFor(`${spec.name}'s ports to be free`, async () => (await busyPorts(spec)).length === 0, { timeoutMs: 30_000, intervalMs: 200 });
}

/** Removes the node's folder: its configuration, data and logs. */
export async function removeNodeFiles(paths: LocalPaths, name: string): Promise<void> {
  await fs.rm(nodeDir(paths, name), { recursive: true, force: true });
}

async function readPid(paths: LocalPaths, name: string): Promise<number | undefined> {
  try {
    const pid = Number((await fs.readFile(pidFile(paths, name), "utf8")).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // the node's whole process group
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/** The node's ports that something answers on, as `name port`. */
async function busyPorts(spec: NodeSpec): Promise<string[]> {
  const busy = await Promise.all(Object.entries(spec.ports).map(async ([name, port]) => ((await portFree(spec.host, port)) ? [] : [`${name} ${port}`])));
  return busy.flat();
}

async function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

async function tail(paths: LocalPaths, name: string, lines = 30): Promise<string> {
  const logs = path.join(nodeDir(paths, name), "logs");
  const files = await fs.readdir(logs).catch(() => [] as string[]);
  const chunks = await Promise.all(
    files.filter((f) => f.endsWith(".log")).map(async (f) => (await fs.readFile(path.join(logs, f), "utf8")).split("\n").slice(-lines).join("\n")),
  );
  return chunks.join("\n");
}
