import { LedgerInfo } from "../../admin";

/**
 * The bookies of every ensemble of a ledger, read from the ledger metadata that
 * `internalStats?metadata=true` returns as text:
 * `…ensembles={0=[127.0.0.1:3182, 127.0.0.1:3181], 100=[…]}, customMetadata=…`.
 */
export function ledgerEnsembles(metadata: string): string[][] {
  const section = /ensembles=\{(.*?)\}(?:,|$)/.exec(metadata)?.[1] ?? "";
  return [...section.matchAll(/\d+=\[([^\]]*)\]/g)].map((m) => m[1].split(",").map((b) => b.trim()).filter(Boolean));
}

/** Every bookie that holds a part of the ledger. */
export function ledgerBookies(ledger: LedgerInfo): string[] {
  return [...new Set(ledgerEnsembles(ledger.metadata ?? "").flat())].sort();
}
