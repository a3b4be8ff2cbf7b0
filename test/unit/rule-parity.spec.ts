import * as assert from "node:assert/strict";
import { Topology, TopologyConfigError, parseTopology } from "../../config";
import { isolationProblems } from "../../config/isolation-facts";
import { formatPath } from "../../config/path";
import { ResourceLike } from "../../policy/plan-view";
import { RULES } from "../../rules/isolation";
import { planResources, violations } from "../support/plan-resources";
import { stackTopology } from "../support/stack-config";

function policyMessages(resources: ResourceLike[]): string[] {
  return RULES.flatMap((rule) => violations(rule.name, resources)).sort();
}

function schemaProblems(raw: unknown): string[] {
  try {
    parseTopology(raw);
  } catch (err) {
    assert.ok(err instanceof TopologyConfigError, String(err));
    return err.problems;
  }
  return [];
}

/** A change to the dev topology, made to the stack config (for the schema) and to the parsed topology (for the plan). */
const CASES: { rule: string; change: (t: Record<string, any>) => void }[] = [
  { rule: "group-holds-ensemble", change: (t) => (t.namespaces[1].persistence = { ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 }) },
  { rule: "quorum-order", change: (t) => (t.clusters[0].managedLedger.writeQuorum = 3) },
  { rule: "quorum-order", change: (t) => (t.namespaces[0].persistence = { ensembleSize: 2, writeQuorum: 2, ackQuorum: 0 }) },
  { rule: "affinity-group-exists", change: (t) => (t.namespaces[0].affinity.primary = "group-x") },
  { rule: "bookie-in-group", change: (t) => delete t.bookies[3].group },
  { rule: "affinity-group-exists", change: (t) => (t.clusters[0].defaultAffinity = { primary: "group-x" }) },
  { rule: "affinity-group-exists", change: (t) => (t.clusters[1].defaultAffinity = { primary: ["group-bookie2"], secondary: "group-y" }) },
  {
    rule: "group-holds-ensemble",
    change: (t) => {
      t.clusters[0].managedLedger = { ...t.clusters[0].managedLedger, ensembleSize: 3 };
      t.namespaces[0].persistence = { ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 };
    },
  },
];

describe("the isolation rules give the same verdicts and messages from the stack config and from the plan", () => {
  for (const { rule, change } of CASES) {
    it(`${rule}: ${change.toString().replace(/^\(t\) => /, "")}`, () => {
      const raw = stackTopology("dev");
      change(raw);
      const parsed = parseTopology(stackTopology("dev")) as unknown as Record<string, any>;
      change(parsed);

      const fromPlan = policyMessages(planResources(parsed as Topology));
      const fromConfig = isolationProblems(raw);
      assert.ok(fromPlan.length > 0, "the plan breaks a rule");
      assert.ok(fromConfig.some((p) => p.verdict.rule === rule), `the config breaks ${rule}`);
      assert.deepEqual(fromConfig.map((p) => p.message).sort(), fromPlan);
      const problems = schemaProblems(raw);
      for (const p of fromConfig) {
        assert.ok(problems.some((line) => line.startsWith(`${formatPath(p.path)} = `) && line.endsWith(`: ${p.message}`)), `${p.message}\nnot in:\n${problems.join("\n")}`);
      }
    });
  }
});
