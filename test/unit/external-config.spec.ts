import * as assert from "node:assert/strict";
import { ExternalTopology, parseStackTopology } from "../../config";
import { externalIsolationArgs, isolationPlan } from "../../components";
import { assertProblem, problemsOf as problemsOfStack } from "../support/config-problems";
import { stackTopology } from "../support/stack-config";

const problemsOf = (change: (t: Record<string, any>) => void) => problemsOfStack("external", change);

describe("runtime: external config", () => {
  it("accepts the external example: clusters by admin URL, bookies by id, no node", () => {
    const topology = parseStackTopology(stackTopology("external")) as ExternalTopology;
    assert.equal(topology.runtime, "external");
    const plan = isolationPlan(externalIsolationArgs(topology));
    assert.deepEqual(plan.groups, { "group-bookie1": ["127.0.0.1:3181", "127.0.0.1:3182"], "group-bookie2": ["127.0.0.1:3183", "127.0.0.1:3184"] });
    assert.deepEqual(plan.racks.map((r) => [r.bookie, r.hostname, r.configurationStore]), topology.bookies.map((b) => [b.id, "127.0.0.1", "127.0.0.1:2181"]));
    assert.deepEqual(plan.namespaces.map((ns) => [ns.namespace, ns.adminUrl, ns.retention]), [
      ["public/c1-ns1", "http://127.0.0.1:8080", undefined],
      ["public/c2-ns1", "http://127.0.0.1:8081", undefined],
    ]);
  });

  it("keeps only the clusters' rack maps when no configuration store is named", () => {
    const raw = stackTopology("external");
    delete raw.configurationStore;
    const plan = isolationPlan(externalIsolationArgs(parseStackTopology(raw) as ExternalTopology));
    assert.ok(plan.racks.every((r) => r.configurationStore === undefined));
  });

  it("rejects what it cannot use, naming the path and the value", () => {
    const problems = problemsOf((t) => {
      t.bookies[0].id = "bk1";
      t.bookies[1].id = t.bookies[2].id;
      t.clusters[0].adminUrl = "127.0.0.1:8080";
      t.clusters[1].brokers = [];
      t.namespaces[1].cluster = "cluster3";
    });
    assertProblem(problems, "bookies[0].id", "bk1", "is not a bookie id (host:port");
    assertProblem(problems, "bookies[2].id", "127.0.0.1:3183", 'bookie id "127.0.0.1:3183" is already used by bookies[1]');
    assertProblem(problems, "clusters[0].adminUrl", "127.0.0.1:8080", "is not an admin URL");
    assertProblem(problems, "clusters[1].brokers", [], "is not a known key");
    assertProblem(problems, "namespaces[1].cluster", "cluster3", 'cluster "cluster3" is not declared');
  });

  it("judges each group against the ensemble the clusters' brokers write, as for a stack that runs them", () => {
    const problems = problemsOf((t) => (t.clusters[0].managedLedger = { ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 }));
    assertProblem(problems, "namespaces[0].affinity.primary", "group-bookie1", '"group-bookie1" have 2 bookies (bk1, bk2), fewer than the ensemble size 3');
  });

  it("names external among the runtimes when the runtime is misspelt", () => {
    const problems = problemsOf((t) => (t.runtime = "externl"));
    assertProblem(problems, "runtime", "externl", "local, docker, kubernetes, external");
  });
});
