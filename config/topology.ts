import type { BookieConfig, BrokerConfig, ClusterConfig, NamespaceConfig, PersistenceConfig, Topology } from "./schema";

/** What follows from the declared topology: addresses, identities and group membership. */

export const hostOf = (topology: Topology, node: { host?: string }): string => node.host ?? topology.host;

/** A bookie's identity in BookKeeper and in the rack map: `host:bookiePort`. */
export const bookieId = (topology: Topology, bookie: BookieConfig): string => `${hostOf(topology, bookie)}:${bookie.bookiePort}`;

export const configurationStoreConnect = (topology: Topology): string =>
  `${hostOf(topology, topology.configurationStore)}:${topology.configurationStore.clientPort}`;

/** Both clusters keep ledgers in the one BookKeeper cluster whose metadata is in the configuration store. */
export const bookkeeperMetadataServiceUri = (topology: Topology): string => `zk://${configurationStoreConnect(topology)}/ledgers`;

export const localZooKeeperConnect = (topology: Topology, cluster: ClusterConfig): string =>
  `${hostOf(topology, cluster.zookeeper)}:${cluster.zookeeper.clientPort}`;

export const brokerWebUrl = (topology: Topology, broker: BrokerConfig): string => `http://${hostOf(topology, broker)}:${broker.webPort}`;
export const brokerServiceUrl = (topology: Topology, broker: BrokerConfig): string =>
  `pulsar://${hostOf(topology, broker)}:${broker.servicePort}`;

/** A cluster's URLs as registered in the configuration store: its brokers, comma-separated. */
export const clusterWebServiceUrl = (topology: Topology, cluster: ClusterConfig): string =>
  cluster.brokers.map((b) => brokerWebUrl(topology, b)).join(",");
export const clusterBrokerServiceUrl = (topology: Topology, cluster: ClusterConfig): string =>
  "pulsar://" + cluster.brokers.map((b) => `${hostOf(topology, b)}:${b.servicePort}`).join(",");

/** The bookies of each affinity group, in declaration order. */
export function groupMembers(topology: Topology): Map<string, BookieConfig[]> {
  const groups = new Map<string, BookieConfig[]>();
  for (const bookie of topology.bookies) {
    if (bookie.group) groups.set(bookie.group, [...(groups.get(bookie.group) ?? []), bookie]);
  }
  return groups;
}

export function clusterOf(topology: Topology, namespace: NamespaceConfig): ClusterConfig {
  const cluster = topology.clusters.find((c) => c.name === namespace.cluster);
  if (!cluster) throw new Error(`namespace ${namespace.name}: cluster "${namespace.cluster}" is not declared`);
  return cluster;
}

/** The ensemble and quorums a namespace's ledgers get: its own policy, else its cluster's default. */
export function effectivePersistence(topology: Topology, namespace: NamespaceConfig): PersistenceConfig {
  if (namespace.persistence) return namespace.persistence;
  const { ensembleSize, writeQuorum, ackQuorum } = clusterOf(topology, namespace).managedLedger;
  return { ensembleSize, writeQuorum, ackQuorum };
}

const SIZE_UNITS_MB: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };
const TIME_UNITS_MIN: Record<string, number> = { s: 1 / 60, m: 1, h: 60, d: 24 * 60, w: 7 * 24 * 60, y: 365 * 24 * 60 };

/** `1G` → 1024 (MB), as the admin API's retentionSizeInMB wants it; `-1` is infinite. A bare number is bytes. */
export function retentionSizeInMB(size: string): number {
  if (size === "-1") return -1;
  const unit = size.slice(-1).toLowerCase();
  if (unit in SIZE_UNITS_MB) return Math.ceil(Number(size.slice(0, -1)) * SIZE_UNITS_MB[unit]);
  return Math.ceil(Number(size) / (1024 * 1024));
}

/** `3d` → 4320 (minutes), as retentionTimeInMinutes wants it; `-1` is infinite. A bare number is seconds. */
export function retentionTimeInMinutes(time: string): number {
  if (time === "-1") return -1;
  const unit = time.slice(-1);
  if (unit in TIME_UNITS_MIN) return Math.ceil(Number(time.slice(0, -1)) * TIME_UNITS_MIN[unit]);
  return Math.ceil(Number(time) / 60);
}
