import * as assert from "node:assert/strict";
import { affinityPlan, namespacePlan, rackPlan } from "../../components";
import { parseTopology } from "../../config";
import { policies } from "../../policy/policies";
import { ResourceLike } from "../../policy/topology-view";
import { topologyNodes } from "../../runtime";
import { stackTopology } from "../support/stack-config";

const TYPE = "pulumi-nodejs:dynamic/pulsar-isolation";

/** The resources the dev stack registers, as the policy engine sees them. */
function devResources(): ResourceLike[] {
  const topology = parseTopology(stackTopology("dev"));
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

/** Runs one policy over the resources and returns the messages it reports. */
function violations(policyName: string, resources: ResourceLike[]): string[] {
  const policy = policies.find((p) => p.name === policyName);
  assert.ok(policy, `no policy ${policyName}`);
  const messages: string[] = [];
  const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => { throw new Error("n/a"); } };
  policy.validateStack(args as any, (message: string) => messages.push(message));
  return messages;
}

const find = (resources: ResourceLike[], kind: string, name: string) => resources.find((r) => r.type.endsWith(`:${kind}`) && r.name === name)!;
const without = (resources: ResourceLike[], kind: string, name: string) => resources.filter((r) => r !== find(resources, kind, name));

describe("policy pack", () => {
  it("has the rules, each with a kebab-case name, a 'Checks whether' description and a level", () => {
    assert.deepEqual(policies.map((p) => p.name), [
      "group-holds-ensemble",
      "quorum-order",
      "affinity-group-exists",
      "bookie-in-group",
      "safe-bookie-removal",
      "shared-metadata",
    ]);
    for (const p of policies) {
      assert.match(p.name, /^[a-z]+(-[a-z]+)*$/);
      assert.match(p.description, /^Checks whether /);
    }
    assert.equal(policies.find((p) => p.name === "bookie-in-group")!.enforcementLevel, "advisory");
  });

  it("passes the dev stack on every rule", () => {
    for (const p of policies) assert.deepEqual(violations(p.name, devResources()), [], p.name);
  });

  describe("group-holds-ensemble", () => {
    it("fails a namespace whose group holds fewer bookies than the cluster's ensemble", () => {
      const resources = devResources();
      find(resources, "BookieRack", "127.0.0.1:3182").props.group = "group-bookie2";
      assert.deepEqual(violations("group-holds-ensemble", resources), ["public/c1-ns1: group-bookie1 has 1 bookie, ensemble size is 2"]);
    });

    it("uses the namespace's own persistence policy before the cluster's default", () => {
      const resources = devResources();
      find(resources, "Namespace", "public/c2-ns1").props.persistence = { ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 };
      assert.deepEqual(violations("group-holds-ensemble", resources), ["public/c2-ns1: group-bookie2 has 2 bookies, ensemble size is 3"]);
    });

    it("counts the secondary group's bookies too", () => {
      const resources = devResources();
      find(resources, "Namespace", "public/c2-ns1").props.persistence = { ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 };
      find(resources, "AffinityGroup", "public/c2-ns1-affinity").props.secondary = "group-bookie1";
      assert.deepEqual(violations("group-holds-ensemble", resources), []);
    });
  });

  describe("quorum-order", () => {
    it("fails a broker default whose write quorum exceeds the ensemble", () => {
      const resources = devResources();
      find(resources, "LocalNode", "broker2").props.spec.settings.managedLedgerDefaultWriteQuorum = "3";
      assert.deepEqual(violations("quorum-order", resources), ["broker broker2: ensemble 2 >= write quorum 3 >= ack quorum 2 >= 1 does not hold"]);
    });

    it("fails a namespace policy with an ack quorum of 0", () => {
      const resources = devResources();
      find(resources, "Namespace", "public/c1-ns1").props.persistence = { ensembleSize: 2, writeQuorum: 2, ackQuorum: 0 };
      assert.deepEqual(violations("quorum-order", resources), ["public/c1-ns1: ensemble 2 >= write quorum 2 >= ack quorum 0 >= 1 does not hold"]);
    });
  });

  describe("affinity-group-exists", () => {
    it("fails a namespace pinned to a group no bookie is in", () => {
      const resources = devResources();
      find(resources, "AffinityGroup", "public/c1-ns1-affinity").props.primary = "group-bookie3";
      assert.deepEqual(violations("affinity-group-exists", resources), ["public/c1-ns1: affinity group group-bookie3 does not exist (no bookie is assigned to it)"]);
    });
  });

  describe("bookie-in-group", () => {
    it("reports a bookie without a rack entry", () => {
      const resources = without(devResources(), "BookieRack", "127.0.0.1:3184");
      assert.deepEqual(violations("bookie-in-group", resources), [
        "bookie bk4 (127.0.0.1:3184) is in no affinity group; it receives other groups' spill-over data",
      ]);
    });
  });

  describe("safe-bookie-removal", () => {
    it("fails when a bookie's removal leaves its group below the largest ensemble that uses it", () => {
      let resources = without(devResources(), "LocalNode", "bk4");
      resources = without(resources, "BookieRack", "127.0.0.1:3184");
      assert.deepEqual(violations("safe-bookie-removal", resources), [
        "group-bookie2 would hold 1 bookie (127.0.0.1:3183), below the ensemble size 2 of public/c2-ns1; decommission no bookie of it before adding another",
      ]);
    });

    it("passes the removal of a bookie from a group that keeps enough", () => {
      const resources = devResources();
      const extra = structuredClone(find(resources, "BookieRack", "127.0.0.1:3184"));
      resources.push({ ...extra, name: "127.0.0.1:3185", props: { ...extra.props, bookie: "127.0.0.1:3185" } });
      assert.deepEqual(violations("safe-bookie-removal", without(resources, "BookieRack", "127.0.0.1:3184")), []);
    });
  });

  describe("shared-metadata", () => {
    it("fails a broker that points at another BookKeeper or configuration store", () => {
      const resources = devResources();
      const settings = find(resources, "LocalNode", "broker1").props.spec.settings;
      settings.bookkeeperMetadataServiceUri = "zk://127.0.0.1:2182/ledgers";
      settings.configurationMetadataStoreUrl = "zk:127.0.0.1:2182";
      assert.deepEqual(violations("shared-metadata", resources), [
        "broker broker1 uses BookKeeper metadata zk://127.0.0.1:2182/ledgers, not the shared zk://127.0.0.1:2181/ledgers",
        "broker broker1 uses configuration store zk:127.0.0.1:2182, not the shared zk:127.0.0.1:2181",
      ]);
    });

    it("fails a bookie whose ledgers root is elsewhere, in either form it may be written", () => {
      const resources = devResources();
      find(resources, "LocalNode", "bk3").props.spec.settings.zkServers = "127.0.0.1:2183";
      find(resources, "LocalNode", "bk4").props.spec.settings.metadataServiceUri = "zk://127.0.0.1:2182/ledgers";
      assert.deepEqual(violations("shared-metadata", resources), [
        "bookie bk3 registers in zk://127.0.0.1:2183/ledgers, not the shared zk://127.0.0.1:2181/ledgers",
        "bookie bk4 registers in zk://127.0.0.1:2182/ledgers, not the shared zk://127.0.0.1:2181/ledgers",
      ]);
    });
  });
});
