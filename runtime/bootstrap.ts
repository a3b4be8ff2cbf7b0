import {
  ClusterConfig,
  Topology,
  bookkeeperMetadataServiceUri,
  clusterAdvertisedWebServiceUrl,
  clusterBrokerServiceUrl,
  configurationStoreConnect,
  localZooKeeperConnect,
} from "../config";

/**
 * The one-time bootstrap commands, as data: which distribution script runs with which
 * arguments. Both are safe to repeat: neither wipes metadata that exists.
 */
export interface BootstrapCommand {
  readonly name: string;
  /** Distribution script, relative to PULSAR_HOME. */
  readonly script: "bin/pulsar" | "bin/bookkeeper";
  readonly args: readonly string[];
  /** A configuration file the script reads through this variable, with only these settings. */
  readonly configFile?: { readonly env: string; readonly settings: Readonly<Record<string, string>> };
  /**
   * A regular expression (source text: the command travels through resource state as JSON) for
   * output that means the work was already done: the command then counts as successful.
   */
  readonly alreadyDone?: string;
}

/** Bootstrap commands are short-lived JVMs: small heaps (bin/pulsar reads PULSAR_MEM, bin/bookkeeper BOOKIE_MEM). */
export const bootstrapEnv: Readonly<Record<string, string>> = { PULSAR_MEM: "-Xms64m -Xmx256m", BOOKIE_MEM: "-Xms64m -Xmx256m" };

/**
 * Creates BookKeeper's metadata in the configuration store. Unlike `metaformat`, which wipes
 * existing ledger metadata, `initnewcluster` refuses to touch a cluster that already exists.
 */
export function bookkeeperInitCommand(topology: Topology): BootstrapCommand {
  return {
    name: "bookkeeper-init",
    script: "bin/bookkeeper",
    args: ["shell", "initnewcluster"],
    configFile: { env: "BOOKIE_CONF", settings: { metadataServiceUri: bookkeeperMetadataServiceUri(topology) } },
    // What BookKeeper 4.17 prints when /ledgers exists (checked by running the command twice).
    alreadyDone: String.raw`Ledger root path: \S+ already exists`,
  };
}

/** Registers a cluster in the configuration store and creates its local metadata. */
export function clusterMetadataCommand(topology: Topology, cluster: ClusterConfig): BootstrapCommand {
  return {
    name: `${cluster.name}-metadata`,
    script: "bin/pulsar",
    args: [
      "initialize-cluster-metadata",
      `--cluster=${cluster.name}`,
      `--metadata-store=zk:${localZooKeeperConnect(topology, cluster)}`,
      `--configuration-metadata-store=zk:${configurationStoreConnect(topology)}`,
      // The BookKeeper cluster is shared and initialised once, not per Pulsar cluster.
      `--existing-bk-metadata-service-uri=${bookkeeperMetadataServiceUri(topology)}`,
      `--web-service-url=${clusterAdvertisedWebServiceUrl(topology, cluster)}`,
      `--broker-service-url=${clusterBrokerServiceUrl(topology, cluster)}`,
    ],
  };
}
