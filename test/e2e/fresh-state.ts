import { promises as fs } from "node:fs";
import * as path from "node:path";
import { TEST_STATE_ROOT } from "../support/real-topology";

/** Every end-to-end run starts from nothing: no Pulumi state, lock or node folder of an earlier run. */
export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await fs.rm(path.join(TEST_STATE_ROOT, "pulumi-state"), { recursive: true, force: true });
    await fs.rm(path.join(TEST_STATE_ROOT, "stacks"), { recursive: true, force: true });
  },
};
