import * as pulumi from "@pulumi/pulumi";
import { loadTopology } from "./config";
import { BookieCluster, ConfigurationStore, NamespaceAffinity, PulsarCluster } from "./components";
import { runnerFor } from "./runtime";

// Checked before any resource exists: a bad stack config stops here with every problem listed.
const topology = loadTopology();
const runner = runnerFor(topology, { projectRoot: process.cwd(), stack: pulumi.getStack() });

const configurationStore = new ConfigurationStore("configuration-store", { topology, runner });
const bookies = new BookieCluster("bookkeeper", { topology, runner, configurationStore });

const clusters: PulsarCluster[] = [];
for (const cluster of topology.clusters) {
  const previous = clusters[clusters.length - 1];
  clusters.push(
    new PulsarCluster(cluster.name, {
      topology,
      cluster,
      runner,
      configurationStore,
      bookies,
      initialiseAfter: previous ? [previous.metadata] : [],
    }),
  );
}

const isolation = new NamespaceAffinity("isolation", { topology, clusters, configurationStore, bookies });

export const configurationStoreConnect = configurationStore.connectString;
export const bookkeeperMetadataServiceUri = bookies.metadataServiceUri;
export const adminUrls = Object.fromEntries(clusters.map((c) => [c.clusterName, c.adminUrl]));
export const serviceUrls = Object.fromEntries(clusters.map((c) => [c.clusterName, c.brokerServiceUrl]));
export const rackMap = isolation.groups;
export const namespaceGroups = isolation.namespaceGroups;
