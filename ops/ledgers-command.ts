import { auditFails } from "./ledger-audit";
import { formatLedgerAudit } from "./ledger-audit-text";
import { auditTarget, liveLedgerAudit } from "./ledger-report";
import { readStackCredentials, readStackTopology } from "./stack-file";

/**
 * `npm run ledgers -- <stack> [--json]`: every ledger of the stack's BookKeeper cluster, whose it
 * is and whether each copy lies where it may be. Exits with 2 when a copy lies outside or a ledger
 * is under-replicated, so that cron or CI can watch isolation; `--json` for machines.
 */
async function main(args: string[]): Promise<void> {
  const stack = args.find((a) => !a.startsWith("--")) ?? "dev";
  const target = auditTarget(readStackTopology(stack));
  const { audit, reads } = await liveLedgerAudit(target, await readStackCredentials(stack));
  console.log(args.includes("--json") ? JSON.stringify({ stack, ...audit, reads }, null, 2) : formatLedgerAudit(audit, reads));
  if (auditFails(audit)) {
    console.error("isolation check failed: see the ledgers outside where they may be, or under-replicated, above");
    process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
