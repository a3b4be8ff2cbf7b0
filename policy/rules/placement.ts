import { ResourceLike, bookieIdOf, count, ensembleOf, groupsOf, topologyView } from "../topology-view";

export interface Violation {
  readonly message: string;
  readonly urn?: string;
}

/** For every namespace: the bookies of its primary (and secondary) group hold at least one ensemble. */
export function groupsHoldEnsembles(resources: readonly ResourceLike[]): Violation[] {
  const view = topologyView(resources);
  const groups = groupsOf(view);
  return view.affinities.flatMap((a) => {
    const ensemble = ensembleOf(view, a.namespace);
    const names = [a.primary, ...(a.secondary ? [a.secondary] : [])];
    const bookies = names.flatMap((g) => groups.get(g) ?? []);
    if (ensemble === undefined || bookies.length >= ensemble) return [];
    return [{
      urn: a.urn,
      message: `${a.namespace}: ${names.join(" + ")} ${names.length > 1 ? "have" : "has"} ${count(bookies.length, "bookie")}, ensemble size is ${ensemble}`,
    }];
  });
}

/** Every group a namespace names holds at least one bookie: the broker accepts any name. */
export function groupsExist(resources: readonly ResourceLike[]): Violation[] {
  const view = topologyView(resources);
  const groups = groupsOf(view);
  return view.affinities.flatMap((a) =>
    [a.primary, ...(a.secondary ? [a.secondary] : [])]
      .filter((g) => !groups.has(g))
      .map((g) => ({ urn: a.urn, message: `${a.namespace}: affinity group ${g} does not exist (no bookie is assigned to it)` })),
  );
}

/** Every bookie has a rack entry with a group: ungrouped bookies receive spill-over data. */
export function bookiesInGroups(resources: readonly ResourceLike[]): Violation[] {
  const view = topologyView(resources);
  const grouped = new Set(view.racks.filter((r) => r.group).map((r) => r.bookie));
  return view.nodes
    .filter((n) => n.role === "bookie" && !grouped.has(bookieIdOf(n)))
    .map((n) => ({ urn: n.urn, message: `bookie ${n.name} (${bookieIdOf(n)}) is in no affinity group; it receives other groups' spill-over data` }));
}

/**
 * No group holds fewer bookies than the largest ensemble of the namespaces that use it as
 * primary: removing a bookie from the stack must not take its group below that.
 */
export function groupsKeepLargestEnsemble(resources: readonly ResourceLike[]): Violation[] {
  const view = topologyView(resources);
  const groups = groupsOf(view);
  const largest = new Map<string, { size: number; namespace: string }>();
  for (const a of view.affinities) {
    const size = ensembleOf(view, a.namespace);
    if (size !== undefined && size > (largest.get(a.primary)?.size ?? 0)) largest.set(a.primary, { size, namespace: a.namespace });
  }
  return [...largest].flatMap(([group, { size, namespace }]) => {
    const bookies = groups.get(group) ?? [];
    if (bookies.length === 0 || bookies.length >= size) return [];
    return [{
      message: `${group} would hold ${count(bookies.length, "bookie")} (${bookies.join(", ")}), below the ensemble size ${size} of ${namespace}; decommission no bookie of it before adding another`,
    }];
  });
}
