import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "./stack-config";

let cached: NodeJS.ProcessEnv | undefined;

/** The environment `toolchain/env.sh` sets up: PATH with the Pulumi CLI, PULSAR_HOME, the offline Pulumi settings. */
export function toolchainEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  if (!cached) {
    const out = execFileSync("bash", ["-c", `source "${path.join(PROJECT_ROOT, "toolchain", "env.sh")}" && env -0`], { encoding: "utf8" });
    cached = Object.fromEntries(
      out.split("\0").filter(Boolean).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
  }
  return { ...cached, ...overrides };
}

export const pulsarHome = (): string => toolchainEnv().PULSAR_HOME!;
