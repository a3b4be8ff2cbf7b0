import * as pulumi from "../lib/pulumi";
import { AdminAccess } from "../admin";
import { BrokerNode, BrokerSecurity, ManagedLedgerDefaults, NodeRunner, ZooKeeperNode, brokerNode, clusterMetadata, localZooKeeperNode } from "../runtime";
import { BookKeeperRef, ClusterRef, ConfigurationStoreRef } from "./references";
import { localZooKeeperName } from "../rules/names";
import type { GroupSet } from "../rules/isolation";

export interface BrokerArgs extends BrokerNode {
  /** The admin API as the machine running Pulumi reaches it (default: `http://host:webPort`, or `https://host:webPortTls` when secured). */
  readonly webUrl?: string;
}

export interface PulsarClusterArgs {
  /** Runs the cluster's ZooKeeper and brokers, and its metadata bootstrap. */
  readonly runner: NodeRunner;
  /** The cluster's name in Pulsar (default: the component's name). */
  readonly clusterName?: string;
  /** Where the cluster registers and finds tenants and namespaces; holds BookKeeper's metadata too. */
  readonly configurationStore: ConfigurationStoreRef;
  /** The bookies the brokers write to: the brokers start once they are writable. */
  readonly bookkeeper: BookKeeperRef;
  /** The cluster's own ZooKeeper (its name defaults to `<cluster>-zookeeper`). */
  readonly zookeeper: Omit<ZooKeeperNode, "name"> & { readonly name?: string };
  readonly brokers: readonly BrokerArgs[];
  /** The ledgers' default ensemble, quorums and rollover. */
  readonly managedLedger: ManagedLedgerDefaults;
  /** The groups of every ledger the brokers make outside namespace placement: schemas, namespaces without a group. */
  readonly defaultGroups?: GroupSet;
  /** Extra broker.conf settings for every broker. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Token authentication and authorization, and TLS on each broker's TLS ports (every broker then
   * declares them). Admin calls then wait for an `AdminAccess` check of the cluster.
   */
  readonly security?: BrokerSecurity;
  /**
   * Steps this cluster's metadata initialisation waits for. Initialisations update the shared
   * `public` tenant, so two that run at once fail: chain the clusters' `metadata`.
   */
  readonly initialiseAfter?: readonly pulumi.Resource[];
}

/** A Pulsar cluster: its local ZooKeeper, its registration in the configuration store, its brokers. */
export class PulsarCluster extends pulumi.ComponentResource implements ClusterRef {
  readonly clusterName: string;
  readonly adminUrl: string;
  readonly ready: readonly pulumi.Resource[];
  readonly localStore: pulumi.CustomResource;
  /** The one-time registration of the cluster; the next cluster's waits for it. */
  readonly metadata: pulumi.CustomResource;
  /** What the configuration store records for the cluster: every broker's advertised web URL. */
  readonly webServiceUrl: pulumi.Output<string>;
  readonly brokerServiceUrl: pulumi.Output<string>;
  readonly adminUrls: pulumi.Output<string>;

  constructor(name: string, args: PulsarClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulsar:index:PulsarCluster", name, {}, opts);
    const { runner, configurationStore } = args;
    this.clusterName = args.clusterName ?? name;
    const security = args.security;
    this.adminUrl = args.brokers.map((b) => b.webUrl ?? (security ? `https://${b.host}:${b.webPortTls}` : `http://${b.host}:${b.webPort}`)).join(",");
    const webServiceUrl = args.brokers.map((b) => `http://${b.host}:${b.webPort}`).join(",");
    const brokerServiceUrl = "pulsar://" + args.brokers.map((b) => `${b.host}:${b.servicePort}`).join(",");
    const tls = security
      ? {
          webServiceUrlTls: args.brokers.map((b) => `https://${b.host}:${b.webPortTls}`).join(","),
          brokerServiceUrlTls: "pulsar+ssl://" + args.brokers.map((b) => `${b.host}:${b.servicePortTls}`).join(","),
        }
      : {};
    const zookeeper = { ...args.zookeeper, name: args.zookeeper.name ?? localZooKeeperName(this.clusterName) };
    const localStore = `${zookeeper.host}:${zookeeper.clientPort}`;

    this.localStore = runner.node(localZooKeeperNode(zookeeper), { parent: this });
    this.metadata = runner.bootstrap(
      clusterMetadata({ clusterName: this.clusterName, localStore, configurationStore: configurationStore.connect, webServiceUrl, brokerServiceUrl, ...tls }),
      { parent: this, dependsOn: [this.localStore, ...configurationStore.ready, ...(args.initialiseAfter ?? [])] },
    );
    const bookies = args.bookkeeper.bookies.flatMap((b) => (b.ready ? [b.ready] : []));
    const brokers = args.brokers.map((b) =>
      runner.node(
        brokerNode(b, { clusterName: this.clusterName, localStore, configurationStore: configurationStore.connect, managedLedger: args.managedLedger, defaultGroups: args.defaultGroups, settings: args.settings, security }),
        { parent: this, dependsOn: [this.metadata, ...bookies] },
      ),
    );
    // A secured cluster's admin calls wait for the check of the token and the CA against its brokers.
    this.ready = security
      ? [...brokers, new AdminAccess(`${this.clusterName}-admin-access`, { cluster: this.clusterName, adminUrl: this.adminUrl }, { parent: this, dependsOn: brokers })]
      : brokers;
    this.webServiceUrl = pulumi.output(webServiceUrl);
    this.brokerServiceUrl = pulumi.output(brokerServiceUrl);
    this.adminUrls = pulumi.output(this.adminUrl);
    this.registerOutputs({ adminUrls: this.adminUrls, webServiceUrl: this.webServiceUrl, brokerServiceUrl: this.brokerServiceUrl });
  }
}
