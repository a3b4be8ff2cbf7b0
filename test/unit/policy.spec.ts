import * as assert from "node:assert/strict";
import { ExternalTopology, parseStackTopology, parseTopology } from "../../config";
import { externalIsolationArgs, isolationPlan } from "../../components";
import { policies } from "../../policy/policies";
import { ResourceLike } from "../../policy/plan-view";
import { planResources, violations } from "../support/plan-resources";
import { stackTopology } from "../support/stack-config";

/** The resources the dev stack registers, as the policy engine sees them. */
const devResources = () => planResources(parseTopology(stackTopology("dev")));

const find = (resources: ResourceLike[], kind: string, name: string) => resources.find((r) => r.type.endsWith(`:${kind}`) && r.name === name)!;
const without = (resources: ResourceLike[], kind: string, name: string) => resources.filter((r) => r !== find(resources, kind, name));

describe("policy pack", () => {
  it("has the rules, each with a kebab-case name, a 'Checks whether' description and a level", () => {
    assert.deepEqual(policies.map((p) => p.name), ["group-holds-ensemble", "quorum-order", "affinity-group-exists", "bookie-in-group", "shared-metadata"]);
    for (const p of policies) {
      assert.match(p.name, /^[a-z]+(-[a-z]+)*$/);
      assert.match(p.description, /^Checks whether /);
    }
    assert.equal(policies.find((p) => p.name === "bookie-in-group")!.enforcementLevel, "advisory");
  });

  it("passes the dev stack on every rule", () => {
    for (const p of policies) assert.deepEqual(violations(p.name, devResources()), [], p.name);
  });

  it("passes a stack whose namespace has a secondary group, on every rule", () => {
    const resources = devResources();
    find(resources, "AffinityGroup", "public/c2-ns1-affinity").props.secondary = "group-bookie1";
    find(resources, "Namespace", "public/c2-ns1").props.persistence = { ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 };
    for (const p of policies) assert.deepEqual(violations(p.name, resources), [], p.name);
  });

  describe("group-holds-ensemble", () => {
    /** What an external stack registers: rack entries, namespaces and groups, and no node. */
    const externalResources = (): ResourceLike[] => {
      const plan = isolationPlan(externalIsolationArgs(parseStackTopology(stackTopology("external")) as ExternalTopology));
      const res = (kind: string, name: string, props: object): ResourceLike => ({
        type: `pulumi-nodejs:dynamic/pulsar-isolation:${kind}`,
        name,
        urn: `urn:pulumi:external::pulsar-isolation::pulumi-nodejs:dynamic/pulsar-isolation:${kind}::${name}`,
        props: structuredClone(props),
      });
      return [
        ...plan.racks.map((r) => res("BookieRack", r.bookie, r)),
        ...plan.namespaces.map((n) => res("Namespace", n.namespace, n)),
        ...plan.affinities.map((a) => res("AffinityGroup", `${a.namespace}-affinity`, a)),
      ];
    };

    it("judges clusters someone else runs by the defaults their stack declares", () => {
      const resources = externalResources();
      for (const p of policies) assert.deepEqual(violations(p.name, resources), [], p.name);
      find(resources, "Namespace", "public/c1-ns1").props.clusterDefaults = { ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 };
      assert.deepEqual(violations("group-holds-ensemble", resources), [
        // Bookies the plan only files in a rack map are named by their ids.
        'public/c1-ns1: "group-bookie1" have 2 bookies (127.0.0.1:3181, 127.0.0.1:3182), fewer than the ensemble size 3 (from cluster cluster1)',
      ]);
    });

    it("fails a namespace whose group holds fewer bookies than the cluster's ensemble", () => {
      const resources = devResources();
      find(resources, "BookieRack", "127.0.0.1:3182").props.group = "group-bookie2";
      assert.deepEqual(violations("group-holds-ensemble", resources), [
        'public/c1-ns1: "group-bookie1" has 1 bookie (bk1), fewer than the ensemble size 2 (from cluster cluster1)',
      ]);
    });

    it("uses the namespace's own persistence policy before the cluster's default", () => {
      const resources = devResources();
      find(resources, "Namespace", "public/c2-ns1").props.persistence = { ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 };
      assert.deepEqual(violations("group-holds-ensemble", resources), [
        'public/c2-ns1: "group-bookie2" have 2 bookies (bk3, bk4), fewer than the ensemble size 3 (from its persistence policy)',
      ]);
    });

    it("sees what the brokers will really use: a default ensemble raised in their settings", () => {
      const resources = devResources();
      find(resources, "LocalNode", "broker1").props.spec.settings.managedLedgerDefaultEnsembleSize = "3";
      assert.deepEqual(violations("group-holds-ensemble", resources), [
        'public/c1-ns1: "group-bookie1" have 2 bookies (bk1, bk2), fewer than the ensemble size 3 (from cluster cluster1)',
      ]);
    });
  });

  describe("quorum-order", () => {
    it("fails a cluster whose brokers' default write quorum exceeds the ensemble", () => {
      const resources = devResources();
      find(resources, "LocalNode", "broker2").props.spec.settings.managedLedgerDefaultWriteQuorum = "3";
      assert.deepEqual(violations("quorum-order", resources), [
        "cluster cluster2: writeQuorum 3 is larger than ensembleSize 2 (ensemble 2 >= write quorum 3 >= ack quorum 2 >= 1 must hold)",
      ]);
    });

    it("fails a namespace policy with an ack quorum of 0", () => {
      const resources = devResources();
      find(resources, "Namespace", "public/c1-ns1").props.persistence = { ensembleSize: 2, writeQuorum: 2, ackQuorum: 0 };
      assert.deepEqual(violations("quorum-order", resources), [
        "public/c1-ns1: ackQuorum 0 must be at least 1 (ensemble 2 >= write quorum 2 >= ack quorum 0 >= 1 must hold)",
      ]);
    });
  });

  describe("affinity-group-exists", () => {
    it("fails a namespace pinned to a group no bookie is in", () => {
      const resources = devResources();
      find(resources, "AffinityGroup", "public/c1-ns1-affinity").props.primary = "group-bookie3";
      assert.deepEqual(violations("affinity-group-exists", resources), [
        'public/c1-ns1: affinity group "group-bookie3" does not exist (groups: group-bookie1, group-bookie2): no bookies are in it, and Pulsar would accept it and place data outside any group',
      ]);
    });
  });

  describe("bookie-in-group", () => {
    it("reports a bookie that runs without a rack entry", () => {
      const resources = without(devResources(), "BookieRack", "127.0.0.1:3184");
      assert.deepEqual(violations("bookie-in-group", resources), [
        `bookie "bk4" (127.0.0.1:3184) is in no affinity group; ungrouped bookies receive other groups' spill-over data`,
      ]);
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
