import * as pulumi from "../lib/pulumi";
import { AffinityGroup, BookieRack, Namespace, Tenant } from "../admin";
import { IsolationPlan, IsolationPlanArgs, isolationPlan } from "./isolation-plan";
import { ClusterRef, ConfigurationStoreRef } from "./references";

export interface NamespaceAffinityArgs extends IsolationPlanArgs {
  readonly clusters: readonly ClusterRef[];
  /** Tenants and namespaces live there; when it is destroyed they go with it. None for clusters run elsewhere. */
  readonly configurationStore?: ConfigurationStoreRef;
}

/**
 * The isolation itself: every bookie's group and rack in every copy of the rack map, and each
 * namespace created on its cluster and pinned to its affinity groups.
 */
export class NamespaceAffinity extends pulumi.ComponentResource {
  /** group → bookie ids. */
  readonly groups: pulumi.Output<Record<string, string[]>>;
  /** namespace → { cluster, primary, secondary }. */
  readonly namespaceGroups: pulumi.Output<Record<string, { cluster: string; primary: string; secondary?: string }>>;
  readonly racks: BookieRack[];
  readonly namespaces: Namespace[];
  readonly affinityGroups: AffinityGroup[];

  constructor(name: string, args: NamespaceAffinityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulsar:index:NamespaceAffinity", name, {}, opts);
    let plan: IsolationPlan;
    try {
      plan = isolationPlan(args);
    } catch (err) {
      throw new pulumi.ResourceError((err as Error).message, this);
    }
    const brokers = args.clusters.flatMap((c) => c.ready);
    // Destroying the whole topology skips deleting what lives inside the stores being destroyed.
    const inStore = { parent: this, deletedWith: args.configurationStore?.ready[0] };

    this.racks = plan.racks.map((r, i) => {
      const bookie = args.bookies[i];
      return new BookieRack(`${bookie.name}-rack`, r, { ...inStore, dependsOn: [...(bookie.ready ? [bookie.ready] : []), ...brokers] });
    });
    const tenants = new Map(plan.tenants.map((t) => [t.tenant, new Tenant(`tenant-${t.tenant}`, t, { ...inStore, dependsOn: brokers })]));
    this.namespaces = plan.namespaces.map(
      (ns) => new Namespace(ns.namespace, ns, { ...inStore, dependsOn: [tenants.get(ns.namespace.split("/")[0])!] }),
    );
    this.affinityGroups = plan.affinities.map((a, i) => {
      const cluster = args.clusters.find((c) => c.clusterName === args.namespaces[i].cluster)!;
      return new AffinityGroup(`${a.namespace}-affinity`, { ...a, adoptedNamespace: this.namespaces[i].adopted }, {
        parent: this,
        deletedWith: cluster.localStore,
        dependsOn: [this.namespaces[i], ...this.racks],
      });
    });
    this.groups = pulumi.output(plan.groups);
    this.namespaceGroups = pulumi.output(Object.fromEntries(args.namespaces.map((ns) => [ns.name, { cluster: ns.cluster, ...ns.affinity }])));
    this.registerOutputs({ groups: this.groups, namespaceGroups: this.namespaceGroups });
  }
}
