import * as pulumi from "../lib/pulumi";
import { BootstrapCommand } from "./bootstrap";
import { NodeControl } from "./node-control";
import { NodeSpec } from "./node-spec";

/**
 * How the nodes of a topology run. Components ask a runner for a node or a bootstrap step and
 * do not care whether it becomes a local process or a container.
 */
export interface NodeRunner {
  /** Registers the resource that runs one node; it is ready when the resource is created. */
  node(spec: NodeSpec, opts: pulumi.CustomResourceOptions): pulumi.CustomResource;
  /** Registers a one-time bootstrap command: run on create, never again. */
  bootstrap(command: BootstrapCommand, opts: pulumi.CustomResourceOptions): pulumi.CustomResource;
  /** How an operation outside the program (a bookie's decommission) stops and starts the node. */
  control(spec: NodeSpec): NodeControl;
  /**
   * Defined when a bookie's node resource only records a change and does not restart the bookie
   * (kubernetes: StatefulSets updated OnDelete): a digest of what the node runs. The bookie's
   * membership restarts the bookie when the digest changes, one bookie at a time. Undefined: the
   * node's own resource restarts it (local: one at a time; docker: the container is replaced).
   */
  bookieRevision?(spec: NodeSpec): string;
}
