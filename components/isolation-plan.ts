import {
  Topology,
  bookieId,
  clusterOf,
  clusterWebServiceUrl,
  configurationStoreReachableConnect,
  effectivePersistence,
  groupMembers,
  hostOf,
  retentionSizeInMB,
  retentionTimeInMinutes,
} from "../config";
import type { AffinityGroupInputs, BookieRackInputs, NamespaceInputs, TenantInputs } from "../admin";

/**
 * The admin state a topology asks for, as provider inputs: what NamespaceAffinity registers,
 * and what the integration tests apply to a running topology without Pulumi.
 */

const tenantOf = (namespace: string) => namespace.split("/")[0];

/** Every grouped bookie, placed in its group and rack on every cluster and in the configuration store. */
export function rackPlan(topology: Topology): BookieRackInputs[] {
  const adminUrls = topology.clusters.map((c) => clusterWebServiceUrl(topology, c));
  const configurationStore = configurationStoreReachableConnect(topology);
  return topology.bookies.map((b) => ({ bookie: bookieId(topology, b), group: b.group, rack: b.rack, hostname: hostOf(topology, b), adminUrls, configurationStore }));
}

/** One tenant per tenant name the namespaces use, allowed on their clusters. */
export function tenantPlan(topology: Topology): TenantInputs[] {
  const tenants = [...new Set(topology.namespaces.map((ns) => tenantOf(ns.name)))];
  return tenants.map((tenant) => {
    const clusters = [...new Set(topology.namespaces.filter((ns) => tenantOf(ns.name) === tenant).map((ns) => ns.cluster))].sort();
    const first = topology.clusters.find((c) => c.name === clusters[0])!;
    return { tenant, allowedClusters: clusters, adminRoles: [], adminUrl: clusterWebServiceUrl(topology, first) };
  });
}

export function namespacePlan(topology: Topology): NamespaceInputs[] {
  return topology.namespaces.map((ns) => ({
    namespace: ns.name,
    cluster: ns.cluster,
    bundles: ns.bundles,
    adminUrl: clusterWebServiceUrl(topology, clusterOf(topology, ns)),
    ...(ns.retention
      ? { retention: { retentionSizeInMB: retentionSizeInMB(ns.retention.size), retentionTimeInMinutes: retentionTimeInMinutes(ns.retention.time) } }
      : {}),
    ...(ns.persistence ? { persistence: effectivePersistence(topology, ns) } : {}),
  }));
}

export function affinityPlan(topology: Topology): AffinityGroupInputs[] {
  const groups = groupPlan(topology);
  return topology.namespaces.map((ns) => ({
    namespace: ns.name,
    primary: ns.affinity.primary,
    ...(ns.affinity.secondary ? { secondary: ns.affinity.secondary } : {}),
    adminUrl: clusterWebServiceUrl(topology, clusterOf(topology, ns)),
    knownGroups: Object.keys(groups),
    members: [ns.affinity.primary, ns.affinity.secondary].flatMap((g) => (g ? (groups[g] ?? []) : [])).sort(),
    unloadOnChange: topology.unloadOnGroupChange,
  }));
}

/** group → bookie ids, as the plan declares it. */
export function groupPlan(topology: Topology): Record<string, string[]> {
  return Object.fromEntries([...groupMembers(topology)].map(([g, bs]) => [g, bs.map((b) => bookieId(topology, b))]));
}
