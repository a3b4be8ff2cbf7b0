import {
  ExternalTopology,
  Topology,
  bookieHttpUrl,
  brokerWebUrl,
  clusterDefaultGroups,
  clusterWebServiceUrl,
  configurationStoreConnect,
  configurationStoreReachableConnect,
  hostOf,
  retentionSizeInMB,
  retentionTimeInMinutes,
} from "../config";
import { RackMapSeedInputs } from "../admin";
import { NodeRunner } from "../runtime";
import { BookieArgs, BookieClusterArgs, bookieRefsOf, rackMapSeedInputs } from "./bookie-cluster";
import { ConfigurationStoreArgs } from "./configuration-store";
import { IsolationPlan, isolationPlan } from "./isolation-plan";
import { NamespaceAffinityArgs } from "./namespace-affinity";
import { PulsarClusterArgs } from "./pulsar-cluster";
import { BookKeeperRef, ClusterRef, ConfigurationStoreRef } from "./references";

/**
 * The components' arguments as a stack config's topology declares them: how index.ts composes
 * the components from `pulsar-isolation:topology`. A program of its own passes them directly.
 */

export const configurationStoreArgs = (topology: Topology, runner: NodeRunner): ConfigurationStoreArgs => ({
  runner,
  zookeeper: { ...topology.configurationStore, host: hostOf(topology, topology.configurationStore) },
  reachableConnect: configurationStoreReachableConnect(topology),
});

export const bookieClusterArgs = (topology: Topology, runner: NodeRunner, configurationStore: ConfigurationStoreRef): BookieClusterArgs => ({
  runner,
  configurationStore,
  bookies: bookieArgs(topology),
  settings: topology.bookieSettings,
});

export const bookieArgs = (topology: Topology): BookieArgs[] =>
  topology.bookies.map((b) => ({
    name: b.name,
    host: hostOf(topology, b),
    bookiePort: b.bookiePort,
    httpPort: b.httpPort,
    httpUrl: bookieHttpUrl(topology, b),
    placement: { group: b.group, rack: b.rack },
  }));

/** The bookies' rack map as it must be before they start, without resources: for starting them outside Pulumi. */
export const rackMapSeedPlan = (topology: Topology): RackMapSeedInputs => rackMapSeedInputs(bookieArgs(topology), configurationStoreReachableConnect(topology))!;

export function pulsarClusterArgs(
  topology: Topology,
  clusterName: string,
  parts: {
    runner: NodeRunner;
    configurationStore: ConfigurationStoreRef;
    bookkeeper: BookKeeperRef;
    initialiseAfter?: PulsarClusterArgs["initialiseAfter"];
    /** A secured topology's broker security (runtime/node-spec.ts: brokerSecurityOf). */
    security?: PulsarClusterArgs["security"];
  },
): PulsarClusterArgs {
  const cluster = topology.clusters.find((c) => c.name === clusterName)!;
  return {
    ...parts,
    clusterName,
    zookeeper: { ...cluster.zookeeper, host: hostOf(topology, cluster.zookeeper) },
    brokers: cluster.brokers.map((b) => ({
      name: b.name,
      host: hostOf(topology, b),
      servicePort: b.servicePort,
      webPort: b.webPort,
      ...(topology.security ? { servicePortTls: b.servicePortTls, webPortTls: b.webPortTls } : {}),
      webUrl: brokerWebUrl(topology, b),
    })),
    managedLedger: cluster.managedLedger,
    defaultGroups: clusterDefaultGroups(topology, cluster),
    settings: cluster.brokerSettings,
    ...(parts.security ? { security: parts.security } : {}),
  };
}

/** The isolation a topology declares, over whatever runs its clusters, store and bookies. */
export function isolationArgs(
  topology: Topology,
  parts: { clusters: readonly ClusterRef[]; configurationStore: ConfigurationStoreRef; bookkeeper: BookKeeperRef },
): NamespaceAffinityArgs {
  return {
    clusters: parts.clusters,
    configurationStore: parts.configurationStore,
    bookies: parts.bookkeeper.bookies,
    namespaces: topology.namespaces.map(namespaceIsolation),
    unloadOnGroupChange: topology.unloadOnGroupChange,
  };
}

/** The isolation of clusters someone else runs (`runtime: external`): nothing for it to wait for. */
export function externalIsolationArgs(topology: ExternalTopology): NamespaceAffinityArgs {
  return {
    clusters: topology.clusters.map((c) => ({ clusterName: c.name, adminUrl: c.adminUrl, managedLedger: c.managedLedger, ready: [] })),
    ...(topology.configurationStore ? { configurationStore: { connect: topology.configurationStore.connect, reachableConnect: topology.configurationStore.connect, ready: [] } } : {}),
    bookies: topology.bookies.map((b) => ({ name: b.name, id: b.id, placement: { group: b.group, rack: b.rack, hostname: b.hostname } })),
    namespaces: topology.namespaces.map(namespaceIsolation),
    unloadOnGroupChange: topology.unloadOnGroupChange,
  };
}

const namespaceIsolation = (ns: Topology["namespaces"][number]): NamespaceAffinityArgs["namespaces"][number] => ({
  name: ns.name,
  cluster: ns.cluster,
  bundles: ns.bundles,
  ...(ns.retention ? { retention: { retentionSizeInMB: retentionSizeInMB(ns.retention.size), retentionTimeInMinutes: retentionTimeInMinutes(ns.retention.time) } } : {}),
  ...(ns.persistence ? { persistence: ns.persistence } : {}),
  affinity: ns.affinity,
});

/** The admin state a topology asks for, without resources: for applying it with the providers directly. */
export function topologyIsolationPlan(topology: Topology): IsolationPlan {
  return isolationPlan(
    isolationArgs(topology, {
      clusters: topology.clusters.map((c) => ({ clusterName: c.name, adminUrl: clusterWebServiceUrl(topology, c), ready: [] })),
      configurationStore: { connect: configurationStoreConnect(topology), reachableConnect: configurationStoreReachableConnect(topology), ready: [] },
      bookkeeper: { bookies: bookieRefsOf(bookieArgs(topology)) },
    }),
  );
}

export const rackPlan = (topology: Topology) => topologyIsolationPlan(topology).racks;
export const tenantPlan = (topology: Topology) => topologyIsolationPlan(topology).tenants;
export const namespacePlan = (topology: Topology) => topologyIsolationPlan(topology).namespaces;
export const affinityPlan = (topology: Topology) => topologyIsolationPlan(topology).affinities;
export const groupPlan = (topology: Topology) => topologyIsolationPlan(topology).groups;
