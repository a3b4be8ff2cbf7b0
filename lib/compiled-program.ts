import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "./pulumi";

/** The folders of the program's TypeScript, beside index.ts. */
const PROGRAM_SOURCES = ["index.ts", "lib", "config", "rules", "components", "runtime", "admin"];

/** Every TypeScript file of the program under `root`, with its modification time. */
function sources(root: string): { file: string; mtimeMs: number }[] {
  const found: { file: string; mtimeMs: number }[] = [];
  const visit = (file: string) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
    else if (file.endsWith(".ts")) found.push({ file, mtimeMs: stat.mtimeMs });
  };
  for (const source of PROGRAM_SOURCES) visit(path.join(root, source));
  return found;
}

/**
 * `pulumi` runs the program compiled into bin/ by `npm run build`. A source edited since would not
 * be what runs: stop before any resource, and say which file and what to run.
 */
export function assertCompiledProgramCurrent(compiledEntry: string, root: string): void {
  if (!compiledEntry.endsWith(".js")) return; // running from the TypeScript itself
  const builtAt = fs.statSync(compiledEntry).mtimeMs;
  const newer = sources(root).filter((s) => s.mtimeMs > builtAt);
  if (newer.length > 0) {
    const names = newer.map((s) => path.relative(root, s.file));
    throw new pulumi.RunError(
      `the program's TypeScript changed after it was compiled (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}): ` +
        "run `npm run build`, which type-checks it and compiles it into bin/, then run pulumi again",
    );
  }
}
