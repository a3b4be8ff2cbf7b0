import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, Topology, clusterAdvertisedWebServiceUrl, clusterBrokerServiceUrl, clusterWebServiceUrl } from "../config";
import { NodeRunner, brokerSpec, clusterMetadataCommand, zookeeperSpec } from "../runtime";
import { BookieCluster } from "./bookie-cluster";
import { ConfigurationStore } from "./configuration-store";

export interface PulsarClusterArgs {
  readonly topology: Topology;
  readonly cluster: ClusterConfig;
  readonly runner: NodeRunner;
  readonly configurationStore: ConfigurationStore;
  readonly bookies: BookieCluster;
  /**
   * Steps this cluster's metadata initialisation waits for. Initialisations update the shared
   * `public` tenant, so two that run at once fail; index.ts chains them.
   */
  readonly initialiseAfter?: pulumi.Resource[];
}

/** A Pulsar cluster: its local ZooKeeper, its registration in the configuration store, its brokers. */
export class PulsarCluster extends pulumi.ComponentResource {
  readonly clusterName: string;
  /** Admin REST URL(s) of the cluster: every broker, comma-separated; the client fails over between them. */
  readonly adminUrl: string;
  /** What the configuration store records for the cluster: every broker's URL. */
  readonly webServiceUrl: string;
  readonly brokerServiceUrl: string;
  /** The cluster's local ZooKeeper: its local policies (affinity groups, rack map) live there. */
  readonly zookeeper: pulumi.CustomResource;
  readonly metadata: pulumi.CustomResource;
  readonly brokers: pulumi.CustomResource[];

  constructor(name: string, args: PulsarClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulsar:index:PulsarCluster", name, {}, opts);
    const { topology, cluster, runner } = args;
    this.clusterName = cluster.name;
    this.adminUrl = clusterWebServiceUrl(topology, cluster);
    this.webServiceUrl = clusterAdvertisedWebServiceUrl(topology, cluster);
    this.brokerServiceUrl = clusterBrokerServiceUrl(topology, cluster);

    const zookeeper = (this.zookeeper = runner.node(zookeeperSpec(topology, cluster), { parent: this }));
    this.metadata = runner.bootstrap(clusterMetadataCommand(topology, cluster), {
      parent: this,
      dependsOn: [zookeeper, args.configurationStore.node, ...(args.initialiseAfter ?? [])],
    });
    this.brokers = cluster.brokers.map((b) =>
      runner.node(brokerSpec(topology, cluster, b), { parent: this, dependsOn: [this.metadata, ...Object.values(args.bookies.memberOf)] }),
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      adminUrl: this.adminUrl,
      webServiceUrl: this.webServiceUrl,
      brokerServiceUrl: this.brokerServiceUrl,
    });
  }
}
