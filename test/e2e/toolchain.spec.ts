import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ensureStack, pulumi, pulumiOk } from "../support/pulumi-cli";
import { PROJECT_ROOT, TOPOLOGY_KEY, stackTopology, writeStackTopology } from "../support/stack-config";
import { pulsarHome, toolchainEnv } from "../support/toolchain";

describe("the toolchain on this machine", () => {
  it("gives a working Pulumi CLI", async () => {
    const { output } = await pulumiOk(["version"]);
    assert.match(output.trim(), /^v3\.\d+\.\d+$/);
  });

  it("gives a working Apache Pulsar distribution of the configured version", () => {
    const out = execFileSync(path.join(pulsarHome(), "bin", "pulsar"), ["version"], {
      env: { ...toolchainEnv(), PULSAR_MEM: "-Xmx64m" },
      encoding: "utf8",
    });
    assert.match(out, new RegExp(`Current version of pulsar is: ${stackTopology("dev").pulsarVersion.replace(/\./g, "\\.")}`));
  });
});

describe("pulumi preview on a stack whose config is invalid", () => {
  const stack = "e2e-invalid";
  const stackFile = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);

  before(async () => {
    const topology = stackTopology("dev");
    topology.bookies[1].group = "group-bookie2"; // group-bookie1 keeps 1 bookie, ensemble is 2
    topology.clusters[0].brokers[0].webPort = 70000;
    await writeStackTopology(stackFile, topology);
    await ensureStack(stack);
  });

  after(async () => {
    await pulumi(["stack", "rm", stack, "--yes", "--force"]);
    await fs.rm(stackFile, { force: true });
  });

  it("fails before any resource is registered, with every problem, its path and its value", async () => {
    const result = await pulumi(["preview", "--stack", stack]);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /Invalid stack config "pulsar-isolation:topology" \(2 problems\):/);
    assert.ok(result.output.includes(`clusters[0].brokers[0].webPort = 70000: is out of range (1-65535)`), result.output);
    assert.ok(
      result.output.includes(`namespaces[0].affinity.primary = "group-bookie1": public/c1-ns1: "group-bookie1" has 1 bookie (bk1), fewer than the ensemble size 2`),
      result.output,
    );
    // Only the stack itself: no component, node or admin resource was registered.
    assert.match(result.output, /\+ 1 to create/);
    assert.doesNotMatch(result.output, /pulsar:index:|pulsar-isolation:(LocalNode|BootstrapStep|BookieRack)/);
  });
});

describe("pulumi preview on a stack with a misspelt key, or no topology at all", () => {
  const stack = "e2e-misspelt";
  const stackFile = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  /** Writes the config section, keeping what `pulumi stack init` added to the file (its encryption salt). */
  const writeConfig = async (config: Record<string, unknown> | null) => {
    const doc = ((await fs.readFile(stackFile, "utf8").then((t) => yaml.load(t)).catch(() => undefined)) ?? {}) as Record<string, unknown>;
    await fs.writeFile(stackFile, yaml.dump({ ...doc, config }));
  };

  before(async () => {
    await writeConfig({});
    await ensureStack(stack);
  });

  after(async () => {
    await pulumi(["stack", "rm", stack, "--yes", "--force"]);
    await fs.rm(stackFile, { force: true });
  });

  it("names an unknown key, top level and nested, with the key it most likely meant", async () => {
    const topology = stackTopology("dev");
    topology.bookeis = topology.bookies;
    topology.clusters[1].zookeeper.clientport = 2183;
    await writeConfig({ [TOPOLOGY_KEY]: topology });
    const result = await pulumi(["preview", "--stack", stack]);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /- bookeis = \[\{.*\}\]: is not a known key/);
    assert.ok(result.output.includes('is not a known key (did you mean "bookies"?)'), result.output);
    assert.ok(result.output.includes('clusters[1].zookeeper.clientport = 2183: is not a known key (did you mean "clientPort"?)'), result.output);
    assert.match(result.output, /\+ 1 to create/);
  });

  it("says the topology is missing, at once, for an empty config and for no config section", async () => {
    for (const config of [{}, null]) {
      await writeConfig(config);
      const result = await pulumi(["preview", "--stack", stack]);
      assert.notEqual(result.code, 0, result.output);
      assert.ok(result.output.includes("(top level) = (missing): the stack declares no topology; set pulsar-isolation:topology"), result.output);
      assert.doesNotMatch(result.output, /TypeError/);
      console.log(`      config ${JSON.stringify(config)}: failed in ${result.seconds.toFixed(1)} s`);
    }
  });
});
