import * as pulumi from "@pulumi/pulumi";
import { clusterClientServiceUrl, loadTopology } from "./config";
import {
  BookieCluster,
  ConfigurationStore,
  NamespaceAffinity,
  PulsarCluster,
  bookieClusterArgs,
  configurationStoreArgs,
  isolationArgs,
  pulsarClusterArgs,
} from "./components";
import { runnerFor, stackBrokerSecurity } from "./runtime";

// Checked before any resource exists: a bad stack config stops here with every problem listed.
const topology = loadTopology();
const runner = runnerFor(topology, { projectRoot: process.cwd(), stack: pulumi.getStack() });
// A secured topology's token key, CA and certificates exist before any resource (npm run secure:init).
const security = stackBrokerSecurity(topology, { projectRoot: process.cwd(), stack: pulumi.getStack() });

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

export const configurationStoreConnect = configurationStore.connectString;
export const bookkeeperMetadataServiceUri = bookkeeper.metadataServiceUri;
export const adminUrls = Object.fromEntries(clusters.map((c) => [c.clusterName, c.adminUrl]));
export const serviceUrls = Object.fromEntries(topology.clusters.map((c) => [c.name, clusterClientServiceUrl(topology, c)]));
export const rackMap = isolation.groups;
export const namespaceGroups = isolation.namespaceGroups;
