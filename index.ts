import * as pulumi from "./lib/pulumi";
import { ExternalTopology, Topology, clusterClientServiceUrl, ledgersServiceUri, loadTopology } from "./config";
import {
  BookieCluster,
  ConfigurationStore,
  NamespaceAffinity,
  PulsarCluster,
  bookieClusterArgs,
  configurationStoreArgs,
  externalIsolationArgs,
  isolationArgs,
  pulsarClusterArgs,
} from "./components";
import { PROGRAM_BUILD, assertCompiledCurrent } from "./lib/compiled-program";
import { runnerFor, stackBrokerSecurity } from "./runtime";

/** The folder of Pulumi.yaml; the program itself runs from bin/ (under test mocks, where the engine sets none, the working folder). */
const projectRoot = pulumi.getRootDirectory() || process.cwd();

/** A topology whose nodes this stack runs: the store, the bookies, each cluster, and the isolation over them. */
function withNodes(topology: Topology) {
  const runner = runnerFor(topology, { projectRoot, stack: pulumi.getStack() });
  // A secured topology's token key, CA and certificates exist before any resource (npm run secure:init).
  const security = stackBrokerSecurity(topology, { projectRoot, stack: pulumi.getStack() });
  const configurationStore = new ConfigurationStore("configuration-store", configurationStoreArgs(topology, runner));
  const bookkeeper = new BookieCluster("bookkeeper", bookieClusterArgs(topology, runner, configurationStore));

  // Each cluster's metadata initialisation waits for the previous one's: both update the shared `public` tenant.
  const clusters: PulsarCluster[] = [];
  for (const cluster of topology.clusters) {
    const previous = clusters[clusters.length - 1];
    clusters.push(
      new PulsarCluster(
        cluster.name,
        pulsarClusterArgs(topology, cluster.name, { runner, configurationStore, bookkeeper, initialiseAfter: previous ? [previous.metadata] : [], security }),
      ),
    );
  }
  const isolation = new NamespaceAffinity("isolation", isolationArgs(topology, { clusters, configurationStore, bookkeeper }));
  return {
    configurationStoreConnect: configurationStore.connectString,
    bookkeeperMetadataServiceUri: bookkeeper.metadataServiceUri,
    adminUrls: Object.fromEntries(clusters.map((c) => [c.clusterName, c.adminUrl])),
    serviceUrls: Object.fromEntries(topology.clusters.map((c) => [c.name, clusterClientServiceUrl(topology, c)])),
    isolation,
  };
}

/** Clusters someone else runs: only the isolation layer over them. */
function onExternalClusters(topology: ExternalTopology) {
  const store = topology.configurationStore?.connect;
  return {
    configurationStoreConnect: store ?? null,
    bookkeeperMetadataServiceUri: store ? ledgersServiceUri(store) : null,
    adminUrls: Object.fromEntries(topology.clusters.map((c) => [c.name, c.adminUrl])),
    // The stack knows the clusters' admin URLs only; their clients' URLs are the operator's.
    serviceUrls: null,
    isolation: new NamespaceAffinity("isolation", externalIsolationArgs(topology)),
  };
}

assertCompiledCurrent(PROGRAM_BUILD, __filename, projectRoot, (message) => new pulumi.RunError(message));
// Checked before any resource exists: a bad stack config stops here with every problem listed.
const topology = loadTopology();
const stack = topology.runtime === "external" ? onExternalClusters(topology) : withNodes(topology);

export const configurationStoreConnect = stack.configurationStoreConnect;
export const bookkeeperMetadataServiceUri = stack.bookkeeperMetadataServiceUri;
export const adminUrls = stack.adminUrls;
export const serviceUrls = stack.serviceUrls;
export const rackMap = stack.isolation.groups;
export const namespaceGroups = stack.isolation.namespaceGroups;
