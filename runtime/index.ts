import { Topology } from "../config";
import { dockerStackRunner } from "./docker";
import { kubernetesStackRunner } from "./kubernetes";
import { localPaths, localRunner } from "./local";
import { NodeRunner } from "./runner";

export * from "./node-spec";
export * from "./bootstrap";
export * from "./runner";
export * from "./decommission";
export * from "./node-control";
export * from "./bookie-membership";
export * from "./security-files";
export { localRunner, localPaths };

/** The runner the topology asks for. */
export function runnerFor(topology: Topology, where: { projectRoot: string; stack: string }): NodeRunner {
  switch (topology.runtime) {
    case "local":
      return localRunner(localPaths(where.projectRoot, where.stack, topology.pulsarVersion));
    case "docker":
      return dockerStackRunner(topology, where.stack);
    case "kubernetes":
      return kubernetesStackRunner(topology, where.stack);
  }
}
