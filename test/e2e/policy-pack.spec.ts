import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { ensureStack, pulumi } from "../support/pulumi-cli";
import { PROJECT_ROOT } from "../support/stack-config";

describe("pulumi preview --policy-pack policy", () => {
  // A program that composes the components itself has no config schema: the policy pack judges its plan.
  const example = path.join(PROJECT_ROOT, "examples", "article");
  const stack = "e2e-policy";
  const preview = (...args: string[]) => pulumi(["preview", "--stack", stack, "--policy-pack", "../../policy", ...args], undefined, example);
  const wideEnsemble = 'public/c1-ns1: "group-bookie1" have 2 bookies (bk1, bk2), fewer than the ensemble size 3 (from cluster cluster1)';

  before(async () => {
    await ensureStack(stack, example);
    await ensureStack("dev");
  });

  after(async () => {
    await pulumi(["stack", "rm", stack, "--yes", "--force"], undefined, example);
    await fs.rm(path.join(example, `Pulumi.${stack}.yaml`), { force: true });
  });

  it("passes the dev stack", async () => {
    const result = await pulumi(["preview", "--stack", "dev", "--policy-pack", "policy"]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /✅ pulsar-isolation@v0\.1\.0/);
  });

  it("passes the external stack (clusters someone else runs: judged by the defaults it declares)", async () => {
    // A copy, so that the stack's encryption salt stays out of the repository's file.
    const copy = path.join(PROJECT_ROOT, "Pulumi.e2e-external-policy.yaml");
    await fs.copyFile(path.join(PROJECT_ROOT, "Pulumi.external.yaml"), copy);
    try {
      await ensureStack("e2e-external-policy");
      const result = await pulumi(["preview", "--stack", "e2e-external-policy", "--policy-pack", "policy"]);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /✅ pulsar-isolation@v0\.1\.0/);
    } finally {
      await pulumi(["stack", "rm", "e2e-external-policy", "--yes", "--force"]);
      await fs.rm(copy, { force: true });
    }
  });

  it("passes the example program as it is", async () => {
    await pulumi(["config", "rm", "ensembleSize", "--stack", stack], undefined, example);
    const result = await preview();
    assert.equal(result.code, 0, result.output);
  });

  it("fails the example program once its brokers would write ensembles wider than the groups, with the rule's message", async () => {
    await pulumi(["config", "set", "ensembleSize", "3", "--stack", stack], undefined, example);
    const result = await preview();
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /\[mandatory\]\s+group-holds-ensemble/);
    assert.ok(result.output.includes(wideEnsemble), result.output);
  });

  it("lets a stack lower a rule's level through policy config", async () => {
    const config = path.join(PROJECT_ROOT, ".stacks-test", "policy-advisory.json");
    await fs.mkdir(path.dirname(config), { recursive: true });
    await fs.writeFile(config, JSON.stringify({ "group-holds-ensemble": "advisory" }));
    const result = await preview("--policy-pack-config", config);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /\[advisory\]\s+group-holds-ensemble/);
    assert.ok(result.output.includes(wideEnsemble), result.output);
  });
});
