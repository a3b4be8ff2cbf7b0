import * as assert from "node:assert/strict";
import { groupPlan } from "../../components";
import { Topology, clusterDefaultGroups } from "../../config";

/**
 * The acceptance check of "every ledger inside its group", apart from the project's report: every
 * ledger as BookKeeper's metadata service lists it (a bookie's own HTTP API, read raw), its owner
 * from the keys Pulsar stamps on it, judged against the bookies the test itself says the owner's
 * namespace may use.
 */

export interface RawLedger {
  readonly ledgerId: number;
  /** The owner's namespace (`tenant/ns`, or `tenant/cluster/ns` for a broker's heartbeat); undefined when Pulsar stamped no owner. */
  readonly namespace?: string;
  readonly owner?: string;
  readonly component?: string;
  /** True when the broker stamped it with the groups its copies, and any copy recovery makes, may use. */
  readonly stamped: boolean;
  readonly bookies: readonly string[];
}

const OWNER_KEYS = ["pulsar/managed-ledger", "pulsar/schemaId", "pulsar/compactedTopic", "pulsar/delayedIndexTopic"];

/**
 * Every ledger of the BookKeeper cluster, from one bookie's `ledger/list` with its metadata
 * decoded; asked again when a ledger went while the bookie listed them (it answers 500 then).
 */
export async function everyLedger(bookieHttpUrl: string): Promise<RawLedger[]> {
  let res = await fetch(`${bookieHttpUrl}/api/v1/ledger/list/?print_metadata=true&decode_meta=true`);
  for (let retry = 0; res.status === 500 && retry < 10; retry++) {
    await new Promise((r) => setTimeout(r, 500));
    res = await fetch(`${bookieHttpUrl}/api/v1/ledger/list/?print_metadata=true&decode_meta=true`);
  }
  assert.equal(res.status, 200, `${bookieHttpUrl} listed the ledgers with ${res.status}`);
  const all = (await res.json()) as Record<string, { customMetadata?: Record<string, string>; allEnsembles?: Record<string, { id: string }[]> }>;
  return Object.entries(all).map(([id, meta]) => {
    const custom = Object.fromEntries(Object.entries(meta.customMetadata ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
    const owner = OWNER_KEYS.map((k) => custom[k]).find(Boolean);
    const parts = owner?.replace(/^persistent:\/\//, "").split("/");
    const namespace = parts && (parts.includes("persistent") ? parts.slice(0, parts.indexOf("persistent")) : parts.slice(0, -1)).join("/");
    const bookies = [...new Set(Object.values(meta.allEnsembles ?? {}).flatMap((ensemble) => ensemble.map((b) => b.id)))].sort();
    return { ledgerId: Number(id), namespace, owner, component: custom.component, stamped: "EnsemblePlacementPolicyConfig" in custom, bookies };
  });
}

/**
 * Asserts that every copy of every ledger is on a bookie its namespace may use; `mayUse` gives
 * those bookies for each namespace the test knows, and a ledger of any other namespace, or with no
 * owner, fails the check.
 */
export function assertEveryLedgerInside(ledgers: readonly RawLedger[], mayUse: (namespace: string) => readonly string[] | undefined): void {
  assert.ok(ledgers.length > 0, "BookKeeper lists no ledger");
  const wrong = ledgers.flatMap((l) => {
    const allowed = l.namespace === undefined ? undefined : mayUse(l.namespace);
    if (!allowed) return [`ledger ${l.ledgerId} (${l.owner ?? "no owner"}): its namespace is not one the test knows`];
    const outside = l.bookies.filter((b) => !allowed.includes(b));
    return outside.length ? [`ledger ${l.ledgerId} (${l.component} of ${l.owner}) has copies on ${outside.join(", ")}, outside ${allowed.join(", ")}`] : [];
  });
  assert.deepEqual(wrong, [], `${wrong.length} of ${ledgers.length} ledgers outside:\n${wrong.join("\n")}`);
}

/** Namespaces that each cluster's `initialize-cluster-metadata` makes for every cluster. */
const SHARED_NAMESPACES = ["public/default", "pulsar/system"];

/**
 * The bookies each namespace of a topology may use: its own groups and its cluster's default
 * groups (where its ledgers made outside namespace placement go); for a namespace made outside
 * the stack (`madeOutside`: namespace → cluster) and a broker's heartbeat namespace, its cluster's
 * default groups; for the namespaces every cluster shares, every cluster's.
 */
export function topologyMayUse(topology: Topology, madeOutside: Readonly<Record<string, string>> = {}): (namespace: string) => string[] | undefined {
  const members = groupPlan(topology);
  const bookiesIn = (groups: readonly (string | undefined)[]) => [...new Set(groups.flatMap((g) => (g ? members[g] ?? [] : [])))].sort();
  const defaults = (cluster: string) => {
    const set = clusterDefaultGroups(topology, topology.clusters.find((c) => c.name === cluster)!);
    return [...set.primary, ...set.secondary];
  };
  return (namespace) => {
    const declared = topology.namespaces.find((ns) => ns.name === namespace);
    if (declared) return bookiesIn([declared.affinity.primary, declared.affinity.secondary, ...defaults(declared.cluster)]);
    if (madeOutside[namespace]) return bookiesIn(defaults(madeOutside[namespace]));
    const parts = namespace.split("/");
    if (parts.length === 3 && topology.clusters.some((c) => c.name === parts[1])) return bookiesIn(defaults(parts[1]));
    if (SHARED_NAMESPACES.includes(namespace)) return bookiesIn(topology.clusters.flatMap((c) => defaults(c.name)));
    return undefined;
  };
}
