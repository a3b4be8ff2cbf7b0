import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_NAME, PROJECT_ROOT } from "./stack-config";
import { toolchainEnv } from "./toolchain";

/** `npm run ledgers -- <stack> [args]` as an operator runs it, on a stack file written for the test. */
export async function runLedgerReport(stack: string, topology: Record<string, unknown>, args: string[] = []): Promise<{ code: number; stdout: string }> {
  await fs.writeFile(stackFile(stack), yaml.dump({ config: { [`${PROJECT_NAME}:topology`]: topology } }));
  return new Promise((resolve) =>
    execFile(
      "node",
      ["-r", "ts-node/register/transpile-only", "ops/ledgers-command.ts", stack, ...args],
      { cwd: PROJECT_ROOT, env: toolchainEnv(), maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout: `${stdout}${stderr}` }),
    ),
  );
}

export const stackFile = (stack: string): string => path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
