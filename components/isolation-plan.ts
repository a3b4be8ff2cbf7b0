import type { AffinityGroupInputs, BookieRackInputs, NamespaceInputs, RetentionPolicy, TenantInputs } from "../admin";
import type { Quorum } from "../rules/isolation";
import { filedHostname } from "../rules/names";
import type { BookieRef } from "./references";

/**
 * The admin state an isolation asks for, as provider inputs: what NamespaceAffinity registers,
 * and what the integration tests apply to a running topology without Pulumi.
 */

export interface NamespaceIsolation {
  /** `tenant/namespace`. */
  readonly name: string;
  /** The owning cluster's name: the namespace's only replication cluster. */
  readonly cluster: string;
  /** Bundles at creation (default 4). */
  readonly bundles?: number;
  readonly retention?: RetentionPolicy;
  /** The ensemble and quorums of its ledgers, when not its cluster's defaults. */
  readonly persistence?: Quorum;
  readonly affinity: { readonly primary: string; readonly secondary?: string };
}

export interface IsolationPlanArgs {
  /**
   * Every cluster that shares the bookies: each keeps its own rack map. `managedLedger`: what its
   * brokers give ledgers, for clusters whose brokers the plan does not run (the policy pack reads it).
   */
  readonly clusters: readonly { readonly clusterName: string; readonly adminUrl: string; readonly managedLedger?: Quorum }[];
  /**
   * The configuration store whose `/bookies` the bookies read (as the machine running Pulumi
   * reaches it); without it only the clusters' own rack maps are kept.
   */
  readonly configurationStore?: { readonly reachableConnect: string };
  /**
   * The bookies to file, each with its placement (a `BookieCluster`'s refs carry the placement its
   * bookies were given).
   */
  readonly bookies: readonly BookieRef[];
  readonly namespaces: readonly NamespaceIsolation[];
  /** Unload a namespace when its groups' bookies change (default true). */
  readonly unloadOnGroupChange?: boolean;
}

export interface IsolationPlan {
  readonly racks: BookieRackInputs[];
  readonly tenants: TenantInputs[];
  readonly namespaces: NamespaceInputs[];
  readonly affinities: AffinityGroupInputs[];
  /** group → bookie ids. */
  readonly groups: Record<string, string[]>;
}

const tenantOf = (namespace: string) => namespace.split("/")[0];

/** The bookies with their placements; one without is refused by name. */
export function placedBookies(bookies: readonly BookieRef[]): (BookieRef & { placement: NonNullable<BookieRef["placement"]> })[] {
  const unplaced = bookies.filter((b) => !b.placement).map((b) => b.name);
  if (unplaced.length) {
    throw new Error(
      `bookies without a placement (group and rack) cannot be isolated: ${unplaced.join(", ")}; ` +
        `give each its placement (BookieArgs.placement), or pass only the placed ones (bookies.filter((b) => b.placement))`,
    );
  }
  return bookies.map((b) => ({ ...b, placement: b.placement! }));
}

export function isolationPlan(args: IsolationPlanArgs): IsolationPlan {
  const bookies = placedBookies(args.bookies);
  const adminUrlOf = (cluster: string) => {
    const found = args.clusters.find((c) => c.clusterName === cluster);
    if (!found) throw new Error(`cluster "${cluster}" is not one of the isolation's clusters (${args.clusters.map((c) => c.clusterName).join(", ")})`);
    return found.adminUrl;
  };
  const groups: Record<string, string[]> = {};
  for (const b of bookies) (groups[b.placement.group] ??= []).push(b.id);

  const racks = bookies.map((b) => ({
    bookie: b.id,
    group: b.placement.group,
    rack: b.placement.rack,
    hostname: filedHostname(b.id, b.placement.hostname),
    adminUrls: args.clusters.map((c) => c.adminUrl),
    ...(args.configurationStore ? { configurationStore: args.configurationStore.reachableConnect } : {}),
  }));
  const tenants = [...new Set(args.namespaces.map((ns) => tenantOf(ns.name)))].map((tenant) => {
    const clusters = [...new Set(args.namespaces.filter((ns) => tenantOf(ns.name) === tenant).map((ns) => ns.cluster))].sort();
    return { tenant, allowedClusters: clusters, adminRoles: [], adminUrl: adminUrlOf(clusters[0]) };
  });
  const defaultsOf = (cluster: string) => args.clusters.find((c) => c.clusterName === cluster)?.managedLedger;
  const namespaces = args.namespaces.map((ns) => ({
    namespace: ns.name,
    cluster: ns.cluster,
    bundles: ns.bundles ?? 4,
    adminUrl: adminUrlOf(ns.cluster),
    ...(defaultsOf(ns.cluster) ? { clusterDefaults: defaultsOf(ns.cluster) } : {}),
    ...(ns.retention ? { retention: ns.retention } : {}),
    ...(ns.persistence ? { persistence: ns.persistence } : {}),
  }));
  const affinities = args.namespaces.map((ns) => ({
    namespace: ns.name,
    primary: ns.affinity.primary,
    ...(ns.affinity.secondary ? { secondary: ns.affinity.secondary } : {}),
    adminUrl: adminUrlOf(ns.cluster),
    knownGroups: Object.keys(groups),
    members: [ns.affinity.primary, ns.affinity.secondary].flatMap((g) => (g ? (groups[g] ?? []) : [])).sort(),
    unloadOnChange: args.unloadOnGroupChange ?? true,
  }));
  return { racks, tenants, namespaces, affinities, groups };
}
