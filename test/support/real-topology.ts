import * as path from "node:path";
import { promises as fs } from "node:fs";
import { Topology, parseTopology } from "../../config";
import { LocalPaths } from "../../runtime/local";
import { StartedTopology, startTopology, stopTopology } from "./launcher";
import { PROJECT_ROOT, stackTopology } from "./stack-config";
import { pulsarHome } from "./toolchain";

/** Test state lives apart from the stacks a developer deploys. */
export const TEST_STATE_ROOT = path.join(PROJECT_ROOT, ".stacks-test");

export interface RealTopology {
  readonly topology: Topology;
  readonly paths: LocalPaths;
  readonly started: StartedTopology;
}

/** Starts a topology (the dev stack's unless told) from the distribution in a fresh folder. */
export async function startRealTopology(name: string, raw: Record<string, unknown> = stackTopology("dev")): Promise<RealTopology> {
  const topology = parseTopology(raw);
  const paths = { pulsarHome: pulsarHome(), stateDir: path.join(TEST_STATE_ROOT, name) };
  await fs.rm(paths.stateDir, { recursive: true, force: true });
  try {
    return { topology, paths, started: await startTopology(topology, paths) };
  } catch (err) {
    await stopTopology(topology, paths).catch(() => undefined);
    throw err;
  }
}

/** Stops it without waiting for a clean stop: its folder is removed at the next start. */
export async function stopRealTopology(real: RealTopology | undefined): Promise<void> {
  if (real) await stopTopology(real.topology, real.paths, 0);
}
