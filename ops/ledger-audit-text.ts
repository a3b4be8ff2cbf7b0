import { LedgerAudit, LedgerKind } from "./ledger-audit";
import type { AuditReads } from "./ledger-report";

/** The ledger audit as `npm run ledgers` prints it: a line per namespace, then every ledger that needs a look. */

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
const ids = (list: readonly number[]) => (list.length > 12 ? `${list.slice(0, 12).join(", ")}, …` : list.join(", "));
const counted = (label: string, list: readonly number[]) => `${label}: ${list.length}${list.length ? ` (${ids(list)})` : ""}`;
const allowedText = (allowed: readonly string[] | "any") => (allowed === "any" ? "any bookie" : allowed.join(" + "));

export function formatLedgerAudit(audit: LedgerAudit, reads?: AuditReads): string {
  const lines = [
    `${plural(audit.ledgers, "ledger")} in BookKeeper's metadata` +
      (reads ? ` (read in ${reads.seconds.toFixed(1)} s: ${plural(reads.bookieCalls, "bookie call")}, ${plural(reads.adminCalls, "admin call")})` : ""),
  ];
  for (const ns of audit.namespaces) {
    const kinds = Object.entries(ns.kinds).map(([kind, n]) => `${n} ${kind as LedgerKind}`).join(", ");
    const held = Object.entries(ns.byGroups).map(([groups, n]) => `${groups}: ${n}`).join(", ");
    lines.push(`${ns.namespace} (${ns.clusters.join(", ")}) may use ${allowedText(ns.allowed)}: ${kinds}; held by ${held}`);
    if (ns.outside.length) lines.push(`  ${counted("outside where they may be", ns.outside)}`);
    if (ns.underReplicated.length) lines.push(`  ${counted("under-replicated", ns.underReplicated)}`);
  }
  lines.push(`outside where they may be: ${audit.outside.length}`);
  for (const l of audit.outside) {
    const copies = l.outside.map((b) => `${b.bookie} (${b.group})`).join(", ");
    const moved = !l.stamped || l.allowed === "any" || l.stamped.every((g) => l.allowed.includes(g))
      ? ""
      : l.stamped.includes("*")
        ? "; stamped for any group (*)"
        : `; written for ${l.stamped.join(" + ")}, before the namespace moved`;
    lines.push(`  ledger ${l.ledgerId}: ${l.owner.kind} of ${l.owner.name} (${l.clusters.join(", ")}) has copies on ${copies}, outside ${allowedText(l.allowed)}${moved}`);
  }
  lines.push(counted("under-replicated", audit.underReplicated));
  if (audit.ownerless.length) {
    lines.push(`without an owner the audit can judge: ${audit.ownerless.length}`);
    for (const l of audit.ownerless.slice(0, 50)) lines.push(`  ledger ${l.ledgerId}${l.owner ? ` (${l.owner})` : ""} on ${l.bookies.join(", ")}: ${l.reason}`);
    if (audit.ownerless.length > 50) lines.push(`  … and ${audit.ownerless.length - 50} more`);
  }
  if (audit.unconfinedClusters.length) {
    lines.push(`clusters without default groups (their namespaces without a group may use any bookie): ${audit.unconfinedClusters.join(", ")}`);
  }
  return lines.join("\n");
}
