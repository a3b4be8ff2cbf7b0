import * as pulumi from "@pulumi/pulumi";
import { Topology, bookieId } from "../config";
import { AffinityGroup, BookieRack, Namespace, Tenant } from "../admin";
import { BookieCluster } from "./bookie-cluster";
import { ConfigurationStore } from "./configuration-store";
import { affinityPlan, groupPlan, namespacePlan, rackPlan, tenantPlan } from "./isolation-plan";
import { PulsarCluster } from "./pulsar-cluster";

export interface NamespaceAffinityArgs {
  readonly topology: Topology;
  /** Every cluster that shares the BookKeeper cluster: each keeps its own rack map. */
  readonly clusters: PulsarCluster[];
  /** Tenants and namespaces live there; when it is destroyed they go with it. */
  readonly configurationStore: ConfigurationStore;
  /** Each rack entry depends on its bookie's membership: a removed bookie loses its entries before it is decommissioned. */
  readonly bookies: BookieCluster;
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
    const brokers = clusters.flatMap((c) => c.brokers);
    const zookeeperOf = new Map(clusters.map((c) => [c.clusterName, c.zookeeper]));
    // Destroying the whole topology skips deleting what lives inside the stores being destroyed.
    const inStore = { parent: this, deletedWith: args.configurationStore.node };

    this.groups = groupPlan(topology);
    this.namespaceGroups = Object.fromEntries(
      topology.namespaces.map((ns) => [ns.name, { cluster: ns.cluster, ...ns.affinity }]),
    );

    const bookieNames = new Map(topology.bookies.map((b) => [bookieId(topology, b), b.name]));
    this.racks = rackPlan(topology).map((r) => {
      const bookie = bookieNames.get(r.bookie)!;
      return new BookieRack(`${bookie}-rack`, r, { ...inStore, dependsOn: [args.bookies.memberOf[bookie], ...brokers] });
    });
    const tenants = new Map(tenantPlan(topology).map((t) => [t.tenant, new Tenant(`tenant-${t.tenant}`, t, { ...inStore, dependsOn: brokers })]));
    this.namespaces = namespacePlan(topology).map(
      (ns) => new Namespace(ns.namespace, ns, { ...inStore, dependsOn: [tenants.get(ns.namespace.split("/")[0])!] }),
    );
    this.affinityGroups = affinityPlan(topology).map(
      (a, i) =>
        new AffinityGroup(`${a.namespace}-affinity`, a, {
          parent: this,
          deletedWith: zookeeperOf.get(this.namespaceGroups[a.namespace].cluster),
          dependsOn: [this.namespaces[i], ...this.racks],
        }),
    );
    this.registerOutputs({ groups: this.groups, namespaceGroups: this.namespaceGroups });
  }
}
