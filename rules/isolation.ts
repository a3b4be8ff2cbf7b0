/**
 * The isolation rules, once, over a small model of facts. The stack config's schema and the
 * policy pack each turn what they see into these facts (config/isolation-facts.ts,
 * policy/isolation-facts.ts) and report the verdicts in their own way: a path in the config, a
 * resource in the plan. The messages are the same on both sides. No imports: the policy pack
 * loads this file on its own.
 */

export interface Quorum {
  readonly ensembleSize: number;
  readonly writeQuorum: number;
  readonly ackQuorum: number;
}

export interface BookieFacts {
  /** Its name in the topology (its node's name); its id when no name is known. */
  readonly name: string;
  /** `host:port`. */
  readonly id: string;
  readonly group?: string;
}

/** Affinity groups: where ledgers go first (primary), and where when the primary groups hold too few bookies (secondary). */
export interface GroupSet {
  readonly primary: readonly string[];
  readonly secondary: readonly string[];
}

export interface ClusterFacts {
  readonly name: string;
  /** The ensemble and quorums its brokers give a ledger when the namespace sets none. */
  readonly defaults?: Partial<Quorum>;
  /**
   * The groups its brokers give every ledger made outside namespace placement (schemas, namespaces
   * without a group); undefined when the stack does not run its brokers.
   */
  readonly defaultGroups?: GroupSet;
}

export interface NamespaceFacts {
  /** `tenant/namespace`. */
  readonly name: string;
  readonly cluster: string;
  readonly primary?: string;
  readonly secondary?: string;
  /** Its own persistence policy, which wins over the cluster's defaults. */
  readonly persistence?: Partial<Quorum>;
}

export interface IsolationFacts {
  readonly bookies: readonly BookieFacts[];
  readonly clusters: readonly ClusterFacts[];
  readonly namespaces: readonly NamespaceFacts[];
}

export type RuleName = "group-holds-ensemble" | "quorum-order" | "affinity-group-exists" | "bookie-in-group";

/** What a verdict is about, so that each side can point at it: a field of a bookie, a cluster or a namespace. */
export type Subject =
  | { readonly kind: "bookie"; readonly name: string; readonly field: "group" }
  | { readonly kind: "cluster"; readonly name: string; readonly field: keyof Quorum | "defaultAffinity" }
  | { readonly kind: "namespace"; readonly name: string; readonly field: "primary" | "secondary" | keyof Quorum };

export interface Verdict {
  readonly rule: RuleName;
  readonly subject: Subject;
  readonly message: string;
}

export interface RuleDescription {
  readonly name: RuleName;
  /** Starts with "Checks whether". */
  readonly description: string;
}

export const RULES: readonly RuleDescription[] = [
  {
    name: "group-holds-ensemble",
    description:
      "Checks whether the bookies of each namespace's primary and secondary groups, and of each cluster's default groups, are at least the ensemble size its ledgers get.",
  },
  { name: "quorum-order", description: "Checks whether ensemble size >= write quorum >= ack quorum >= 1, on clusters' defaults and namespaces' policies." },
  {
    name: "affinity-group-exists",
    description: "Checks whether every affinity group a namespace or a cluster's defaults name holds at least one bookie (the broker accepts any name).",
  },
  { name: "bookie-in-group", description: "Checks whether every bookie is in an affinity group (ungrouped bookies receive other groups' spill-over data)." },
];

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
/** bk2 before bk10: names listed the same way whatever order the facts came in. */
const naturalOrder = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** The groups a namespace names, primary first. */
export const namespaceGroups = (ns: Pick<NamespaceFacts, "primary" | "secondary">): { role: "primary" | "secondary"; group: string }[] =>
  (["primary", "secondary"] as const).flatMap((role) => (ns[role] ? [{ role, group: ns[role]! }] : []));

/** The bookies of each group, in the order they are given. */
export function groupMembers(bookies: readonly BookieFacts[]): Map<string, BookieFacts[]> {
  const groups = new Map<string, BookieFacts[]>();
  for (const b of bookies) if (b.group) groups.set(b.group, [...(groups.get(b.group) ?? []), b]);
  return groups;
}

/** The ensemble size a namespace's ledgers get and where it comes from: its own policy, else its cluster's defaults. */
export function effectiveEnsemble(facts: IsolationFacts, ns: NamespaceFacts): { size: number; source: string } | undefined {
  if (ns.persistence?.ensembleSize !== undefined) return { size: ns.persistence.ensembleSize, source: "its persistence policy" };
  const size = facts.clusters.find((c) => c.name === ns.cluster)?.defaults?.ensembleSize;
  return size === undefined ? undefined : { size, source: `cluster ${ns.cluster}` };
}

/** Every group a namespace names holds a bookie: the broker accepts any name and would place data outside any group. */
export function groupsExist(facts: IsolationFacts): Verdict[] {
  const groups = groupMembers(facts.bookies);
  const known = [...groups.keys()].join(", ") || "none";
  const ofNamespaces = facts.namespaces.flatMap((ns) =>
    namespaceGroups(ns)
      .filter(({ group }) => !groups.has(group))
      .map(({ role, group }) => ({
        rule: "affinity-group-exists" as const,
        subject: { kind: "namespace" as const, name: ns.name, field: role },
        message: affinityGroupMissing(ns.name, group, known),
      })),
  );
  const ofClusters = facts.clusters.flatMap((c) =>
    allGroups(c.defaultGroups)
      .filter((group) => !groups.has(group))
      .map((group) => ({
        rule: "affinity-group-exists" as const,
        subject: { kind: "cluster" as const, name: c.name, field: "defaultAffinity" as const },
        message:
          `cluster ${c.name}: default affinity group "${group}" does not exist (groups: ${known}): ` +
          "the ledgers its brokers make outside namespace placement (schemas, namespaces without a group) would find no bookie",
      })),
  );
  return [...ofNamespaces, ...ofClusters];
}

/** Groups as Pulsar's settings and ledger stamps list them: comma-separated. */
export const groupList = (value: unknown): string[] =>
  String(value ?? "").split(",").map((g) => g.trim()).filter(Boolean);

/** The default groups a broker runs with, from its broker.conf settings (or its runtime configuration). */
export const brokerDefaultGroups = (settings: Readonly<Record<string, string | undefined>>): GroupSet => ({
  primary: groupList(settings.bookkeeperClientIsolationGroups),
  secondary: groupList(settings.bookkeeperClientSecondaryIsolationGroups),
});

const allGroups = (set: GroupSet | undefined): string[] => (set ? [...new Set([...set.primary, ...set.secondary])] : []);

/**
 * A cluster's default groups: those declared for it, else the groups its namespaces use (those
 * that hold bookies), primaries first, so that what Pulsar writes outside namespace placement
 * stays on the bookies the cluster's namespaces already use. Empty when neither says anything.
 */
export function defaultGroupsOf(
  cluster: string,
  declared: Partial<GroupSet> | undefined,
  namespaces: readonly Pick<NamespaceFacts, "cluster" | "primary" | "secondary">[],
  bookies: readonly BookieFacts[],
): GroupSet {
  if (declared?.primary?.length) return { primary: [...new Set(declared.primary)], secondary: [...new Set(declared.secondary ?? [])].filter((g) => !declared.primary!.includes(g)) };
  const exists = new Set(bookies.flatMap((b) => (b.group ? [b.group] : [])));
  const own = namespaces.filter((ns) => ns.cluster === cluster);
  const primary = [...new Set(own.flatMap((ns) => (ns.primary && exists.has(ns.primary) ? [ns.primary] : [])))];
  const secondary = [...new Set(own.flatMap((ns) => (ns.secondary && exists.has(ns.secondary) ? [ns.secondary] : [])))].filter((g) => !primary.includes(g));
  return { primary, secondary };
}

export const affinityGroupMissing = (namespace: string, group: string, knownGroups: string): string =>
  `${namespace}: affinity group "${group}" does not exist (groups: ${knownGroups}): no bookies are in it, and Pulsar would accept it and place data outside any group`;

/** The bookies of a namespace's groups, and of a cluster's default groups, hold at least one ensemble, or its ledgers cannot be placed inside them. */
export function groupsHoldEnsembles(facts: IsolationFacts): Verdict[] {
  const groups = groupMembers(facts.bookies);
  /** The bookies of the groups when they hold fewer than `size`; undefined when they hold enough or a group is unknown (another rule's verdict). */
  const shortOf = (named: readonly string[], size: number | undefined) => {
    if (size === undefined || named.length === 0 || !named.every((g) => groups.has(g))) return undefined;
    const usable = named.flatMap((g) => groups.get(g)!);
    return usable.length < size ? usable.map((b) => b.name).sort(naturalOrder) : undefined;
  };
  const listed = (named: readonly string[]) => named.map((g) => `"${g}"`).join(" + ");
  const short: { cluster: string; groups: string; size: number }[] = [];
  const ofNamespaces = facts.namespaces.flatMap((ns): Verdict[] => {
    const named = namespaceGroups(ns).map((g) => g.group);
    const ensemble = effectiveEnsemble(facts, ns);
    const usable = shortOf(named, ensemble?.size);
    if (!ensemble || !usable) return [];
    short.push({ cluster: ns.cluster, groups: [...named].sort().join(","), size: ensemble.size });
    return [{
      rule: "group-holds-ensemble",
      subject: { kind: "namespace", name: ns.name, field: "primary" },
      message:
        `${ns.name}: ${listed(named)} ${plural(usable.length, "has 1 bookie", `have ${usable.length} bookies`)} ` +
        `(${usable.join(", ")}), fewer than the ensemble size ${ensemble.size} (from ${ensemble.source})`,
    }];
  });
  const ofClusters = facts.clusters.flatMap((c): Verdict[] => {
    const named = allGroups(c.defaultGroups);
    const size = c.defaults?.ensembleSize;
    const usable = shortOf(named, size);
    if (size === undefined || !usable) return [];
    // Default groups taken from a namespace whose verdict already says they are too small.
    if (short.some((s) => s.cluster === c.name && s.groups === [...named].sort().join(",") && s.size >= size)) return [];
    return [{
      rule: "group-holds-ensemble",
      subject: { kind: "cluster", name: c.name, field: "defaultAffinity" },
      message:
        `cluster ${c.name}: default groups ${listed(named)} ${plural(usable.length, "have 1 bookie", `have ${usable.length} bookies`)} ` +
        `(${usable.join(", ")}), fewer than the cluster's ensemble size ${size}`,
    }];
  });
  return [...ofNamespaces, ...ofClusters];
}

/** ensemble >= write quorum >= ack quorum >= 1, as the broker demands (it answers 400 otherwise). */
export function quorumsInOrder(facts: IsolationFacts): Verdict[] {
  const check = (kind: "cluster" | "namespace", name: string, q: Partial<Quorum> | undefined): Verdict[] => {
    if (!q) return [];
    const subject = kind === "cluster" ? `cluster ${name}` : name;
    const verdict = (field: keyof Quorum, broken: string): Verdict => ({ rule: "quorum-order", subject: { kind, name, field }, message: `${subject}: ${broken}` });
    const { ensembleSize: e, writeQuorum: w, ackQuorum: a } = q;
    const order = `ensemble ${e ?? "?"} >= write quorum ${w ?? "?"} >= ack quorum ${a ?? "?"} >= 1 must hold`;
    return [
      ...(e !== undefined && w !== undefined && w > e ? [verdict("writeQuorum", `writeQuorum ${w} is larger than ensembleSize ${e} (${order})`)] : []),
      ...(w !== undefined && a !== undefined && a > w ? [verdict("ackQuorum", `ackQuorum ${a} is larger than writeQuorum ${w} (${order})`)] : []),
      ...(["ensembleSize", "writeQuorum", "ackQuorum"] as const)
        .filter((field) => q[field] !== undefined && q[field]! < 1)
        .map((field) => verdict(field, `${field} ${q[field]} must be at least 1 (${order})`)),
    ];
  };
  return [
    ...facts.clusters.flatMap((c) => check("cluster", c.name, c.defaults)),
    ...facts.namespaces.flatMap((ns) => check("namespace", ns.name, ns.persistence)),
  ];
}

/** Every bookie is in a group: when a group runs short, BookKeeper places its data on ungrouped bookies. */
export function bookiesInGroups(facts: IsolationFacts): Verdict[] {
  return facts.bookies
    .filter((b) => !b.group)
    .map((b) => ({
      rule: "bookie-in-group" as const,
      subject: { kind: "bookie" as const, name: b.name, field: "group" as const },
      message: `bookie "${b.name}" (${b.id}) is in no affinity group; ungrouped bookies receive other groups' spill-over data`,
    }));
}

const CHECKS: Record<RuleName, (facts: IsolationFacts) => Verdict[]> = {
  "group-holds-ensemble": groupsHoldEnsembles,
  "quorum-order": quorumsInOrder,
  "affinity-group-exists": groupsExist,
  "bookie-in-group": bookiesInGroups,
};

/** The verdicts of every rule, or of the rules named. */
export function checkIsolation(facts: IsolationFacts, rules: readonly RuleName[] = RULES.map((r) => r.name)): Verdict[] {
  return rules.flatMap((rule) => CHECKS[rule](facts));
}
