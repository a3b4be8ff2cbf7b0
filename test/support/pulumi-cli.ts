import { ChildProcess, execFile, spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "./stack-config";
import { TEST_STATE_ROOT } from "./real-topology";
import { toolchainEnv } from "./toolchain";

export interface PulumiResult {
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

/** The tests' own Pulumi state and node folders, apart from a developer's stacks. */
export const E2E_ENV = {
  PULUMI_BACKEND_URL: `file://${path.join(TEST_STATE_ROOT, "pulumi-state")}`,
  PULSAR_ISOLATION_STATE_DIR: path.join(TEST_STATE_ROOT, "stacks"),
};

/** Runs the real Pulumi CLI in the project (or in `cwd`), non-interactively; never throws on a non-zero exit. */
export async function pulumi(args: string[], timeoutMs = 900_000, cwd = PROJECT_ROOT): Promise<PulumiResult> {
  await fs.mkdir(path.join(TEST_STATE_ROOT, "pulumi-state"), { recursive: true });
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      "pulumi",
      [...args, "--non-interactive"],
      { cwd, env: toolchainEnv(E2E_ENV), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}`, seconds: (Date.now() - started) / 1000 });
      },
    );
  });
}

/** Like `pulumi`, but a non-zero exit fails with the command's output. */
export async function pulumiOk(args: string[], timeoutMs?: number): Promise<PulumiResult> {
  const result = await pulumi(args, timeoutMs);
  if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited with ${result.code}:\n${result.output.slice(-6000)}`);
  return result;
}

/** Creates the stack in the test backend unless it exists. */
export async function ensureStack(stack: string, cwd = PROJECT_ROOT): Promise<void> {
  const selected = await pulumi(["stack", "select", stack], undefined, cwd);
  if (selected.code !== 0) {
    const created = await pulumi(["stack", "init", stack], undefined, cwd);
    if (created.code !== 0) throw new Error(`pulumi stack init ${stack} exited with ${created.code}:\n${created.output}`);
  }
}

/** Starts the real Pulumi CLI in the background; `output()` holds what it printed so far. */
export function startPulumi(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = "";
  const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: PROJECT_ROOT, env: toolchainEnv(E2E_ENV), stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Runs the project's documented heal (`npm run heal -- <stack>`) against the tests' state; fails on a non-zero exit. */
export async function healStack(stack: string): Promise<PulumiResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile("bash", [path.join(PROJECT_ROOT, "toolchain", "heal.sh"), stack], { cwd: PROJECT_ROOT, env: toolchainEnv(E2E_ENV), timeout: 1_800_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const result = { code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}`, seconds: (Date.now() - started) / 1000 };
      if (error) reject(new Error(`heal of ${stack} failed:\n${result.output.slice(-6000)}`));
      else resolve(result);
    });
  });
}
