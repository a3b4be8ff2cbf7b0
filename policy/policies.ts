import type { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { RULES, RuleName, checkIsolation } from "../rules/isolation";
import { planIsolationFacts, subjectUrn } from "./isolation-facts";
import { sharedMetadata } from "./shared-metadata";
import { topologyView } from "./plan-view";

/**
 * The isolation rules of rules/isolation.ts (the ones the stack config's schema applies too, with
 * the same messages), checked on the planned resources, plus what only resources show: whether the
 * nodes really share one metadata service. Every rule spans resources, so each is a stack policy.
 */

/** How hard each isolation rule stops a preview; a stack can change it with policy config. */
const LEVELS: Record<RuleName, EnforcementLevel> = {
  "group-holds-ensemble": "mandatory",
  "quorum-order": "mandatory",
  "affinity-group-exists": "mandatory",
  // A stack may keep ungrouped bookies for spill-over on purpose; strict stacks raise it.
  "bookie-in-group": "advisory",
};

const isolationPolicies: StackValidationPolicy[] = RULES.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: LEVELS[rule.name],
  validateStack: (args, reportViolation) => {
    const view = topologyView(args.resources);
    for (const verdict of checkIsolation(planIsolationFacts(view), [rule.name])) reportViolation(verdict.message, subjectUrn(view, verdict.subject));
  },
}));

export const policies: StackValidationPolicy[] = [
  ...isolationPolicies,
  {
    name: "shared-metadata",
    description: "Checks whether every broker and bookie uses the one BookKeeper metadata service, and every broker the one configuration store.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
      for (const v of sharedMetadata(args.resources)) reportViolation(v.message, v.urn);
    },
  },
];
