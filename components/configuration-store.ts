import * as pulumi from "../lib/pulumi";
import { NodeRunner, ZooKeeperNode, configurationStoreNode } from "../runtime";
import { ConfigurationStoreRef } from "./references";

export interface ConfigurationStoreArgs {
  /** Runs the store's ZooKeeper. */
  readonly runner: NodeRunner;
  /** The store's ZooKeeper: its name, the address it listens on and advertises, its ports. */
  readonly zookeeper: ZooKeeperNode;
  /** `host:port` where the machine running Pulumi reaches the client port, if not the node's own address. */
  readonly reachableConnect?: string;
}

/** The ZooKeeper that every cluster shares: cluster registrations, tenants, namespace policies and BookKeeper's metadata. */
export class ConfigurationStore extends pulumi.ComponentResource implements ConfigurationStoreRef {
  readonly connect: string;
  readonly reachableConnect: string;
  readonly ready: readonly pulumi.Resource[];
  /** `host:port` of the store. */
  readonly connectString: pulumi.Output<string>;
  /** The resource running the store. */
  readonly node: pulumi.CustomResource;

  constructor(name: string, args: ConfigurationStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulsar:index:ConfigurationStore", name, {}, opts);
    const zk = args.zookeeper;
    this.connect = `${zk.host}:${zk.clientPort}`;
    this.reachableConnect = args.reachableConnect ?? this.connect;
    this.node = args.runner.node(configurationStoreNode(zk), { parent: this });
    this.ready = [this.node];
    this.connectString = pulumi.output(this.connect);
    this.registerOutputs({ connectString: this.connectString });
  }
}
