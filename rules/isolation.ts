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

export interface ClusterFacts {
  readonly name: string;
  /** The ensemble and quorums its brokers give a ledger when the namespace sets none. */
  readonly defaults?: Partial<Quorum>;
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
  | { readonly kind: "cluster"; readonly name: string; readonly field: keyof Quorum }
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
    description: "Checks whether the bookies of each namespace's primary and secondary groups are at least the ensemble size its ledgers get.",
  },
  { name: "quorum-order", description: "Checks whether ensemble size >= write quorum >= ack quorum >= 1, on clusters' defaults and namespaces' policies." },
  { name: "affinity-group-exists", description: "Checks whether every affinity group a namespace names holds at least one bookie (the broker accepts any name)." },
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
  return facts.namespaces.flatMap((ns) =>
    namespaceGroups(ns)
      .filter(({ group }) => !groups.has(group))
      .map(({ role, group }) => ({
        rule: "affinity-group-exists" as const,
        subject: { kind: "namespace" as const, name: ns.name, field: role },
        message: affinityGroupMissing(ns.name, group, known),
      })),
  );
}

export const affinityGroupMissing = (namespace: string, group: string, knownGroups: string): string =>
  `${namespace}: affinity group "${group}" does not exist (groups: ${knownGroups}): no bookies are in it, and Pulsar would accept it and place data outside any group`;

/** The bookies of a namespace's groups hold at least one ensemble, or its ledgers cannot be placed inside them. */
export function groupsHoldEnsembles(facts: IsolationFacts): Verdict[] {
  const groups = groupMembers(facts.bookies);
  return facts.namespaces.flatMap((ns) => {
    const named = namespaceGroups(ns);
    const ensemble = effectiveEnsemble(facts, ns);
    if (!ensemble || named.length === 0 || !named.every(({ group }) => groups.has(group))) return [];
    const usable = named.flatMap(({ group }) => groups.get(group)!);
    if (usable.length >= ensemble.size) return [];
    const names = named.map((g) => `"${g.group}"`).join(" + ");
    return [{
      rule: "group-holds-ensemble" as const,
      subject: { kind: "namespace" as const, name: ns.name, field: "primary" as const },
      message:
        `${ns.name}: ${names} ${plural(usable.length, "has 1 bookie", `have ${usable.length} bookies`)} ` +
        `(${usable.map((b) => b.name).sort(naturalOrder).join(", ")}), fewer than the ensemble size ${ensemble.size} (from ${ensemble.source})`,
    }];
  });
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
