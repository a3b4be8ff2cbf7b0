import { execFile } from "node:child_process";
import { promises as fs, readFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { StackTopology, TOPOLOGY_KEY, parseStackTopology } from "../config";
import { ADMIN_CA_FILE_KEY, ADMIN_TOKEN_KEY } from "../admin/providers/admin-provider";
import type { AdminCredentials } from "./ledger-report";

/** A stack's file as the ops commands read it: its topology, and the token and CA its admin calls need. */

export const PROJECT_ROOT = path.join(__dirname, "..");
const CONFIG_PREFIX = "pulsar-isolation:";

/** The `config:` section of `Pulumi.<stack>.yaml`. */
function stackConfig(stack: string): Record<string, unknown> {
  const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  const doc = yaml.load(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | undefined;
  return doc?.config ?? {};
}

/** The stack's topology, checked: any runtime, `external` included. */
export function readStackTopology(stack: string): StackTopology {
  return parseStackTopology(stackConfig(stack)[`${CONFIG_PREFIX}${TOPOLOGY_KEY}`], `Pulumi.${stack}.yaml: ${CONFIG_PREFIX}${TOPOLOGY_KEY}`);
}

/**
 * The stack's admin token (decrypted by the project's Pulumi CLI, as `pulumi up` does) and the
 * CA certificate its adminCaFile names; neither is printed.
 */
export async function readStackCredentials(stack: string): Promise<AdminCredentials> {
  const config = stackConfig(stack);
  const caFile = config[`${CONFIG_PREFIX}${ADMIN_CA_FILE_KEY}`];
  const ca = typeof caFile === "string" ? await fs.readFile(path.resolve(PROJECT_ROOT, caFile), "utf8") : undefined;
  const token = config[`${CONFIG_PREFIX}${ADMIN_TOKEN_KEY}`] === undefined ? undefined : await pulumiConfigValue(stack, ADMIN_TOKEN_KEY);
  return { ...(token ? { token } : {}), ...(ca ? { ca } : {}) };
}

function pulumiConfigValue(stack: string, key: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("bash", [path.join(PROJECT_ROOT, "toolchain", "pulumi.sh"), "config", "get", key, "--stack", stack], { cwd: PROJECT_ROOT }, (err, stdout, stderr) =>
      err ? reject(new Error(`pulumi config get ${key} --stack ${stack} failed: ${stderr.trim() || err.message}`)) : resolve(stdout.trim()),
    ),
  );
}
