import * as assert from "node:assert/strict";
import { LedgerInfo, PulsarAdmin } from "../../admin";

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

/**
 * The article's isolation check on a topic already written: it has at least `minLedgers` ledgers
 * with entries, and every ledger's ensemble is inside the group.
 */
export async function assertLedgersInGroup(
  admin: PulsarAdmin,
  topic: string,
  group: { readonly name: string; readonly bookies: readonly string[] },
  minLedgers = 3,
): Promise<void> {
  const ledgers = (await admin.internalStats(topic)).ledgers.filter((l) => l.entries > 0);
  assert.ok(ledgers.length >= minLedgers, `${topic}: ${ledgers.length} ledgers`);
  for (const ledger of ledgers) {
    const bookies = ledgerBookies(ledger);
    assert.ok(bookies.length >= 2, `ledger ${ledger.ledgerId} has no ensemble`);
    assert.ok(bookies.every((b) => group.bookies.includes(b)), `${topic}: ledger ${ledger.ledgerId} on ${bookies}, outside ${group.name}`);
  }
}
