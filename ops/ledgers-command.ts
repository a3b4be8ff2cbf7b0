import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { TOPOLOGY_KEY, parseTopology } from "../config";
import { formatLedgerReport, liveLedgerReport, reportFails } from "./ledger-report";

/**
 * `npm run ledgers -- <stack>`: where each namespace's ledgers live, by affinity group, on the
 * running stack. Exits with 2 when a copy lies outside its ledger's groups or a ledger is
 * under-replicated, so that cron or CI can watch isolation.
 */
async function main(stack: string): Promise<void> {
  const file = path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const topology = parseTopology(doc.config?.[`pulsar-isolation:${TOPOLOGY_KEY}`], `${path.basename(file)}: pulsar-isolation:${TOPOLOGY_KEY}`);
  const report = await liveLedgerReport(topology);
  console.log(formatLedgerReport(report));
  if (reportFails(report)) {
    console.error("isolation check failed: see the ledgers outside their groups or under-replicated above");
    process.exitCode = 2;
  }
}

main(process.argv[2] ?? "dev").catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
