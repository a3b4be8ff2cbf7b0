import type { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { sharedMetadata } from "./rules/metadata";
import { Violation, bookiesInGroups, groupsExist, groupsHoldEnsembles, groupsKeepLargestEnsemble } from "./rules/placement";
import { quorumsInOrder } from "./rules/quorum";
import { ResourceLike } from "./topology-view";

/** A stack-wide rule: our rules span resources (groups against the namespaces that use them). */
function stackRule(
  name: string,
  description: string,
  enforcementLevel: EnforcementLevel,
  check: (resources: readonly ResourceLike[]) => Violation[],
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel,
    validateStack: (args, reportViolation) => {
      for (const v of check(args.resources)) reportViolation(v.message, v.urn);
    },
  };
}

export const policies: StackValidationPolicy[] = [
  stackRule(
    "group-holds-ensemble",
    "Checks whether the bookies of each namespace's primary (and secondary) group are at least its ensemble size.",
    "mandatory",
    groupsHoldEnsembles,
  ),
  stackRule("quorum-order", "Checks whether ensemble >= write quorum >= ack quorum >= 1 wherever they are set.", "mandatory", quorumsInOrder),
  stackRule("affinity-group-exists", "Checks whether every affinity group a namespace names has at least one bookie.", "mandatory", groupsExist),
  stackRule(
    "bookie-in-group",
    "Checks whether every bookie is in an affinity group; ungrouped bookies receive spill-over data. Raise to mandatory for strict stacks.",
    "advisory",
    bookiesInGroups,
  ),
  stackRule(
    "safe-bookie-removal",
    "Checks whether removing bookies leaves every group with at least the largest ensemble size that uses it.",
    "mandatory",
    groupsKeepLargestEnsemble,
  ),
  stackRule(
    "shared-metadata",
    "Checks whether every broker points at the shared BookKeeper metadata service and the shared configuration store.",
    "mandatory",
    sharedMetadata,
  ),
];

