import * as assert from "node:assert/strict";
import { affinityPlan, namespacePlan, rackPlan } from "../../components";
import { Topology } from "../../config";
import { policies } from "../../policy/policies";
import { ResourceLike } from "../../policy/plan-view";
import { topologyNodes } from "../../runtime";

const TYPE = "pulumi-nodejs:dynamic/pulsar-isolation";

/**
 * What the config-driven program registers for a topology on the local runtime, as the policy
 * engine sees the planned resources. The topology need not have passed the schema.
 */
export function planResources(topology: Topology): ResourceLike[] {
  const res = (kind: string, name: string, props: Record<string, any>): ResourceLike => ({
    type: `${TYPE}:${kind}`,
    name,
    urn: `urn:pulumi:dev::pulsar-isolation::${TYPE}:${kind}::${name}`,
    props: structuredClone(props),
  });
  return [
    ...topologyNodes(topology).map((spec) => res("LocalNode", spec.name, { spec, state: "running" })),
    ...rackPlan(topology).map((r) => res("BookieRack", r.bookie, r)),
    ...namespacePlan(topology).map((n) => res("Namespace", n.namespace, n)),
    ...affinityPlan(topology).map((a) => res("AffinityGroup", `${a.namespace}-affinity`, a)),
  ];
}

/** Runs one policy of the pack over the resources and returns the messages it reports. */
export function violations(policyName: string, resources: ResourceLike[]): string[] {
  const policy = policies.find((p) => p.name === policyName);
  assert.ok(policy, `no policy ${policyName}`);
  const messages: string[] = [];
  const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => { throw new Error("n/a"); } };
  policy.validateStack!(args as any, (message: string) => messages.push(message));
  return messages;
}
