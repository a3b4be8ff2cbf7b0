import * as pulumi from "../lib/pulumi";
import { AffinityGroup, BookieRack, Namespace, Tenant } from "../admin";
import { IsolationPlan, IsolationPlanArgs, PlacedBookie, isolationPlan } from "./isolation-plan";
import { BookieRef, ClusterRef, ConfigurationStoreRef } from "./references";

export interface NamespaceAffinityArgs extends Omit<IsolationPlanArgs, "bookies"> {
  readonly clusters: readonly ClusterRef[];
  /** Tenants and namespaces live there; when it is destroyed they go with it. None for clusters run elsewhere. */
  readonly configurationStore?: ConfigurationStoreRef;
  /**
   * The bookies to file, each with its placement (a `BookieCluster`'s refs carry the placement its
   * bookies were given). A removed bookie loses its rack entries before it is decommissioned.
   */
  readonly bookies: readonly BookieRef[];
}

/** The bookies with their placements; one without is refused by name. */
export function placedBookies(bookies: readonly BookieRef[]): PlacedBookie[] {
  const unplaced = bookies.filter((b) => !b.placement).map((b) => b.name);
  if (unplaced.length) {
    throw new Error(
      `bookies without a placement (group and rack) cannot be isolated: ${unplaced.join(", ")}; ` +
        `give each its placement (BookieArgs.placement), or pass only the placed ones (bookies.filter((b) => b.placement))`,
    );
  }
  return bookies.map((b) => ({ name: b.name, id: b.id, placement: b.placement! }));
}

/** What `NamespaceAffinity` registers, as provider inputs. */
export const namespaceAffinityPlan = (args: NamespaceAffinityArgs): IsolationPlan => isolationPlan({ ...args, bookies: placedBookies(args.bookies) });

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
      plan = namespaceAffinityPlan(args);
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
