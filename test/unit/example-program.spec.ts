import * as assert from "node:assert/strict";
import * as path from "node:path";
import { RecordedResource, runProgram, runProgramAt } from "../support/program-under-mocks";
import { promiseOf } from "../support/mocks";
import { PROJECT_ROOT, stackConfig } from "../support/stack-config";

/** A resource as both programs should register it: its kind, name, inputs (less the state folders) and dependencies. */
const shape = (r: RecordedResource) => {
  const inputs = structuredClone(r.inputs);
  delete inputs.__provider;
  delete inputs.paths;
  if (inputs.control?.paths) delete inputs.control.paths;
  return { type: r.type, name: r.name, inputs, dependsOn: [...r.dependsOn].sort() };
};
const byName = (a: { type: string; name: string }, b: { type: string; name: string }) => `${a.type}:${a.name}`.localeCompare(`${b.type}:${b.name}`);

describe("examples/article: the components composed in TypeScript, without the topology config (Pulumi mocks)", function () {
  this.timeout(60_000);
  const example = path.join(PROJECT_ROOT, "examples", "article", "index.ts");

  it("registers the same resources, with the same inputs and dependencies, as the dev stack's config", async () => {
    const fromConfig = (await runProgram("dev", stackConfig("dev"))).resources.map(shape).sort(byName);
    const fromCode = (await runProgramAt(example, "dev", {})).resources.map(shape).sort(byName);
    assert.deepEqual(fromCode.map((r) => `${r.type}:${r.name}`), fromConfig.map((r) => `${r.type}:${r.name}`));
    assert.deepEqual(fromCode, fromConfig);
  });

  it("exports the clusters' admin URLs and the rack map", async () => {
    const run = await runProgramAt(example, "dev", {});
    const outputs = run.program as { adminUrls: Record<string, any>; rackMap: any };
    assert.equal(await promiseOf(outputs.adminUrls.cluster2), "http://127.0.0.1:8081");
    assert.deepEqual(await promiseOf(outputs.rackMap), { "group-bookie1": ["127.0.0.1:3181", "127.0.0.1:3182"], "group-bookie2": ["127.0.0.1:3183", "127.0.0.1:3184"] });
  });
});
