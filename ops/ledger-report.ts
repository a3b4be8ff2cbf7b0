import { BookieAdmin, LedgerMetadata } from "../admin/bookie-admin";
import { PulsarAdmin } from "../admin/pulsar-admin";
import { Topology, bookieHttpUrl, bookieId, clusterWebServiceUrl } from "../config";

/**
 * Where each namespace's ledgers live, by affinity group, and what breaks isolation: a copy
 * outside the groups the ledger was stamped with, or a ledger left under-replicated. Ledgers
 * Pulsar wrote without groups (before the namespace had affinity, schema ledgers) are listed
 * apart: nothing ever promised where they go.
 */
export interface NamespaceLedgers {
  readonly namespace: string;
  /** The groups the namespace is pinned to now. */
  readonly groups: string[];
  /** Ledger ids by the groups holding them, `+`-joined (`group-bookie1`, `group-bookie1+group-bookie2`, `(no group)`). */
  readonly byGroups: Record<string, number[]>;
  /** Ledgers with a copy outside the groups they were stamped with: isolation is broken for them. */
  readonly outside: number[];
  /** Ledgers the auditor has marked under-replicated: a copy is missing and no allowed bookie took it yet. */
  readonly underReplicated: number[];
  /** Ledgers stamped with other groups than the namespace's current ones: written before it moved. */
  readonly earlierGroups: number[];
  /** Ledgers without a group stamp: written before the namespace had affinity, or schema ledgers. */
  readonly unisolated: number[];
}

const UNGROUPED = "(no group)";

/** The namespace of a managed ledger (`tenant/namespace/persistent/topic`) or schema (`tenant/namespace/topic`). */
const namespaceOf = (ledger: LedgerMetadata) => (ledger.managedLedger ?? ledger.schema)?.split("/").slice(0, 2).join("/");

export function ledgerReport(
  topology: Topology,
  groupOfBookie: Record<string, string>,
  ledgers: readonly LedgerMetadata[],
  underReplicated: readonly number[],
): NamespaceLedgers[] {
  const missingCopies = new Set(underReplicated);
  return topology.namespaces.map((ns) => {
    const groups = [ns.affinity.primary, ...(ns.affinity.secondary ? [ns.affinity.secondary] : [])];
    const report: NamespaceLedgers = { namespace: ns.name, groups, byGroups: {}, outside: [], underReplicated: [], earlierGroups: [], unisolated: [] };
    for (const ledger of ledgers.filter((l) => namespaceOf(l) === ns.name)) {
      const holders = [...new Set(ledger.ensembles.flat().map((b) => groupOfBookie[b] ?? UNGROUPED))].sort();
      (report.byGroups[holders.join("+")] ??= []).push(ledger.ledgerId);
      if (missingCopies.has(ledger.ledgerId)) report.underReplicated.push(ledger.ledgerId);
      if (!ledger.isolation) {
        report.unisolated.push(ledger.ledgerId);
        continue;
      }
      const allowed = [...ledger.isolation.primary, ...ledger.isolation.secondary];
      if (holders.some((g) => !allowed.includes(g))) report.outside.push(ledger.ledgerId);
      if (ledger.isolation.primary.join(",") !== ns.affinity.primary) report.earlierGroups.push(ledger.ledgerId);
    }
    return report;
  });
}

/** True when the report shows isolation broken or copies missing: what an operator's cron or CI should fail on. */
export const reportFails = (report: readonly NamespaceLedgers[]): boolean => report.some((ns) => ns.outside.length > 0 || ns.underReplicated.length > 0);

/** Reads the ledgers from the bookies and each bookie's group from the clusters' rack maps, and reports. */
export async function liveLedgerReport(topology: Topology): Promise<NamespaceLedgers[]> {
  const bookies = new BookieAdmin({ baseUrl: topology.bookies.map((b) => bookieHttpUrl(topology, b)).join(",") });
  const groupOfBookie: Record<string, string> = {};
  for (const cluster of topology.clusters) {
    for (const [group, members] of Object.entries(await new PulsarAdmin({ baseUrl: clusterWebServiceUrl(topology, cluster) }).racksInfo())) {
      for (const bookie of Object.keys(members)) groupOfBookie[bookie] ??= group;
    }
  }
  // Bookies the topology declares but no rack map lists yet still count as their declared group's.
  for (const b of topology.bookies) groupOfBookie[bookieId(topology, b)] ??= b.group;
  const [ledgers, underReplicated] = await Promise.all([bookies.ledgers(), bookies.underReplicatedLedgers()]);
  return ledgerReport(topology, groupOfBookie, ledgers, underReplicated);
}

export function formatLedgerReport(report: readonly NamespaceLedgers[]): string {
  const ids = (list: number[]) => (list.length > 12 ? `${list.slice(0, 12).join(", ")}, …` : list.join(", "));
  const line = (label: string, list: number[]) => `  ${label}: ${list.length}${list.length ? ` (${ids(list)})` : ""}`;
  return report
    .map((ns) =>
      [
        `${ns.namespace} → ${ns.groups.join(" + ")}`,
        ...Object.entries(ns.byGroups).map(([groups, list]) => `  ${groups}: ${list.length} ledger${list.length === 1 ? "" : "s"} (${ids(list)})`),
        ...(Object.keys(ns.byGroups).length === 0 ? ["  no ledgers"] : []),
        line("outside their groups", ns.outside),
        line("under-replicated", ns.underReplicated),
        ...(ns.earlierGroups.length ? [line("in groups the namespace had before", ns.earlierGroups)] : []),
        ...(ns.unisolated.length ? [line("written without groups (before affinity, or schemas)", ns.unisolated)] : []),
      ].join("\n"),
    )
    .join("\n");
}
