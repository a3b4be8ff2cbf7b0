import * as pulumi from "../../lib/pulumi";
import { Topology } from "../../config";
import { NodeRunner } from "../runner";
import { dockerRunner } from "./docker-runner";

export * from "./container-spec";
export * from "./docker-cli";
export * from "./docker-runner";
// The container process (entry scripts, settings) is shared with the kubernetes runtime.
export * from "../container";
export * from "./placement";

/** The stack's docker runner; the registry password comes from the secret stack config, never from the topology. */
export function dockerStackRunner(topology: Topology, stack: string, config = new pulumi.Config()): NodeRunner {
  const registry = topology.docker.registry;
  return dockerRunner({
    topology,
    prefix: `pulsar-${stack}`,
    registryPassword: registry ? config.requireSecret(registry.passwordKey) : undefined,
  });
}
