import type { BookieConfig, BrokerConfig, ClusterConfig, NamespaceConfig, PersistenceConfig, Topology } from "./schema";
import { bookieIdOf } from "../rules/names";

/** What follows from the declared topology: addresses, identities and group membership. */

/** The address of every node the topology does not place elsewhere. */
export const DEFAULT_HOST = "127.0.0.1";
/** How long a bookie's decommission may take unless the topology says otherwise. */
export const DEFAULT_DECOMMISSION_TIMEOUT_SECONDS = 600;

export const hostOf = (topology: Topology, node: { host?: string }): string => node.host ?? topology.host;

/** The image of the docker runtime's containers. */
export const dockerImage = (topology: Topology): string => topology.docker.image ?? `apachepulsar/pulsar:${topology.pulsarVersion}`;
/** The image of the kubernetes runtime's pods. */
export const kubernetesImage = (topology: Topology): string => topology.kubernetes.image ?? `apachepulsar/pulsar:${topology.pulsarVersion}`;

/** Where ports published by a Docker host are reached: its `address`, else its URL's host name; the local engine is 127.0.0.1. */
export function dockerHostAddress(topology: Topology, dockerHost: string | undefined): string {
  const host = dockerHost === undefined ? undefined : topology.docker.hosts[dockerHost];
  if (!host) return "127.0.0.1";
  if (host.address) return host.address;
  const url = new URL(host.url);
  return url.protocol === "unix:" || !url.hostname ? "127.0.0.1" : url.hostname.replace(/^\[|\]$/g, "");
}

/**
 * Where the machine running Pulumi reaches a node: its own address for local processes, the
 * port its Docker host publishes for containers (container names resolve only inside Docker),
 * a Kubernetes node's NodePort for pods.
 */
export const reachableAddress = (topology: Topology, node: { host?: string; dockerHost?: string }): string =>
  topology.runtime === "docker"
    ? dockerHostAddress(topology, node.dockerHost)
    : topology.runtime === "kubernetes"
      ? topology.kubernetes.nodeAddress // NodePorts, at the node's own numbers
      : hostOf(topology, node);

/** A bookie's identity in BookKeeper and in the rack map: `host:bookiePort`. */
export const bookieId = (topology: Topology, bookie: BookieConfig): string => bookieIdOf(hostOf(topology, bookie), bookie.bookiePort);
/** A bookie's HTTP API as the machine running Pulumi reaches it. */
export const bookieHttpUrl = (topology: Topology, bookie: BookieConfig): string => `http://${reachableAddress(topology, bookie)}:${bookie.httpPort}`;

export const configurationStoreConnect = (topology: Topology): string =>
  `${hostOf(topology, topology.configurationStore)}:${topology.configurationStore.clientPort}`;

/** The configuration store as the machine running Pulumi reaches it (for the bookies' copy of the rack map). */
export const configurationStoreReachableConnect = (topology: Topology): string =>
  `${reachableAddress(topology, topology.configurationStore)}:${topology.configurationStore.clientPort}`;

/** BookKeeper's metadata root in the configuration store. */
export const LEDGERS_ROOT = "/ledgers";

/** BookKeeper's metadata service in a configuration store (`host:port`), as brokers name it. */
export const ledgersServiceUri = (configurationStore: string): string => `zk://${configurationStore}${LEDGERS_ROOT}`;

/** Both clusters keep ledgers in the one BookKeeper cluster whose metadata is in the configuration store. */
export const bookkeeperMetadataServiceUri = (topology: Topology): string => ledgersServiceUri(configurationStoreConnect(topology));

export const localZooKeeperConnect = (topology: Topology, cluster: ClusterConfig): string =>
  `${hostOf(topology, cluster.zookeeper)}:${cluster.zookeeper.clientPort}`;

/** True when the topology's brokers demand a token and serve TLS (`security`). */
export const isSecured = (topology: Topology): boolean => topology.security !== undefined;

/** A broker's admin API as the machine running Pulumi reaches it: `https://…:webPortTls` for a secured broker. */
export const brokerWebUrl = (topology: Topology, broker: BrokerConfig): string =>
  isSecured(topology) && broker.webPortTls !== undefined
    ? `https://${reachableAddress(topology, broker)}:${broker.webPortTls}`
    : `http://${reachableAddress(topology, broker)}:${broker.webPort}`;
export const brokerServiceUrl = (topology: Topology, broker: BrokerConfig): string =>
  `pulsar://${hostOf(topology, broker)}:${broker.servicePort}`;

/** A cluster's admin URL for the machine running Pulumi: its brokers, comma-separated. */
export const clusterWebServiceUrl = (topology: Topology, cluster: ClusterConfig): string =>
  cluster.brokers.map((b) => brokerWebUrl(topology, b)).join(",");
/** A cluster's web URL as registered in the configuration store: its brokers' advertised addresses. */
export const clusterAdvertisedWebServiceUrl = (topology: Topology, cluster: ClusterConfig): string =>
  cluster.brokers.map((b) => `http://${hostOf(topology, b)}:${b.webPort}`).join(",");
export const clusterBrokerServiceUrl = (topology: Topology, cluster: ClusterConfig): string =>
  "pulsar://" + cluster.brokers.map((b) => `${hostOf(topology, b)}:${b.servicePort}`).join(",");
/** A secured cluster's TLS web URL as registered in the configuration store; undefined without security. */
export const clusterAdvertisedWebServiceUrlTls = (topology: Topology, cluster: ClusterConfig): string | undefined =>
  isSecured(topology) ? cluster.brokers.map((b) => `https://${hostOf(topology, b)}:${b.webPortTls}`).join(",") : undefined;
/** A secured cluster's `pulsar+ssl://` service URL; undefined without security. */
export const clusterBrokerServiceUrlTls = (topology: Topology, cluster: ClusterConfig): string | undefined =>
  isSecured(topology) ? "pulsar+ssl://" + cluster.brokers.map((b) => `${hostOf(topology, b)}:${b.servicePortTls}`).join(",") : undefined;
/** The service URL clients use: `pulsar+ssl://` for a secured cluster, else `pulsar://`. */
export const clusterClientServiceUrl = (topology: Topology, cluster: ClusterConfig): string =>
  clusterBrokerServiceUrlTls(topology, cluster) ?? clusterBrokerServiceUrl(topology, cluster);

/** The bookies of each affinity group, in declaration order. */
export function groupMembers(topology: Topology): Map<string, BookieConfig[]> {
  const groups = new Map<string, BookieConfig[]>();
  for (const bookie of topology.bookies) {
    groups.set(bookie.group, [...(groups.get(bookie.group) ?? []), bookie]);
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
