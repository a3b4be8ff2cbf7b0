import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { assertCompiledProgramCurrent } from "../../lib/compiled-program";

describe("the compiled program (bin/) runs only while it matches its TypeScript", () => {
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
    assertCompiledProgramCurrent(at("bin/index.js", 2_000), root);
  });

  it("stops, naming the edited file and `npm run build`, when a source is newer than bin/", () => {
    const entry = at("bin/index.js", 2_000);
    at("config/schema.ts", 2_500);
    assert.throws(() => assertCompiledProgramCurrent(entry, root), /changed after it was compiled \(config\/schema\.ts\): run `npm run build`/);
  });

  it("does nothing when the program runs from its TypeScript (tests under mocks)", () => {
    at("config/schema.ts", 9_000);
    assertCompiledProgramCurrent(path.join(root, "index.ts"), root);
  });
});
