import * as pulumi from "@pulumi/pulumi";
import { Topology, bookieHttpUrl, bookieId, bookkeeperMetadataServiceUri, configurationStoreReachableConnect } from "../config";
import { BookieMembership, NodeRunner, bookieSpec, bookkeeperInitCommand } from "../runtime";
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
  /**
   * Each bookie's membership of the cluster, by bookie name: ready once the bookie is writable,
   * and deleted (decommissioning a removed bookie) after its rack entries and before its node.
   */
  readonly memberOf: Record<string, BookieMembership>;

  constructor(name: string, args: BookieClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulsar:index:BookieCluster", name, {}, opts);
    const { topology, runner } = args;
    this.metadataServiceUri = bookkeeperMetadataServiceUri(topology);
    this.bookieIds = Object.fromEntries(topology.bookies.map((b) => [b.name, bookieId(topology, b)]));

    const metadata = runner.bootstrap(bookkeeperInitCommand(topology), { parent: this, dependsOn: [args.configurationStore.node] });
    const httpUrls = new Map(topology.bookies.map((b) => [b.name, bookieHttpUrl(topology, b)]));
    const metadataStore = configurationStoreReachableConnect(topology);
    this.memberOf = {};
    this.nodes = topology.bookies.map((b) => {
      const spec = bookieSpec(topology, b);
      const node = runner.node(spec, { parent: this, dependsOn: [metadata] });
      this.memberOf[b.name] = new BookieMembership(
        `${b.name}-membership`,
        {
          name: b.name,
          bookie: this.bookieIds[b.name],
          httpUrl: httpUrls.get(b.name)!,
          peerUrls: [...httpUrls].filter(([other]) => other !== b.name).map(([, url]) => url),
          metadataStore,
          control: runner.control(spec),
        },
        { parent: this, dependsOn: [node] },
      );
      return node;
    });
    this.registerOutputs({ metadataServiceUri: this.metadataServiceUri, bookieIds: this.bookieIds });
  }
}
