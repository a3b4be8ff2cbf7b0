import * as pulumi from "@pulumi/pulumi";
import { Topology, configurationStoreConnect } from "../config";
import { NodeRunner, configurationStoreSpec } from "../runtime";

export interface ConfigurationStoreArgs {
  /** The checked topology. */
  readonly topology: Topology;
  /** Runs the store's ZooKeeper. */
  readonly runner: NodeRunner;
}

/** The ZooKeeper that every cluster shares: cluster registrations, tenants, namespace policies and BookKeeper's metadata. */
export class ConfigurationStore extends pulumi.ComponentResource {
  /** `host:port` of the store. */
  readonly connectString: string;
  /** The resource running the store; later steps depend on it. */
  readonly node: pulumi.CustomResource;

  constructor(name: string, args: ConfigurationStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulsar:index:ConfigurationStore", name, {}, opts);
    this.connectString = configurationStoreConnect(args.topology);
    this.node = args.runner.node(configurationStoreSpec(args.topology), { parent: this });
    this.registerOutputs({ connectString: this.connectString });
  }
}
