import { execFile } from "node:child_process";
import * as path from "node:path";
import { hostOf } from "../config";
import { localPaths, securityDir, securityFiles } from "../runtime";
import { ensureSecurityMaterial, mintToken } from "../runtime/local/security";
import { PROJECT_ROOT, readStackTopology } from "./stack-file";

/**
 * `npm run secure:init -- <stack>`: the one-time bootstrap of a secured stack, before its first
 * `pulumi up` (the admin token must be in the stack config when the providers are configured, so
 * the key that signs it must exist first). Makes the token key, the brokers' token, the private CA
 * and a certificate per broker in the stack's folder, keeps whatever exists, and sets the stack
 * config: `adminToken` (a secret, a token of security.superUserRole) and `adminCaFile` (the CA's
 * certificate, which the providers trust), each only if not set. Prints no secret.
 */
const projectRoot = PROJECT_ROOT;

function pulumi(args: string[], input?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile("pulumi", args, { cwd: projectRoot }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
    child.stdin!.end(input ?? "");
  });
}

async function setUnlessSet(stack: string, key: string, value: () => Promise<string>, secret: boolean): Promise<boolean> {
  if ((await pulumi(["config", "get", key, "--stack", stack])).code === 0) return false;
  // The value goes through standard input, never the command line (where `ps` would show it).
  const set = await pulumi(["config", "set", key, "--stack", stack, ...(secret ? ["--secret"] : [])], `${await value()}\n`);
  if (set.code !== 0) throw new Error(`pulumi config set ${key} --stack ${stack} failed:\n${set.output}`);
  return true;
}

async function main(stack: string): Promise<void> {
  const topology = readStackTopology(stack);
  // An external stack's brokers are someone else's: their keys and certificates too.
  if (topology.runtime === "external" || !topology.security) {
    console.log(`[secure:init] stack ${stack} declares no security: nothing to do`);
    return;
  }
  const dir = securityDir(localPaths(projectRoot, stack, topology.pulsarVersion).stateDir);
  const brokers = topology.clusters.flatMap((c) => c.brokers.map((b) => ({ name: b.name, host: hostOf(topology, b) })));
  const made = await ensureSecurityMaterial(dir, brokers, topology.security);
  console.log(made.length ? `[secure:init] made in ${dir}: ${made.map((f) => path.basename(f)).join(", ")}` : `[secure:init] ${dir} already holds every key and certificate`);
  const caFile = securityFiles(dir).caCert;
  if (await setUnlessSet(stack, "adminCaFile", async () => caFile, false)) console.log(`[secure:init] stack ${stack}: adminCaFile = ${caFile}`);
  if (await setUnlessSet(stack, "adminToken", () => mintToken(dir, topology.security!.superUserRole), true)) {
    console.log(`[secure:init] stack ${stack}: adminToken set as a secret (role ${topology.security.superUserRole})`);
  }
}

main(process.argv[2] ?? "secure").catch((err: Error) => {
  console.error(`[secure:init] ${err.message}`);
  process.exit(1);
});
