import * as pulumi from "@pulumi/pulumi";
import { Topology, bookieId, bookkeeperMetadataServiceUri } from "../config";
import { NodeRunner, bookieSpec, bookkeeperInitCommand } from "../runtime";
import { ConfigurationStore } from "./configuration-store";

export interface BookieClusterArgs {
  readonly topology: Topology;
  readonly runner: NodeRunner;
  /** Holds BookKeeper's metadata (`/ledgers`). */
  readonly configurationStore: ConfigurationStore;
}

/** The one BookKeeper cluster that every Pulsar cluster writes its ledgers to. */
export class BookieCluster extends pulumi.ComponentResource {
  readonly metadataServiceUri: string;
  /** Bookie ids (`host:port`) by bookie name. */
  readonly bookieIds: Record<string, string>;
  /** The resources running the bookies; brokers start after them. */
  readonly nodes: pulumi.CustomResource[];
  /** The resource running each bookie, by bookie name. */
  readonly nodeOf: Record<string, pulumi.CustomResource>;

  constructor(name: string, args: BookieClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulsar:index:BookieCluster", name, {}, opts);
    const { topology, runner } = args;
    this.metadataServiceUri = bookkeeperMetadataServiceUri(topology);
    this.bookieIds = Object.fromEntries(topology.bookies.map((b) => [b.name, bookieId(topology, b)]));

    const metadata = runner.bootstrap(bookkeeperInitCommand(topology), { parent: this, dependsOn: [args.configurationStore.node] });
    this.nodeOf = Object.fromEntries(
      topology.bookies.map((b) => [b.name, runner.node(bookieSpec(topology, b), { parent: this, dependsOn: [metadata] })]),
    );
    this.nodes = Object.values(this.nodeOf);
    this.registerOutputs({ metadataServiceUri: this.metadataServiceUri, bookieIds: this.bookieIds });
  }
}
