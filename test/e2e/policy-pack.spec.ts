import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { parseTopology } from "../../config";
import { ensureStack, pulumi } from "../support/pulumi-cli";
import { PROJECT_NAME, PROJECT_ROOT, stackTopology } from "../support/stack-config";

describe("pulumi preview --policy-pack policy", () => {
  const stack = "e2e-policy";
  const stackFile = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);

  before(async () => {
    // A hand edit the config schema cannot judge: broker.conf's default ensemble, raised to 3
    // through brokerSettings. The schema checks managedLedger.ensembleSize (still 2) against the
    // groups; only the policy pack sees what the brokers will really use.
    const topology = stackTopology("dev");
    topology.clusters[0].brokerSettings = { managedLedgerDefaultEnsembleSize: 3 };
    assert.doesNotThrow(() => parseTopology(topology), "the schema accepts this stack");
    await fs.writeFile(stackFile, yaml.dump({ config: { [`${PROJECT_NAME}:topology`]: topology } }));
    await ensureStack(stack);
    await ensureStack("dev");
  });

  after(async () => {
    await pulumi(["stack", "rm", stack, "--yes", "--force"]);
    await fs.rm(stackFile, { force: true });
  });

  it("passes the dev stack", async () => {
    const result = await pulumi(["preview", "--stack", "dev", "--policy-pack", "policy"]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /✅ pulsar-isolation@v0\.1\.0/);
  });

  it("fails a stack whose brokers would write ensembles wider than the group, with the rule's message", async () => {
    const result = await pulumi(["preview", "--stack", stack, "--policy-pack", "policy"]);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /\[mandatory\]\s+group-holds-ensemble/);
    assert.ok(result.output.includes("public/c1-ns1: group-bookie1 has 2 bookies, ensemble size is 3"), result.output);
    assert.doesNotMatch(result.output, /public\/c2-ns1: group-bookie2/, "cluster2 keeps ensemble 2");
  });

  it("lets a stack lower a rule's level through policy config", async () => {
    const config = path.join(PROJECT_ROOT, ".stacks-test", "policy-advisory.json");
    await fs.mkdir(path.dirname(config), { recursive: true });
    await fs.writeFile(config, JSON.stringify({ "group-holds-ensemble": "advisory", "safe-bookie-removal": "disabled" }));
    const result = await pulumi(["preview", "--stack", stack, "--policy-pack", "policy", "--policy-pack-config", config]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /\[advisory\]\s+group-holds-ensemble/);
    assert.ok(result.output.includes("public/c1-ns1: group-bookie1 has 2 bookies, ensemble size is 3"), result.output);
  });
});
