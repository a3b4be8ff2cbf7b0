import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import { PulsarAdmin } from "../../admin";
import { bookieHttpUrl, brokerServiceUrl, clusterWebServiceUrl } from "../../config";
import { brokerSpec } from "../../runtime";
import { startNode, stopNode } from "../../runtime/local";
import { LedgerAudit } from "../../ops/ledger-audit";
import { AdminLayer } from "../support/apply";
import { assertEveryLedgerInside, everyLedger, topologyMayUse } from "../support/ledger-placement";
import { runLedgerReport, stackFile } from "../support/ledger-report-run";
import { consume, produce } from "../support/pulsar-client";
import { RealTopology } from "../support/real-topology";
import { schemaVersions, uploadSchema } from "../support/schemas";
import { NAMESPACES_MADE_OUTSIDE, integrationTopologyConfig, sharedTopology } from "../support/shared-topology";

const STACK = "it-every-ledger";

describe("every ledger inside its group: schemas, namespaces made outside the stack, topic data (real Pulsar)", function () {
  let real: RealTopology;
  const cluster = (name: string) => real.topology.clusters.find((c) => c.name === name)!;
  const adminUrl = (name: string) => clusterWebServiceUrl(real.topology, cluster(name));
  const serviceUrl = (name: string) => brokerServiceUrl(real.topology, cluster(name).brokers[0]);

  before(async function () {
    this.timeout(600_000);
    real = await sharedTopology();
    await new AdminLayer().apply(real.topology);
  });

  after(() => fs.rm(stackFile(STACK), { force: true }));

  it("places JSON and Avro schemas of several versions, and the ledgers of namespaces made outside the stack, in the clusters' groups; every ledger in BookKeeper's metadata is inside", async () => {
    const owned = real.topology.namespaces.map((ns) => ({ namespace: ns.name, cluster: ns.cluster }));
    const outside = Object.entries(NAMESPACES_MADE_OUTSIDE).map(([namespace, clusterName]) => ({ namespace, cluster: clusterName }));
    // As an operator would, next to the stack: `pulsar-admin namespaces create`, no affinity group.
    for (const { namespace, cluster: c } of outside) await new PulsarAdmin({ baseUrl: adminUrl(c) }).createNamespace(namespace, 4, [c]);

    const versions = schemaVersions(3);
    for (const { namespace, cluster: c } of [...owned, ...outside]) {
      for (const fields of versions) await uploadSchema(adminUrl(c), `${namespace}/readings-json`, "JSON", fields);
      for (const fields of versions.slice(0, 2)) await uploadSchema(adminUrl(c), `${namespace}/readings-avro`, "AVRO", fields);
    }
    await Promise.all([...owned, ...outside].map(({ namespace, cluster: c }) => produce(serviceUrl(c), `persistent://${namespace}/data`, 150)));
    for (const { namespace, cluster: c } of [...owned, ...outside]) {
      assert.equal(await consume(serviceUrl(c), `persistent://${namespace}/data`, "reader", 150), 150, namespace);
    }

    const ledgers = await everyLedger(bookieHttpUrl(real.topology, real.topology.bookies[0]));
    const schemas = ledgers.filter((l) => l.component === "schema" && /\/readings-(json|avro)$/.test(l.owner ?? ""));
    assert.equal(schemas.length, (owned.length + outside.length) * 5, "a ledger per schema version");
    for (const { namespace } of outside) assert.ok(ledgers.some((l) => l.owner === `${namespace}/persistent/data`), `${namespace} wrote topic data`);
    assertEveryLedgerInside(ledgers, topologyMayUse(real.topology, NAMESPACES_MADE_OUTSIDE));
    console.log(`      ${ledgers.length} ledgers, ${schemas.length} of them this test's schemas, every one inside`);
  });

  it("the ledger report judges every ledger the same way and exits 0; --json lists each namespace with the groups it may use", async () => {
    const text = await runLedgerReport(STACK, integrationTopologyConfig());
    console.log(text.stdout.replace(/^/gm, "      "));
    assert.equal(text.code, 0, text.stdout);
    assert.match(text.stdout, /^outside where they may be: 0$/m);

    const json = await runLedgerReport(STACK, integrationTopologyConfig(), ["--json"]);
    assert.equal(json.code, 0, json.stdout);
    const audit = JSON.parse(json.stdout) as LedgerAudit;
    assert.deepEqual(audit.outside, []);
    const allowed = Object.fromEntries(audit.namespaces.map((ns) => [ns.namespace, ns.allowed]));
    assert.deepEqual(allowed["public/c1-ns1"], ["group-bookie1"]);
    assert.deepEqual(allowed["public/outside-c1"], ["group-bookie1"], "a namespace made outside the stack may use its cluster's default groups");
    assert.deepEqual(allowed["public/outside-c2"], ["group-bookie2", "group-bookie3"]);
    assert.equal(audit.ledgers, (await everyLedger(bookieHttpUrl(real.topology, real.topology.bookies[0]))).length, "the report counts every ledger");
  });

  it("fails the report on a schema ledger written before the cluster's default groups, naming the ledger, its owner and the bookie outside; strict affinity would stop namespaces without a group", async function () {
    this.timeout(300_000);
    const c1 = cluster("cluster1");
    const broker1 = brokerSpec(real.topology, c1, c1.brokers[0]);
    const restartBroker1 = async (settings: Record<string, string>) => {
      await stopNode(broker1, real.paths);
      await startNode({ ...broker1, settings: { ...broker1.settings, ...settings } }, real.paths);
    };
    // cluster1's brokers as they might have run before: schemas placed in group-bookie2, and
    // strict affinity on, which gives a namespace without a group the empty group.
    await restartBroker1({ bookkeeperClientIsolationGroups: "group-bookie2", strictBookieAffinityEnabled: "true" });
    try {
      await uploadSchema(adminUrl("cluster1"), "public/c1-ns1/misplaced", "JSON", schemaVersions(1)[0]);
      await assert.rejects(produce(serviceUrl("cluster1"), "persistent://public/outside-c1/strict-probe", 1), /Not enough non-faulty bookies/);
    } finally {
      await restartBroker1({});
    }
    const misplaced = (await everyLedger(bookieHttpUrl(real.topology, real.topology.bookies[0]))).find((l) => l.owner === "public/c1-ns1/misplaced")!;
    assert.ok(misplaced.bookies.every((b) => ["127.0.0.1:3183", "127.0.0.1:3184", "127.0.0.1:3185"].includes(b)), `on ${misplaced.bookies}`);

    const { code, stdout } = await runLedgerReport(STACK, integrationTopologyConfig());
    console.log(stdout.replace(/^/gm, "      "));
    assert.equal(code, 2, stdout);
    const copies = misplaced.bookies.map((b) => `${b.replace(/\./g, "\\.")} \\(group-bookie2\\)`).join(", ");
    assert.match(stdout, new RegExp(`^  ledger ${misplaced.ledgerId}: schema of public/c1-ns1/misplaced \\(cluster1\\) has copies on ${copies}, outside group-bookie1$`, "m"));

    // Gone with its schema (and the system topic strict affinity reopened without groups), the report passes again.
    for (const path of ["schemas/public/c1-ns1/misplaced/schema?force=true", "persistent/public/outside-c1/__change_events?force=true"]) {
      const res = await fetch(`${adminUrl("cluster1")}/admin/v2/${path}`, { method: "DELETE" });
      assert.ok(res.ok, `DELETE ${path}: ${res.status}`);
    }
    const after = await runLedgerReport(STACK, integrationTopologyConfig());
    assert.equal(after.code, 0, after.stdout);
  });
});
