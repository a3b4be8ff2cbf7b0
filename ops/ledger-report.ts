import { BookieAdmin, LedgerMetadata } from "../admin/bookie-admin";
import { PulsarAdmin } from "../admin/pulsar-admin";
import { Topology, bookieHttpUrl, bookieId, clusterWebServiceUrl } from "../config";

/**
 * Where each namespace's ledgers live, by affinity group: after a namespace moves to another
 * group, or a bookie leaves, it shows old data ageing out and copies that landed outside.
 */
export interface NamespaceLedgers {
  readonly namespace: string;
  /** The groups the namespace is pinned to now. */
  readonly groups: string[];
  /** Ledger ids by the groups holding them, `+`-joined (`group-bookie1`, `group-bookie1+group-bookie2`, `(no group)`). */
  readonly byGroups: Record<string, number[]>;
  /** Ledgers with a copy on a bookie outside the namespace's groups. */
  readonly outside: number[];
}

const UNGROUPED = "(no group)";

/** The namespace of a managed ledger name: `tenant/namespace/persistent/topic`. */
const namespaceOf = (managedLedger: string) => managedLedger.split("/").slice(0, 2).join("/");

export function ledgerReport(topology: Topology, groupOfBookie: Record<string, string>, ledgers: readonly LedgerMetadata[]): NamespaceLedgers[] {
  return topology.namespaces.map((ns) => {
    const groups = [ns.affinity.primary, ...(ns.affinity.secondary ? [ns.affinity.secondary] : [])];
    const byGroups: Record<string, number[]> = {};
    const outside: number[] = [];
    for (const ledger of ledgers.filter((l) => l.managedLedger && namespaceOf(l.managedLedger) === ns.name)) {
      const holders = [...new Set(ledger.ensembles.flat().map((b) => groupOfBookie[b] ?? UNGROUPED))].sort();
      (byGroups[holders.join("+")] ??= []).push(ledger.ledgerId);
      if (holders.some((g) => !groups.includes(g))) outside.push(ledger.ledgerId);
    }
    return { namespace: ns.name, groups, byGroups, outside };
  });
}

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
  for (const b of topology.bookies) if (b.group) groupOfBookie[bookieId(topology, b)] ??= b.group;
  return ledgerReport(topology, groupOfBookie, await bookies.ledgers());
}

export function formatLedgerReport(report: readonly NamespaceLedgers[]): string {
  const ids = (list: number[]) => (list.length > 12 ? `${list.slice(0, 12).join(", ")}, …` : list.join(", "));
  return report
    .map((ns) =>
      [
        `${ns.namespace} → ${ns.groups.join(" + ")}`,
        ...Object.entries(ns.byGroups).map(([groups, list]) => `  ${groups}: ${list.length} ledger${list.length === 1 ? "" : "s"} (${ids(list)})`),
        ...(Object.keys(ns.byGroups).length === 0 ? ["  no ledgers"] : []),
        `  outside its groups: ${ns.outside.length}${ns.outside.length ? ` (${ids(ns.outside)})` : ""}`,
      ].join("\n"),
    )
    .join("\n");
}
