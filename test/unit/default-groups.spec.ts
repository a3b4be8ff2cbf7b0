import * as assert from "node:assert/strict";
import { parseTopology } from "../../config";
import { brokerSpec } from "../../runtime";
import { assertProblem, problemsOf } from "../support/config-problems";
import { stackTopology } from "../support/stack-config";

/** The isolation settings of each cluster's first broker, as the runtime writes them into broker.conf. */
function brokerGroups(raw: Record<string, any>): Record<string, Record<string, string | undefined>> {
  const topology = parseTopology(raw);
  return Object.fromEntries(
    topology.clusters.map((c) => {
      const { settings } = brokerSpec(topology, c, c.brokers[0]);
      return [c.name, {
        primary: settings.bookkeeperClientIsolationGroups,
        secondary: settings.bookkeeperClientSecondaryIsolationGroups,
        strict: settings.strictBookieAffinityEnabled,
      }];
    }),
  );
}

describe("cluster default groups: where ledgers made outside namespace placement go", () => {
  it("gives each cluster's brokers the groups of its namespaces, with strict affinity off", () => {
    assert.deepEqual(brokerGroups(stackTopology("dev")), {
      cluster1: { primary: "group-bookie1", secondary: undefined, strict: "false" },
      cluster2: { primary: "group-bookie2", secondary: undefined, strict: "false" },
    });
  });

  it("takes every primary group of the cluster's namespaces, and their secondary groups that are not primary elsewhere", () => {
    const t = stackTopology("dev");
    t.bookies.push({ name: "bk5", bookiePort: 3185, httpPort: 8015, group: "group-bookie3", rack: "rack3" });
    t.bookies.push({ name: "bk6", bookiePort: 3186, httpPort: 8016, group: "group-bookie3", rack: "rack3" });
    t.namespaces.push({ name: "public/c2-ns2", cluster: "cluster2", affinity: { primary: "group-bookie3", secondary: "group-bookie1" } });
    t.namespaces.push({ name: "public/c2-ns3", cluster: "cluster2", affinity: { primary: "group-bookie2", secondary: "group-bookie3" } });
    assert.deepEqual(brokerGroups(t).cluster2, { primary: "group-bookie2,group-bookie3", secondary: "group-bookie1", strict: "false" });
  });

  it("uses the groups a cluster declares instead, one or several", () => {
    const t = stackTopology("dev");
    t.clusters[0].defaultAffinity = { primary: "group-bookie2" };
    t.clusters[1].defaultAffinity = { primary: ["group-bookie2"], secondary: ["group-bookie1"] };
    assert.deepEqual(brokerGroups(t), {
      cluster1: { primary: "group-bookie2", secondary: undefined, strict: "false" },
      cluster2: { primary: "group-bookie2", secondary: "group-bookie1", strict: "false" },
    });
  });

  it("sets no group for a cluster without namespaces or a declaration: there is nothing to take them from", () => {
    const t = stackTopology("dev");
    t.namespaces = t.namespaces.filter((ns: { cluster: string }) => ns.cluster !== "cluster2");
    assert.deepEqual(brokerGroups(t).cluster2, { primary: undefined, secondary: undefined, strict: "false" });
  });

  describe("refuses, naming the path and the value", () => {
    it("a default group that does not exist, or that holds fewer bookies than the cluster's ensemble", () => {
      const problems = problemsOf("dev", (t) => {
        t.clusters[0].defaultAffinity = { primary: "group-x" };
        t.clusters[1].managedLedger.ensembleSize = 3;
        t.namespaces[1].persistence = { ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 };
      });
      assertProblem(problems, "clusters[0].defaultAffinity", { primary: "group-x" }, 'default affinity group "group-x" does not exist', "group-bookie1, group-bookie2");
      assertProblem(problems, "clusters[1].defaultAffinity", undefined, 'cluster cluster2: default groups "group-bookie2" have 2 bookies (bk3, bk4)', "ensemble size 3");
    });

    it("the brokers' isolation settings in brokerSettings: defaultAffinity sets them", () => {
      const problems = problemsOf("dev", (t) => {
        t.clusters[0].brokerSettings = { bookkeeperClientIsolationGroups: "group-bookie1", strictBookieAffinityEnabled: true };
        t.clusters[1].brokerSettings = { bookkeeperClientSecondaryIsolationGroups: "group-bookie1" };
      });
      assertProblem(problems, "clusters[0].brokerSettings.bookkeeperClientIsolationGroups", "group-bookie1", "defaultAffinity.primary");
      assertProblem(problems, "clusters[0].brokerSettings.strictBookieAffinityEnabled", true, "always off");
      assertProblem(problems, "clusters[1].brokerSettings.bookkeeperClientSecondaryIsolationGroups", "group-bookie1", "defaultAffinity.secondary");
    });

    it("a malformed declaration", () => {
      const problems = problemsOf("dev", (t) => {
        t.clusters[0].defaultAffinity = { primary: [] };
        t.clusters[1].defaultAffinity = { secondary: "group-bookie1", primry: "group-bookie2" };
      });
      assertProblem(problems, "clusters[0].defaultAffinity.primary", []);
      assertProblem(problems, "clusters[1].defaultAffinity.primry", "group-bookie2", 'did you mean "primary"');
    });
  });
});
