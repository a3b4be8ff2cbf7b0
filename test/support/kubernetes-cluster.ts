import { execFile, execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "./stack-config";
import { toolchainEnv } from "./toolchain";

/** Where toolchain/kubernetes/env.sh puts the cluster's binaries and admin kubeconfig. */
export interface KubernetesToolchain {
  readonly bin: string;
  readonly kubeconfig: string;
}

let cached: KubernetesToolchain | undefined;

export function kubernetesToolchain(): KubernetesToolchain {
  if (!cached) {
    const script = `source "${path.join(PROJECT_ROOT, "toolchain", "kubernetes", "env.sh")}" && printf '%s\\0' "$K8S_BIN" "$KUBECONFIG_ADMIN"`;
    const [bin, kubeconfig] = execFileSync("bash", ["-c", script], { encoding: "utf8" }).split("\0");
    cached = { bin, kubeconfig };
  }
  return cached;
}

export interface CommandResult {
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

function run(file: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = toolchainEnv()): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(file, args, { cwd: PROJECT_ROOT, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`, seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function ok(what: string, result: Promise<CommandResult>): Promise<CommandResult> {
  const done = await result;
  if (done.code !== 0) throw new Error(`${what} exited with ${done.code}:\n${done.output.slice(-6000)}`);
  return done;
}

/** `toolchain/kubernetes/cluster.sh up|down`: the single-node cluster, from nothing and back to nothing. */
export const cluster = (action: "up" | "down"): Promise<CommandResult> =>
  ok(`cluster.sh ${action}`, run("bash", [path.join(PROJECT_ROOT, "toolchain", "kubernetes", "cluster.sh"), action], 900_000));

/** kubectl with the cluster's admin kubeconfig; fails with its output. */
export async function kubectl(args: string[], timeoutMs = 120_000): Promise<string> {
  const k8s = kubernetesToolchain();
  return (await ok(`kubectl ${args.join(" ")}`, run(path.join(k8s.bin, "kubectl"), ["--kubeconfig", k8s.kubeconfig, ...args], timeoutMs))).output;
}

/** kubectl's JSON for a query. */
export const kubectlJson = async <T = any>(args: string[]): Promise<T> => JSON.parse(await kubectl([...args, "-o", "json"])) as T;

/**
 * The distribution's client inside a broker's pod, where the names the brokers advertise resolve
 * (the machine running the tests reaches only NodePorts).
 */
export class PodPulsarClient {
  constructor(
    private readonly namespace: string,
    private readonly pod: string,
    private readonly serviceUrl: string,
  ) {}

  private client(args: string[], timeoutMs = 300_000): Promise<string> {
    return kubectl(["-n", this.namespace, "exec", this.pod, "--", "env", "PULSAR_MEM=-Xms64m -Xmx256m", "bin/pulsar-client", "--url", this.serviceUrl, ...args], timeoutMs);
  }

  /** Produces `count` messages, one entry each. */
  async produce(topic: string, count: number): Promise<void> {
    const out = await this.client(["produce", "-m", "hello", "-n", String(count), topic]);
    if (!out.includes(`${count} messages successfully produced`)) throw new Error(`producing ${count} messages to ${topic} failed:\n${out.slice(-2000)}`);
  }

  /** Reads up to `count` messages from the earliest position with a new subscription; returns how many arrived. */
  async consume(topic: string, subscription: string, count: number): Promise<number> {
    const out = await this.client(["consume", "-s", subscription, "-p", "Earliest", "-n", String(count), topic]);
    const match = /(\d+) messages successfully consumed/.exec(out);
    return match ? Number(match[1]) : 0;
  }
}

/** The real Pulumi CLI with its own state folder (apart from the other end-to-end suites' state) and a stack config file. */
export class StackCli {
  constructor(
    readonly stack: string,
    private readonly backendDir: string,
    private readonly configFile: string,
  ) {}

  /** A command on the stack with its config file (up, preview, refresh, destroy, config, stack output). */
  run(args: string[], timeoutMs = 1_200_000): Promise<CommandResult> {
    return this.cli([...args, "--stack", this.stack, "--config-file", this.configFile], timeoutMs);
  }

  /** The stack's outputs (`pulumi stack output` reads no config file). */
  async outputs(): Promise<Record<string, any>> {
    return JSON.parse((await ok("pulumi stack output", this.cli(["stack", "output", "--json", "--stack", this.stack], 60_000))).output);
  }

  /** Creates the stack in the state folder unless it exists. */
  async init(): Promise<void> {
    if ((await this.cli(["stack", "select", this.stack], 60_000)).code !== 0) await ok("pulumi stack init", this.cli(["stack", "init", this.stack], 60_000));
  }

  private cli(args: string[], timeoutMs: number): Promise<CommandResult> {
    return run("pulumi", [...args, "--non-interactive"], timeoutMs, toolchainEnv({ PULUMI_BACKEND_URL: `file://${this.backendDir}` }));
  }

  ok(args: string[], timeoutMs?: number): Promise<CommandResult> {
    return ok(`pulumi ${args.join(" ")}`, this.run(args, timeoutMs));
  }
}

/**
 * Resident memory (MB) of the cluster's own processes (etcd, containerd and its shims, the
 * Kubernetes components) and of everything its pods run, read from /proc.
 */
export async function clusterMemory(): Promise<{ controlPlaneMB: number; podsMB: number }> {
  const { bin, kubeconfig } = kubernetesToolchain();
  const clusterDir = path.dirname(path.dirname(kubeconfig));
  let controlPlane = 0;
  let pods = 0;
  for (const pid of (await fs.readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    try {
      const [status, cgroup, cmdline] = await Promise.all(["status", "cgroup", "cmdline"].map((f) => fs.readFile(`/proc/${pid}/${f}`, "utf8")));
      const exe = await fs.readlink(`/proc/${pid}/exe`);
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (/:\/kubepods\b/.test(cgroup)) pods += rssKb;
      else if (exe.startsWith(bin) || (/\/(etcd|containerd|containerd-shim-runc-v2)$/.test(exe) && (cmdline.includes("pulsar-isolation") || cmdline.includes(clusterDir)))) controlPlane += rssKb;
    } catch {
      /* the process ended meanwhile, or is not ours to read */
    }
  }
  return { controlPlaneMB: Math.round(controlPlane / 1024), podsMB: Math.round(pods / 1024) };
}
