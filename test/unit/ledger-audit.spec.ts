import * as assert from "node:assert/strict";
import { LedgerMetadata, ledgerIsolation } from "../../admin/bookie-admin";
import { parseStackTopology } from "../../config";
import { PlacementFacts, auditFails, auditLedgers, ledgerOwner } from "../../ops/ledger-audit";
import { formatLedgerAudit } from "../../ops/ledger-audit-text";
import { auditTarget } from "../../ops/ledger-report";
import { stackTopology } from "../support/stack-config";

const G1 = ["127.0.0.1:3181", "127.0.0.1:3182"];
const G2 = ["127.0.0.1:3183", "127.0.0.1:3184"];
const stamp = (primary: string, secondary: string[] = []) => ({ primary: [primary], secondary });

/** The dev topology as the clusters report it: each namespace in its group, each cluster's brokers with its group as default. */
const facts: PlacementFacts = {
  groupOfBookie: Object.fromEntries([...G1.map((b) => [b, "group-bookie1"]), ...G2.map((b) => [b, "group-bookie2"])]),
  clusterDefaults: { cluster1: { primary: ["group-bookie1"], secondary: [] }, cluster2: { primary: ["group-bookie2"], secondary: [] } },
  namespaces: {
    "public/c1-ns1": { clusters: ["cluster1"], groups: { cluster1: { primary: ["group-bookie1"], secondary: [] } } },
    "public/c2-ns1": { clusters: ["cluster2"], groups: { cluster2: { primary: ["group-bookie2"], secondary: [] } } },
    "public/loose": { clusters: ["cluster1"], groups: { cluster1: undefined } },
    "public/default": { clusters: ["cluster1", "cluster2"], groups: { cluster1: undefined, cluster2: undefined } },
    "public/gone": undefined,
  },
};

const ledger = (ledgerId: number, owner: Partial<LedgerMetadata>, ...ensembles: string[][]): LedgerMetadata => ({ ledgerId, state: "CLOSED", ensembles, ...owner });

describe("the ledger audit: every ledger judged against where it may be now", () => {
  it("tells each ledger's owner from the keys Pulsar stamps on it", () => {
    assert.deepEqual(ledgerOwner(ledger(1, { managedLedger: "public/c1-ns1/persistent/t1" })), { kind: "topic data", name: "public/c1-ns1/persistent/t1", namespace: "public/c1-ns1" });
    assert.deepEqual(ledgerOwner(ledger(2, { managedLedger: "public/c1-ns1/persistent/t1", cursor: "sub" }))?.kind, "cursor");
    assert.deepEqual(ledgerOwner(ledger(3, { schema: "public/c1-ns1/t1" })), { kind: "schema", name: "public/c1-ns1/t1", namespace: "public/c1-ns1" });
    assert.equal(ledgerOwner(ledger(4, { compactedTopic: "persistent://public/c2-ns1/t2" }))?.namespace, "public/c2-ns1");
    assert.equal(ledgerOwner(ledger(5, { delayedIndexTopic: "persistent://public/c2-ns1/t3" }))?.kind, "delayed-delivery index");
    assert.equal(ledgerOwner(ledger(6, { managedLedger: "pulsar/cluster1/127.0.0.1:8080/persistent/healthcheck" }))?.namespace, "pulsar/cluster1/127.0.0.1:8080");
    assert.equal(ledgerOwner(ledger(7, {})), undefined);
  });

  it("passes ledgers inside their namespace's groups, and ledgers made outside namespace placement inside their cluster's default groups", () => {
    const audit = auditLedgers(
      [
        ledger(1, { managedLedger: "public/c1-ns1/persistent/t1", isolation: stamp("group-bookie1") }, G1),
        ledger(2, { schema: "public/c1-ns1/t1" }, G1),
        ledger(3, { managedLedger: "public/loose/persistent/t1" }, G1),
        ledger(4, { schema: "public/default/t1" }, [G1[0], G2[0]]),
      ],
      [],
      facts,
    );
    assert.deepEqual(audit.outside, []);
    assert.equal(auditFails(audit), false);
    assert.deepEqual(
      audit.namespaces.map((ns) => [ns.namespace, ns.allowed, ns.kinds, ns.byGroups]),
      [
        ["public/c1-ns1", ["group-bookie1"], { "topic data": 1, schema: 1 }, { "group-bookie1": 2 }],
        ["public/default", ["group-bookie1", "group-bookie2"], { schema: 1 }, { "group-bookie1+group-bookie2": 1 }],
        ["public/loose", ["group-bookie1"], { "topic data": 1 }, { "group-bookie1": 1 }],
      ],
    );
  });

  it("fails on a copy outside: a schema on another cluster's bookies, a namespace without a group off its cluster's groups, a bookie in no group, ledgers of a namespace's earlier group", () => {
    const audit = auditLedgers(
      [
        ledger(10, { schema: "public/c1-ns1/sch1" }, [G2[1], G1[0]]),
        ledger(11, { managedLedger: "public/loose/persistent/t2" }, G2),
        ledger(12, { managedLedger: "public/c2-ns1/persistent/t1", isolation: stamp("group-bookie2") }, [G2[0], "127.0.0.1:3199"]),
        ledger(13, { managedLedger: "public/c2-ns1/persistent/t1", isolation: stamp("group-bookie1") }, G1),
      ],
      [12],
      facts,
    );
    assert.deepEqual(
      audit.outside.map((l) => [l.ledgerId, l.owner.kind, l.allowed, l.outside]),
      [
        [10, "schema", ["group-bookie1"], [{ bookie: G2[1], group: "group-bookie2" }]],
        [11, "topic data", ["group-bookie1"], G2.map((bookie) => ({ bookie, group: "group-bookie2" }))],
        [12, "topic data", ["group-bookie2"], [{ bookie: "127.0.0.1:3199", group: "(no group)" }]],
        [13, "topic data", ["group-bookie2"], G1.map((bookie) => ({ bookie, group: "group-bookie1" }))],
      ],
    );
    assert.deepEqual(audit.underReplicated, [12]);
    assert.equal(auditFails(audit), true);
    const text = formatLedgerAudit(audit);
    assert.match(text, /^  ledger 10: schema of public\/c1-ns1\/sch1 \(cluster1\) has copies on 127\.0\.0\.1:3184 \(group-bookie2\), outside group-bookie1$/m);
    assert.match(text, /^  ledger 13: .*outside group-bookie2; written for group-bookie1, before the namespace moved$/m);
    assert.match(text, /^under-replicated: 1 \(12\)$/m);
  });

  it("a missing copy alone fails the audit", () => {
    const audit = auditLedgers([ledger(1, { managedLedger: "public/c1-ns1/persistent/t1", isolation: stamp("group-bookie1") }, G1)], [1], facts);
    assert.deepEqual([audit.outside, audit.underReplicated, auditFails(audit)], [[], [1], true]);
  });

  it("lists ledgers without an owner it can judge by id with their bookies, without failing: no Pulsar owner, a namespace gone, a cluster the stack does not declare", () => {
    const audit = auditLedgers(
      [
        ledger(20, {}, G1),
        ledger(21, { schema: "public/gone/t1" }, G2),
        ledger(22, { managedLedger: "public/elsewhere/persistent/t1" }, G2),
      ],
      [],
      { ...facts, namespaces: { ...facts.namespaces, "public/elsewhere": { clusters: [], otherClusters: ["cluster9"], groups: {} } } },
    );
    assert.deepEqual(
      audit.ownerless.map((l) => [l.ledgerId, l.bookies, l.reason]),
      [
        [20, G1, "no Pulsar owner in its metadata"],
        [21, G2, "namespace public/gone no longer exists"],
        [22, G2, "namespace public/elsewhere lives in clusters the stack does not declare (cluster9)"],
      ],
    );
    assert.equal(auditFails(audit), false);
  });

  it("leaves a namespace without a group free on a cluster that has no default groups, and names that cluster", () => {
    const audit = auditLedgers([ledger(30, { managedLedger: "public/loose/persistent/t1" }, [G1[0], G2[0]])], [], {
      ...facts,
      clusterDefaults: { ...facts.clusterDefaults, cluster1: { primary: [], secondary: [] } },
    });
    assert.deepEqual([audit.outside, audit.namespaces[0].allowed, audit.unconfinedClusters], [[], "any", ["cluster1"]]);
  });

  it("reads the groups a ledger was stamped with from its placement-policy metadata", () => {
    const policy = JSON.stringify({
      policyClass: "org.apache.pulsar.bookie.rackawareness.IsolatedBookieEnsemblePlacementPolicy",
      properties: { isolationBookieGroups: "group-bookie2", secondaryIsolationBookieGroups: "group-bookie3" },
    });
    assert.deepEqual(ledgerIsolation(policy), { primary: ["group-bookie2"], secondary: ["group-bookie3"] });
    assert.equal(ledgerIsolation(undefined), undefined);
    assert.equal(ledgerIsolation("not json"), undefined);
  });

  it("reads every runtime's stack: the bookies' HTTP APIs and the clusters' admin URLs; an external stack needs a bookie's httpUrl", () => {
    const dev = auditTarget(parseStackTopology(stackTopology("dev")));
    assert.deepEqual(dev.bookieUrls, [8011, 8012, 8013, 8014].map((p) => `http://127.0.0.1:${p}`));
    assert.deepEqual(dev.clusters, [{ name: "cluster1", adminUrl: "http://127.0.0.1:8080" }, { name: "cluster2", adminUrl: "http://127.0.0.1:8081" }]);
    assert.equal(dev.declaredGroups["127.0.0.1:3183"], "group-bookie2");
    const external = auditTarget(parseStackTopology(stackTopology("external")));
    assert.deepEqual(external.bookieUrls, [8011, 8012, 8013, 8014].map((p) => `http://127.0.0.1:${p}`));
    const raw = stackTopology("external");
    for (const b of raw.bookies) delete b.httpUrl;
    assert.throws(() => auditTarget(parseStackTopology(raw)), /bookies\[\*\]\.httpUrl = \(missing\): the ledger report reads the ledgers from a bookie's HTTP API/);
  });
});
