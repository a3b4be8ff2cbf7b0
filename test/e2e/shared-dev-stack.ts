import { promises as fs } from "node:fs";
import * as path from "node:path";
import { warmJavaClient } from "../support/java-client";
import { PulumiResult, ensureStack, pulumi, pulumiOk } from "../support/pulumi-cli";
import { PROJECT_ROOT } from "../support/stack-config";

/**
 * The stack the dev-stack and day-2 suites share: a copy of the dev stack's file, brought up from
 * nothing once per run by the first suite that asks (the dev-stack suite checks that cold `up`),
 * changed by day-2 after the dev-stack suite's checks, and destroyed by day-2's last test, or
 * after every suite when that did not run. One cold `up` and one `destroy` per run instead of two.
 */
export const SHARED_STACK = "e2e-dev";
export const SHARED_STACK_FILE = path.join(PROJECT_ROOT, `Pulumi.${SHARED_STACK}.yaml`);

let coldUp: Promise<PulumiResult> | undefined;
let destroyed = false;

export function sharedDevStack(): Promise<PulumiResult> {
  coldUp ??= (async () => {
    warmJavaClient();
    await fs.copyFile(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), SHARED_STACK_FILE);
    await ensureStack(SHARED_STACK);
    return pulumiOk(["up", "--stack", SHARED_STACK, "--yes"]);
  })();
  return coldUp;
}

export function destroySharedDevStack(): Promise<PulumiResult> {
  destroyed = true;
  return pulumiOk(["destroy", "--stack", SHARED_STACK, "--yes"]);
}

export const mochaHooks = {
  async afterAll(): Promise<void> {
    if (!coldUp) return;
    await coldUp.catch(() => undefined);
    if (!destroyed) await pulumi(["destroy", "--stack", SHARED_STACK, "--yes"]);
    await pulumi(["stack", "rm", SHARED_STACK, "--yes", "--force"]);
    await fs.rm(SHARED_STACK_FILE, { force: true });
  },
};
