import {
  ClusterConfig,
  Topology,
  clusterAdvertisedWebServiceUrl,
  clusterAdvertisedWebServiceUrlTls,
  clusterBrokerServiceUrl,
  clusterBrokerServiceUrlTls,
  configurationStoreConnect,
  ledgersServiceUri,
  localZooKeeperConnect,
} from "../config";
import { JVM_OPTIONS } from "./node-spec";

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

/**
 * Bootstrap commands are short-lived JVMs (bin/pulsar reads PULSAR_*, bin/bookkeeper BOOKIE_*): small
 * heaps, and the quick compiler alone, which saved about 2 s of the dev topology's bootstrap step.
 */
const BOOTSTRAP_GC = `${JVM_OPTIONS.serialGc} ${JVM_OPTIONS.quickJit}`;
export const bootstrapEnv: Readonly<Record<string, string>> = {
  PULSAR_MEM: JVM_OPTIONS.smallHeap,
  BOOKIE_MEM: JVM_OPTIONS.smallHeap,
  PULSAR_GC: BOOTSTRAP_GC,
  BOOKIE_GC: BOOTSTRAP_GC,
};

/**
 * Creates BookKeeper's metadata in the configuration store (`host:port`). Unlike `metaformat`,
 * which wipes existing ledger metadata, `initnewcluster` refuses to touch a cluster that already exists.
 */
export function bookkeeperInit(configurationStore: string): BootstrapCommand {
  return {
    name: "bookkeeper-init",
    script: "bin/bookkeeper",
    args: ["shell", "initnewcluster"],
    configFile: { env: "BOOKIE_CONF", settings: { metadataServiceUri: ledgersServiceUri(configurationStore) } },
    // What BookKeeper 4.17 prints when /ledgers exists (checked by running the command twice).
    alreadyDone: String.raw`Ledger root path: \S+ already exists`,
  };
}

/** Where a cluster registers and how it is reached, as `initialize-cluster-metadata` records it. */
export interface ClusterRegistration {
  readonly clusterName: string;
  /** The cluster's own ZooKeeper, `host:port`. */
  readonly localStore: string;
  /** The shared configuration store, `host:port`. */
  readonly configurationStore: string;
  /** Every broker's advertised web URL, comma-separated. */
  readonly webServiceUrl: string;
  /** `pulsar://` and every broker's advertised `host:port`, comma-separated. */
  readonly brokerServiceUrl: string;
  /** A secured cluster's `https://` web URLs, comma-separated. */
  readonly webServiceUrlTls?: string;
  /** A secured cluster's `pulsar+ssl://` service URL. */
  readonly brokerServiceUrlTls?: string;
}

/** Registers a cluster in the configuration store and creates its local metadata. */
export function clusterMetadata(cluster: ClusterRegistration): BootstrapCommand {
  return {
    name: `${cluster.clusterName}-metadata`,
    script: "bin/pulsar",
    args: [
      "initialize-cluster-metadata",
      `--cluster=${cluster.clusterName}`,
      `--metadata-store=zk:${cluster.localStore}`,
      `--configuration-metadata-store=zk:${cluster.configurationStore}`,
      // The BookKeeper cluster is shared and initialised once, not per Pulsar cluster.
      `--existing-bk-metadata-service-uri=${ledgersServiceUri(cluster.configurationStore)}`,
      `--web-service-url=${cluster.webServiceUrl}`,
      `--broker-service-url=${cluster.brokerServiceUrl}`,
      ...(cluster.webServiceUrlTls ? [`--web-service-url-tls=${cluster.webServiceUrlTls}`] : []),
      ...(cluster.brokerServiceUrlTls ? [`--broker-service-url-tls=${cluster.brokerServiceUrlTls}`] : []),
    ],
  };
}

// The topology's bootstrap commands, as the stack config declares it.

export const bookkeeperInitCommand = (topology: Topology): BootstrapCommand => bookkeeperInit(configurationStoreConnect(topology));

export const clusterMetadataCommand = (topology: Topology, cluster: ClusterConfig): BootstrapCommand =>
  clusterMetadata({
    clusterName: cluster.name,
    localStore: localZooKeeperConnect(topology, cluster),
    configurationStore: configurationStoreConnect(topology),
    webServiceUrl: clusterAdvertisedWebServiceUrl(topology, cluster),
    brokerServiceUrl: clusterBrokerServiceUrl(topology, cluster),
    webServiceUrlTls: clusterAdvertisedWebServiceUrlTls(topology, cluster),
    brokerServiceUrlTls: clusterBrokerServiceUrlTls(topology, cluster),
  });
