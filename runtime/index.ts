import * as pulumi from "../lib/pulumi";
import { Topology } from "../config";
import { localPaths, localRunner } from "./local";
import { NodeRunner } from "./runner";
import { BrokerSecurity } from "./security-files";
import { brokerSecurityOf } from "./node-spec";
import { missingSecurityFiles } from "./local/security";

export * from "./node-spec";
export * from "./bootstrap";
export * from "./runner";
export * from "./decommission";
export * from "./bookkeeper-metadata";
export * from "./recovery-deferral";
export * from "./node-control";
export * from "./bookie-membership";
export * from "./security-files";
export { localRunner, localPaths };

/** The runner the topology asks for. */
export function runnerFor(topology: Topology, where: { projectRoot: string; stack: string }): NodeRunner {
  switch (topology.runtime) {
    case "local":
      return localRunner(localPaths(where.projectRoot, where.stack, topology.pulsarVersion));
    // Loaded only when asked for: @pulumi/docker and @pulumi/kubernetes load the whole Pulumi SDK (see lib/pulumi.ts).
    case "docker":
      return (require("./docker") as typeof import("./docker")).dockerStackRunner(topology, where.stack);
    case "kubernetes":
      return (require("./kubernetes") as typeof import("./kubernetes")).kubernetesStackRunner(topology, where.stack);
  }
}

/**
 * A secured topology's broker security, once its files exist in the stack's folder (made by
 * `npm run secure:init -- <stack>`); undefined without security. Missing files stop the program
 * before any resource, naming them and the command that makes them.
 */
export function stackBrokerSecurity(topology: Topology, where: { projectRoot: string; stack: string }): BrokerSecurity | undefined {
  const security = brokerSecurityOf(topology, localPaths(where.projectRoot, where.stack, topology.pulsarVersion).stateDir);
  if (!security) return undefined;
  const missing = missingSecurityFiles(security.dir, topology.clusters.flatMap((c) => c.brokers.map((b) => b.name)));
  if (missing.length) {
    throw new pulumi.RunError(
      `stack ${where.stack} is secured (security is set) but ${security.dir} lacks ${missing.map((f) => f.slice(security.dir.length + 1)).join(", ")}: ` +
        `run \`npm run secure:init -- ${where.stack}\` once; it makes them and sets adminToken and adminCaFile`,
    );
  }
  return security;
}
