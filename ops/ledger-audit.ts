import type { LedgerMetadata } from "../admin/bookie-admin";
import type { GroupSet } from "../rules/isolation";

/**
 * The judgement of every ledger in BookKeeper's metadata: whose it is (from the owner Pulsar
 * stamps on each ledger) and whether each of its copies lies where it may be now: in its
 * namespace's current groups, and for a ledger made outside namespace placement (schemas,
 * compacted topics, delayed-delivery buckets, namespaces without a group) also in its cluster's
 * default groups. No I/O: ./ledger-report.ts reads the facts.
 */

export type LedgerKind = "topic data" | "cursor" | "schema" | "compacted topic" | "delayed-delivery index";

export interface LedgerOwner {
  readonly kind: LedgerKind;
  /** The topic or schema, as Pulsar names it in the ledger's metadata. */
  readonly name: string;
  /** `tenant/namespace`, or a broker's heartbeat namespace `tenant/cluster/namespace`. */
  readonly namespace: string;
}

/** What the clusters say, read when the audit runs. */
export interface PlacementFacts {
  /** Each bookie's group in the clusters' rack maps. */
  readonly groupOfBookie: Readonly<Record<string, string>>;
  /** Each cluster's default groups as its brokers run them; empty groups: the cluster leaves such ledgers free to use any bookie. */
  readonly clusterDefaults: Readonly<Record<string, GroupSet>>;
  /** Each namespace the ledgers name: its clusters and its groups in each (none: no affinity); undefined once the namespace is gone. */
  readonly namespaces: Readonly<Record<string, NamespacePlacement | undefined>>;
}

export interface NamespacePlacement {
  /** Its clusters that the audit reads; those it cannot are in `otherClusters`. */
  readonly clusters: readonly string[];
  readonly otherClusters?: readonly string[];
  readonly groups: Readonly<Record<string, GroupSet | undefined>>;
}

export interface AuditedLedger {
  readonly ledgerId: number;
  readonly owner: LedgerOwner;
  readonly clusters: readonly string[];
  /** Every bookie that holds a copy of a part of it. */
  readonly bookies: readonly string[];
  /** The groups its copies may be in; "any" when neither the namespace nor its cluster confines it. */
  readonly allowed: readonly string[] | "any";
  /** Its copies outside `allowed`, each with its bookie's group ("(no group)" when it has none). */
  readonly outside: readonly { readonly bookie: string; readonly group: string }[];
  /** The primary groups the broker stamped it with, if any: a stamp other than `allowed` means it was written before the namespace moved. */
  readonly stamped?: readonly string[];
  readonly underReplicated: boolean;
}

export interface NamespaceSummary {
  readonly namespace: string;
  readonly clusters: readonly string[];
  /** The groups any of its ledgers may be in. */
  readonly allowed: readonly string[] | "any";
  /** Its ledgers by kind. */
  readonly kinds: Partial<Record<LedgerKind, number>>;
  /** Its ledgers by the groups holding their copies, `+`-joined. */
  readonly byGroups: Readonly<Record<string, number>>;
  readonly outside: readonly number[];
  readonly underReplicated: readonly number[];
}

/** A ledger whose owner cannot be told: no Pulsar owner in its metadata, or a namespace that is gone. */
export interface OwnerlessLedger {
  readonly ledgerId: number;
  readonly bookies: readonly string[];
  readonly owner?: string;
  readonly reason: string;
}

export interface LedgerAudit {
  readonly ledgers: number;
  readonly namespaces: readonly NamespaceSummary[];
  /** Ledgers with a copy outside where they may be. */
  readonly outside: readonly AuditedLedger[];
  readonly ownerless: readonly OwnerlessLedger[];
  /** Every ledger the auditor has marked under-replicated. */
  readonly underReplicated: readonly number[];
  /** Clusters whose brokers have no default groups: ledgers of their namespaces without a group may use any bookie. */
  readonly unconfinedClusters: readonly string[];
}

export const NO_GROUP = "(no group)";
const PERSISTENT = /^persistent:\/\//;

/** The namespace of a topic or schema name: every part before the local name (and before `persistent`, for a managed ledger). */
function namespaceOfName(name: string): string {
  const parts = name.replace(PERSISTENT, "").split("/");
  const domain = parts.indexOf("persistent");
  return (domain > 0 ? parts.slice(0, domain) : parts.slice(0, -1)).join("/");
}

/** Whose the ledger is, from the owner keys Pulsar stamps on every ledger it makes. */
export function ledgerOwner(ledger: LedgerMetadata): LedgerOwner | undefined {
  const owned = (kind: LedgerKind, name: string): LedgerOwner => ({ kind, name, namespace: namespaceOfName(name) });
  if (ledger.managedLedger) return owned(ledger.cursor ? "cursor" : "topic data", ledger.managedLedger);
  if (ledger.schema) return owned("schema", ledger.schema);
  if (ledger.compactedTopic) return owned("compacted topic", ledger.compactedTopic);
  if (ledger.delayedIndexTopic) return owned("delayed-delivery index", ledger.delayedIndexTopic);
  return undefined;
}

const groupsOf = (set: GroupSet | undefined): string[] => (set ? [...set.primary, ...set.secondary] : []);

/**
 * Where a ledger may be in one cluster: its namespace's groups; a ledger the broker placed
 * without the namespace's groups (no stamp) also its cluster's default groups; undefined when
 * nothing confines it.
 */
function allowedIn(cluster: string, placement: NamespacePlacement, stamped: boolean, facts: PlacementFacts): string[] | undefined {
  const own = groupsOf(placement.groups[cluster]);
  const defaults = groupsOf(facts.clusterDefaults[cluster]);
  const allowed = own.length === 0 || !stamped ? [...own, ...defaults] : own;
  return allowed.length ? allowed : undefined;
}

export function auditLedgers(ledgers: readonly LedgerMetadata[], underReplicated: readonly number[], facts: PlacementFacts): LedgerAudit {
  const missingCopies = new Set(underReplicated);
  const audited: AuditedLedger[] = [];
  const ownerless: OwnerlessLedger[] = [];
  for (const ledger of ledgers) {
    const bookies = [...new Set(ledger.ensembles.flat())].sort();
    const owner = ledgerOwner(ledger);
    const placement = owner && facts.namespaces[owner.namespace];
    if (!owner || !placement || placement.clusters.length === 0) {
      const reason = !owner
        ? "no Pulsar owner in its metadata"
        : !placement
          ? `namespace ${owner.namespace} no longer exists`
          : `namespace ${owner.namespace} lives in clusters the stack does not declare (${placement.otherClusters?.join(", ") || "none"})`;
      ownerless.push({ ledgerId: ledger.ledgerId, bookies, ...(owner ? { owner: owner.name } : {}), reason });
      continue;
    }
    const perCluster = placement.clusters.map((c) => allowedIn(c, placement, ledger.isolation !== undefined, facts));
    const allowed = perCluster.length && perCluster.every((a) => a !== undefined) ? [...new Set(perCluster.flat() as string[])].sort() : "any";
    const outside = allowed === "any" ? [] : bookies.map((bookie) => ({ bookie, group: facts.groupOfBookie[bookie] ?? NO_GROUP })).filter((b) => !allowed.includes(b.group));
    audited.push({
      ledgerId: ledger.ledgerId,
      owner,
      clusters: placement.clusters,
      bookies,
      allowed,
      outside,
      ...(ledger.isolation ? { stamped: ledger.isolation.primary } : {}),
      underReplicated: missingCopies.has(ledger.ledgerId),
    });
  }
  return {
    ledgers: ledgers.length,
    namespaces: summarize(audited, facts),
    outside: audited.filter((l) => l.outside.length > 0),
    ownerless,
    underReplicated: [...missingCopies].sort((a, b) => a - b),
    unconfinedClusters: Object.entries(facts.clusterDefaults).filter(([, set]) => groupsOf(set).length === 0).map(([c]) => c).sort(),
  };
}

function summarize(audited: readonly AuditedLedger[], facts: PlacementFacts): NamespaceSummary[] {
  const byNamespace = new Map<string, AuditedLedger[]>();
  for (const l of audited) byNamespace.set(l.owner.namespace, [...(byNamespace.get(l.owner.namespace) ?? []), l]);
  return [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, ledgers]) => {
      const kinds: Partial<Record<LedgerKind, number>> = {};
      const byGroups: Record<string, number> = {};
      for (const l of ledgers) {
        kinds[l.owner.kind] = (kinds[l.owner.kind] ?? 0) + 1;
        const holders = [...new Set(l.bookies.map((b) => facts.groupOfBookie[b] ?? NO_GROUP))].sort().join("+");
        byGroups[holders] = (byGroups[holders] ?? 0) + 1;
      }
      const allowed = ledgers.some((l) => l.allowed === "any") ? "any" : [...new Set(ledgers.flatMap((l) => l.allowed as string[]))].sort();
      return {
        namespace,
        clusters: ledgers[0].clusters,
        allowed,
        kinds,
        byGroups,
        outside: ledgers.filter((l) => l.outside.length > 0).map((l) => l.ledgerId),
        underReplicated: ledgers.filter((l) => l.underReplicated).map((l) => l.ledgerId),
      };
    });
}

/** True when a copy lies outside where it may be, or a copy is missing: what an operator's cron or CI should fail on. */
export const auditFails = (audit: LedgerAudit): boolean => audit.outside.length > 0 || audit.underReplicated.length > 0;
