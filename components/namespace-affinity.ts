import * as pulumi from "@pulumi/pulumi";
import { Topology, bookieId, effectivePersistence, groupMembers, hostOf, retentionSizeInMB, retentionTimeInMinutes } from "../config";
import { AffinityGroup, BookieRack, Namespace, Tenant } from "../admin";
import { ConfigurationStore } from "./configuration-store";
import { PulsarCluster } from "./pulsar-cluster";

export interface NamespaceAffinityArgs {
  readonly topology: Topology;
  /** Every cluster that shares the BookKeeper cluster: each keeps its own rack map. */
  readonly clusters: PulsarCluster[];
  /** Tenants and namespaces live there; when it is destroyed they go with it. */
  readonly configurationStore: ConfigurationStore;
}

/**
 * The isolation itself: every bookie's group and rack in every cluster's rack map, and each
 * namespace created on its cluster and pinned to its affinity group.
 */
export class NamespaceAffinity extends pulumi.ComponentResource {
  /** group → bookie ids, as the plan declares it. */
  readonly groups: Record<string, string[]>;
  /** namespace → { cluster, primary, secondary }. */
  readonly namespaceGroups: Record<string, { cluster: string; primary: string; secondary?: string }>;
  readonly racks: BookieRack[];
  readonly namespaces: Namespace[];
  readonly affinityGroups: AffinityGroup[];

  constructor(name: string, args: NamespaceAffinityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulsar:index:NamespaceAffinity", name, {}, opts);
    const { topology, clusters } = args;
    // Destroying the whole topology skips deleting what lives inside the stores being destroyed.
    const withStore = { parent: this, deletedWith: args.configurationStore.node };
    const byName = new Map(clusters.map((c) => [c.clusterName, c]));
    const brokers = clusters.flatMap((c) => c.brokers);
    const members = groupMembers(topology);
    this.groups = Object.fromEntries([...members].map(([g, bs]) => [g, bs.map((b) => bookieId(topology, b))]));
    this.namespaceGroups = Object.fromEntries(
      topology.namespaces.map((ns) => [ns.name, { cluster: ns.cluster, primary: ns.affinity.primary, ...(ns.affinity.secondary ? { secondary: ns.affinity.secondary } : {}) }]),
    );

    this.racks = topology.bookies
      .filter((b) => b.group !== undefined)
      .map(
        (b) =>
          new BookieRack(
            `${b.name}-rack`,
            { bookie: bookieId(topology, b), group: b.group!, rack: b.rack, hostname: hostOf(topology, b), adminUrls: clusters.map((c) => c.adminUrl) },
            { ...withStore, dependsOn: brokers },
          ),
      );

    const tenants = new Map<string, Tenant>();
    for (const tenant of new Set(topology.namespaces.map((ns) => ns.name.split("/")[0]))) {
      const allowed = [...new Set(topology.namespaces.filter((ns) => ns.name.startsWith(`${tenant}/`)).map((ns) => ns.cluster))];
      tenants.set(tenant, new Tenant(`tenant-${tenant}`, {
        tenant,
        allowedClusters: allowed,
        adminRoles: [],
        adminUrl: byName.get(allowed[0])!.adminUrl,
      }, { ...withStore, dependsOn: brokers }));
    }

    this.namespaces = [];
    this.affinityGroups = [];
    for (const ns of topology.namespaces) {
      const cluster = byName.get(ns.cluster)!;
      const persistence = ns.persistence ? effectivePersistence(topology, ns) : undefined;
      const namespace = new Namespace(ns.name, {
        namespace: ns.name,
        cluster: ns.cluster,
        bundles: ns.bundles,
        adminUrl: cluster.adminUrl,
        ...(ns.retention ? { retention: { retentionSizeInMB: retentionSizeInMB(ns.retention.size), retentionTimeInMinutes: retentionTimeInMinutes(ns.retention.time) } } : {}),
        ...(persistence ? { persistence } : {}),
      }, { ...withStore, dependsOn: [tenants.get(ns.name.split("/")[0])!] });
      this.namespaces.push(namespace);
      this.affinityGroups.push(new AffinityGroup(`${ns.name}-affinity`, {
        namespace: ns.name,
        primary: ns.affinity.primary,
        ...(ns.affinity.secondary ? { secondary: ns.affinity.secondary } : {}),
        adminUrl: cluster.adminUrl,
        knownGroups: [...members.keys()],
      }, { parent: this, deletedWith: cluster.zookeeper, dependsOn: [namespace, ...this.racks] }));
    }
    this.registerOutputs({ groups: this.groups, namespaceGroups: this.namespaceGroups });
  }
}
