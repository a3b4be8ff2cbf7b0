import * as path from "node:path";
import { NodeRunner } from "../runner";
import { BootstrapStep } from "./bootstrap-step";
import { LocalNode } from "./local-node";
import { LocalPaths } from "./node-process";

export * from "./node-process";
export * from "./run-command";
export { LocalNode } from "./local-node";
export { BootstrapStep } from "./bootstrap-step";

/**
 * Where a stack's nodes live: `<states>/<stack>/`, where `<states>` is `.stacks` in the project
 * unless PULSAR_ISOLATION_STATE_DIR names another folder; and the unpacked distribution.
 */
export function localPaths(projectRoot: string, stack: string, pulsarVersion: string): LocalPaths {
  const states = process.env.PULSAR_ISOLATION_STATE_DIR ?? path.join(projectRoot, ".stacks");
  return {
    pulsarHome: process.env.PULSAR_HOME ?? path.join(projectRoot, ".toolchain", "pulsar", `apache-pulsar-${pulsarVersion}`),
    stateDir: path.join(path.resolve(projectRoot, states), stack),
  };
}

/** Nodes as processes of the Pulsar distribution on this machine. */
export function localRunner(paths: LocalPaths): NodeRunner {
  return {
    node: (spec, opts) => new LocalNode(spec.name, { spec, paths }, opts),
    bootstrap: (command, opts) => new BootstrapStep(command.name, { command, paths }, opts),
    control: (spec) => ({ kind: "local", spec, paths }),
  };
}

