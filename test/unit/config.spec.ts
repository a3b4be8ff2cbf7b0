import * as assert from "node:assert/strict";
import { parseTopology, retentionSizeInMB, retentionTimeInMinutes } from "../../config";
import { BOOKIE_OWNED_SETTINGS, BROKER_OWNED_SETTINGS } from "../../config/owned-settings";
import { bookieSpec, brokerSpec } from "../../runtime";
import { assertProblem, problemsOf as problemsOfStack } from "../support/config-problems";
import { stackTopology } from "../support/stack-config";

/** Problems of a changed copy of the dev topology. */
const problemsOf = (change: (t: Record<string, any>) => void) => problemsOfStack("dev", change);

describe("topology config", () => {
  it("accepts the dev stack: the article's topology", () => {
    const topology = parseTopology(stackTopology("dev"));
    assert.equal(topology.runtime, "local");
    assert.deepEqual(topology.bookies.map((b) => `${b.name}:${b.bookiePort}:${b.group}`), [
      "bk1:3181:group-bookie1",
      "bk2:3182:group-bookie1",
      "bk3:3183:group-bookie2",
      "bk4:3184:group-bookie2",
    ]);
    assert.deepEqual(topology.clusters.map((c) => c.name), ["cluster1", "cluster2"]);
    assert.deepEqual(topology.decommission, { timeoutSeconds: 600 });
    assert.equal(topology.unloadOnGroupChange, true);
    assert.deepEqual(topology.namespaces.map((n) => `${n.name}@${n.affinity.primary}`), ["public/c1-ns1@group-bookie1", "public/c2-ns1@group-bookie2"]);
  });

  describe("rejects, naming the path and the value", () => {
    it("an unknown key at the top level, with the known key it most likely meant", () => {
      const problems = problemsOf((t) => (t.bookeis = [{ name: "bk9" }]));
      assertProblem(problems, "bookeis", [{ name: "bk9" }], 'is not a known key (did you mean "bookies"?)');
    });

    it("unknown keys at every level, each with its nearest known key or none", () => {
      const problems = problemsOf((t) => {
        t.bookies[2].grop = "group-bookie1";
        t.clusters[1].managedLedger.ensembleSzie = 3;
        t.namespaces[0].affinity.Primary = "group-bookie2";
        t.docker = { hosts: { rack1: { url: "ssh://a", adress: "10.0.0.1" } } };
        t.colour = "blue";
      });
      assertProblem(problems, "bookies[2].grop", "group-bookie1", 'did you mean "group"?');
      assertProblem(problems, "clusters[1].managedLedger.ensembleSzie", 3, 'did you mean "ensembleSize"?');
      assertProblem(problems, "namespaces[0].affinity.Primary", "group-bookie2", 'did you mean "primary"?');
      assertProblem(problems, "docker.hosts.rack1.adress", "10.0.0.1", 'did you mean "address"?');
      const colour = problems.find((p) => p.startsWith("colour = "));
      assert.equal(colour, 'colour = "blue": is not a known key');
    });

    it("reports unknown keys together with every other problem", () => {
      const problems = problemsOf((t) => {
        t.bookeis = [];
        t.clusters[0].brokers[0].webPort = 70000;
      });
      assertProblem(problems, "bookeis", [], "did you mean");
      assertProblem(problems, "clusters[0].brokers[0].webPort", 70000, "out of range");
    });

    it("a broker or bookie setting that the topology itself sets, naming where to set it", () => {
      const problems = problemsOf((t) => {
        t.clusters[1].brokerSettings = { managedLedgerDefaultEnsembleSize: 3, brokerDeleteInactiveTopicsEnabled: false };
        t.bookieSettings = { ensemblePlacementPolicy: "org.apache.bookkeeper.client.RackawareEnsemblePlacementPolicy", gcWaitTime: 600000 };
      });
      assertProblem(problems, "clusters[1].brokerSettings.managedLedgerDefaultEnsembleSize", 3, "is set by clusters[1].managedLedger.ensembleSize; change it there");
      assertProblem(problems, "bookieSettings.ensemblePlacementPolicy", "org.apache.bookkeeper.client.RackawareEnsemblePlacementPolicy", "is set by the affinity groups");
      assert.equal(problems.length, 2, problems.join("\n"));
    });

    it("a lost-bookie recovery delay that is not whole seconds", () => {
      for (const delay of ["soon", -5, 1.5]) {
        const problems = problemsOf((t) => (t.bookieSettings = { lostBookieRecoveryDelay: delay }));
        assertProblem(problems, "bookieSettings.lostBookieRecoveryDelay", delay, "is not a whole number of seconds");
      }
      assert.equal(parseTopology({ ...stackTopology("dev"), bookieSettings: { lostBookieRecoveryDelay: 60 } }).bookieSettings.lostBookieRecoveryDelay, 60);
    });

    it("a JVM compiler choice that is neither quick nor full, for either container runtime", () => {
      assertProblem(problemsOf((t) => (t.docker = { jvmCompiler: "fast" })), "docker.jvmCompiler", "fast", "is not a JVM compiler choice (one of: quick, full)");
      assertProblem(problemsOf((t) => (t.kubernetes = { jvmCompiler: "C1" })), "kubernetes.jvmCompiler", "C1", "is not a JVM compiler choice (one of: quick, full)");
      const topology = parseTopology(stackTopology("dev"));
      assert.deepEqual([topology.docker.jvmCompiler, topology.kubernetes.jvmCompiler], ["full", "full"], "the JVM's own compilers unless the stack says otherwise");
    });

    it("a missing or empty topology, at once, with what to set", () => {
      for (const raw of [undefined, null, {}]) {
        assert.throws(
          () => parseTopology(raw, "pulsar-isolation:topology"),
          (err: Error) => err.message.includes("(top level) = ") && err.message.includes("the stack declares no topology; set pulsar-isolation:topology"),
        );
      }
    });

    it("a duplicate bookie name", () => {
      assertProblem(problemsOf((t) => (t.bookies[1].name = "bk1")), "bookies[1].name", "bk1", "already used by bookies[0].name");
    });

    it("a node name used by a bookie and a broker", () => {
      assertProblem(problemsOf((t) => (t.clusters[1].brokers[0].name = "bk2")), "clusters[1].brokers[0].name", "bk2", "bookies[1].name");
    });

    it("a duplicate cluster name", () => {
      assertProblem(problemsOf((t) => (t.clusters[1].name = "cluster1")), "clusters[1].name", "cluster1", "already used");
    });

    it("a duplicate port on one host", () => {
      assertProblem(problemsOf((t) => (t.bookies[2].httpPort = 8080)), "clusters[0].brokers[0].webPort", 8080, "port 8080 on 127.0.0.1", "bookies[2].httpPort");
    });

    it("accepts the same port on two hosts", () => {
      const topology = stackTopology("dev");
      topology.bookies[3] = { ...topology.bookies[3], bookiePort: 3181, host: "10.0.0.4" };
      assert.doesNotThrow(() => parseTopology(topology));
    });

    it("a namespace whose group does not exist", () => {
      assertProblem(problemsOf((t) => (t.namespaces[0].affinity.primary = "group-x")), "namespaces[0].affinity.primary", "group-x", "no bookies");
    });

    it("a secondary group that does not exist", () => {
      assertProblem(problemsOf((t) => (t.namespaces[1].affinity.secondary = "group-y")), "namespaces[1].affinity.secondary", "group-y", "no bookies");
    });

    it("a group with fewer bookies than the ensemble size of its cluster", () => {
      const problems = problemsOf((t) => (t.bookies[1].group = "group-bookie2"));
      assertProblem(problems, "namespaces[0].affinity.primary", "group-bookie1", "public/c1-ns1", "has 1 bookie", "ensemble size 2", "cluster cluster1");
    });

    it("a namespace ensemble larger than its group", () => {
      const problems = problemsOf((t) => (t.namespaces[0].persistence = { ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 }));
      assertProblem(problems, "namespaces[0].affinity.primary", "group-bookie1", "have 2 bookies", "ensemble size 3", "persistence policy");
    });

    it("a write quorum larger than the ensemble", () => {
      assertProblem(problemsOf((t) => (t.clusters[0].managedLedger.writeQuorum = 3)), "clusters[0].managedLedger.writeQuorum", 3, "larger than ensembleSize 2");
    });

    it("an ack quorum larger than the write quorum", () => {
      assertProblem(problemsOf((t) => (t.clusters[1].managedLedger.ackQuorum = 3)), "clusters[1].managedLedger.ackQuorum", 3, "larger than writeQuorum 2");
    });

    it("a quorum below 1", () => {
      assertProblem(problemsOf((t) => (t.clusters[0].managedLedger.ackQuorum = 0)), "clusters[0].managedLedger.ackQuorum", 0, "at least 1");
    });

    it("a bookie in no group", () => {
      assertProblem(problemsOf((t) => delete t.bookies[3].group), "bookies[3].group", undefined, "no affinity group");
    });

    it("a namespace on an unknown cluster", () => {
      assertProblem(problemsOf((t) => (t.namespaces[1].cluster = "cluster9")), "namespaces[1].cluster", "cluster9", "not declared", "cluster1, cluster2");
    });

    it("malformed names", () => {
      const problems = problemsOf((t) => {
        t.clusters[0].name = "cluster one";
        t.namespaces[0].name = "public/c1/ns1";
        t.bookies[0].name = "-bk1";
      });
      assertProblem(problems, "clusters[0].name", "cluster one", "not a valid cluster name");
      assertProblem(problems, "namespaces[0].name", "public/c1/ns1", "tenant/namespace");
      assertProblem(problems, "bookies[0].name", "-bk1", "not a valid bookie name");
    });

    it("ports out of range", () => {
      const problems = problemsOf((t) => {
        t.bookies[0].bookiePort = 70000;
        t.configurationStore.clientPort = 0;
      });
      assertProblem(problems, "bookies[0].bookiePort", 70000, "out of range");
      assertProblem(problems, "configurationStore.clientPort", 0, "out of range");
    });

    it("bad retention sizes and times", () => {
      const problems = problemsOf((t) => {
        t.namespaces[0].retention = { size: "1 gigabyte", time: "3 days" };
      });
      assertProblem(problems, "namespaces[0].retention.size", "1 gigabyte", "not a retention size");
      assertProblem(problems, "namespaces[0].retention.time", "3 days", "not a retention time");
    });

    it("an unknown runtime", () => {
      assertProblem(problemsOf((t) => (t.runtime = "nomad")), "runtime", "nomad", "local, docker, kubernetes");
    });

    it("a decommission time limit below 1 second, and a non-boolean unload switch", () => {
      assertProblem(problemsOf((t) => (t.decommission = { timeoutSeconds: 0 })), "decommission.timeoutSeconds", 0, "at least 1");
      assertProblem(problemsOf((t) => (t.unloadOnGroupChange = "yes")), "unloadOnGroupChange", "yes", "true or false");
    });

    it("a missing field", () => {
      assertProblem(problemsOf((t) => delete t.clusters[0].zookeeper.clientPort), "clusters[0].zookeeper.clientPort", undefined, "port");
    });

    it("reports every problem at once, in one message", () => {
      const topology = stackTopology("dev");
      topology.runtime = "nomad";
      topology.bookies[0].bookiePort = 70000;
      topology.namespaces[0].affinity.primary = "group-x";
      let message = "";
      try {
        parseTopology(topology, "pulsar-isolation:topology");
      } catch (err) {
        message = (err as Error).message;
      }
      assert.match(message, /^Invalid stack config "pulsar-isolation:topology" \(3 problems\):/);
      for (const path of ["runtime = ", "bookies[0].bookiePort = ", "namespaces[0].affinity.primary = "]) {
        assert.ok(message.includes(`\n  - ${path}`), `${path} missing from:\n${message}`);
      }
    });
  });

  describe("retention units", () => {
    it("converts sizes to MB and times to minutes as pulsar-admin does", () => {
      assert.equal(retentionSizeInMB("1G"), 1024);
      assert.equal(retentionSizeInMB("500m"), 500);
      assert.equal(retentionSizeInMB("2T"), 2 * 1024 * 1024);
      assert.equal(retentionSizeInMB("-1"), -1);
      assert.equal(retentionTimeInMinutes("3d"), 3 * 24 * 60);
      assert.equal(retentionTimeInMinutes("12h"), 720);
      assert.equal(retentionTimeInMinutes("120"), 2);
      assert.equal(retentionTimeInMinutes("-1"), -1);
    });
  });
});

describe("settings the topology owns", () => {
  const topology = parseTopology(stackTopology("dev"));
  /** Set by the specs for this machine's sake, not from the topology: a stack may change them. */
  const FREE = ["allowLoopback", "enableStatistics", "functionsWorkerEnabled"];

  it("lists every setting the broker and bookie specs derive from the topology", () => {
    const broker = brokerSpec(topology, topology.clusters[0], topology.clusters[0].brokers[0]);
    const bookie = bookieSpec(topology, topology.bookies[0]);
    assert.deepEqual(Object.keys(broker.settings).filter((k) => !FREE.includes(k) && !(k in BROKER_OWNED_SETTINGS)), []);
    assert.deepEqual(Object.keys(bookie.settings).filter((k) => !FREE.includes(k) && !(k in BOOKIE_OWNED_SETTINGS)), []);
  });
});
