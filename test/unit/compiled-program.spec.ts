import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { Build, POLICY_PACK_BUILD, PROGRAM_BUILD, assertCompiledCurrent, sources } from "../../lib/compiled-program";
import { PROJECT_ROOT } from "../support/stack-config";

describe("the compiled program (bin/) and policy pack (policy/bin/) run only while they match their TypeScript", () => {
  let root: string;
  const at = (file: string, seconds: number) => {
    const full = path.join(root, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    if (!fs.existsSync(full)) fs.writeFileSync(full, "");
    fs.utimesSync(full, seconds, seconds);
    return full;
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "compiled-program-"));
    at("index.ts", 1_000);
    at("config/schema.ts", 1_000);
    at("test/unit/x.spec.ts", 3_000);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("passes when bin/ was built after every source; tests and other folders do not count", () => {
    assertCompiledCurrent(PROGRAM_BUILD, at("bin/index.js", 2_000), root);
  });

  it("stops, naming the edited file and `npm run build`, when a source is newer than bin/", () => {
    const entry = at("bin/index.js", 2_000);
    at("config/schema.ts", 2_500);
    assert.throws(() => assertCompiledCurrent(PROGRAM_BUILD, entry, root), /program's TypeScript changed after it was compiled \(config\/schema\.ts\): run `npm run build`/);
  });

  it("does nothing when the program runs from its TypeScript (tests under mocks)", () => {
    at("config/schema.ts", 9_000);
    assertCompiledCurrent(PROGRAM_BUILD, path.join(root, "index.ts"), root);
    assertCompiledCurrent(POLICY_PACK_BUILD, path.join(root, "policy/index.ts"), root);
  });

  it("the policy pack: stops for its own files and the rules it shares, not for the program's other folders or its packages", () => {
    at("rules/isolation.ts", 1_000);
    at("policy/index.ts", 1_000);
    const entry = at("policy/bin/policy/index.js", 2_000);
    at("config/schema.ts", 2_500);
    at("policy/node_modules/@pulumi/policy/index.d.ts", 2_500);
    at("policy/bin/rules/isolation.d.ts", 2_500);
    assertCompiledCurrent(POLICY_PACK_BUILD, entry, root);
    at("rules/isolation.ts", 2_500);
    at("policy/policies.ts", 2_500);
    assert.throws(
      () => assertCompiledCurrent(POLICY_PACK_BUILD, entry, root),
      /policy pack's TypeScript changed after it was compiled \(policy\/policies\.ts, rules\/isolation\.ts\): run `npm run build`, which type-checks it and compiles it into policy\/bin\//,
    );
  });

  it("watches every TypeScript file of the project that the program and the policy pack are compiled from", function () {
    this.timeout(60_000);
    const cases: [Build, string][] = [
      [PROGRAM_BUILD, "index.ts"],
      [POLICY_PACK_BUILD, "policy/index.ts"],
    ];
    for (const [build, entry] of cases) {
      const program = ts.createProgram([path.join(PROJECT_ROOT, entry)], { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, noEmit: true, types: [] });
      const compiled = program
        .getSourceFiles()
        .map((f) => path.resolve(f.fileName))
        .filter((f) => f.startsWith(PROJECT_ROOT + path.sep) && !f.includes(`${path.sep}node_modules${path.sep}`));
      const watched = new Set(sources(PROJECT_ROOT, build).map((s) => s.file));
      assert.ok(compiled.length > 1, `${entry} imports the project's modules`);
      assert.deepEqual(compiled.filter((f) => !watched.has(f)).map((f) => path.relative(PROJECT_ROOT, f)), [], `${build.name}: files it is compiled from that a stale build would not be noticed for`);
    }
  });
});
