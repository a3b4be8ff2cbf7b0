import * as fs from "node:fs";
import * as path from "node:path";

/** What a compiled entry point is built from, relative to the project root, and where it is compiled to. */
export interface Build {
  /** How messages name it. */
  readonly name: string;
  /** Its TypeScript: files, or folders walked for `.ts` files (never into node_modules or bin). */
  readonly sources: readonly string[];
  /** Where `npm run build` puts the JavaScript. */
  readonly outDir: string;
}

export const PROGRAM_BUILD: Build = { name: "program", sources: ["index.ts", "lib", "config", "rules", "components", "runtime", "admin"], outDir: "bin/" };
export const POLICY_PACK_BUILD: Build = { name: "policy pack", sources: ["policy", "rules", "lib/compiled-program.ts"], outDir: "policy/bin/" };

const SKIPPED_FOLDERS = new Set(["node_modules", "bin"]);

/** Every TypeScript file of `build` under `root`, with its modification time. */
export function sources(root: string, build: Build): { file: string; mtimeMs: number }[] {
  const found: { file: string; mtimeMs: number }[] = [];
  const visit = (file: string) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(file)) if (!SKIPPED_FOLDERS.has(entry)) visit(path.join(file, entry));
    } else if (file.endsWith(".ts")) found.push({ file, mtimeMs: stat.mtimeMs });
  };
  for (const source of build.sources) visit(path.join(root, source));
  return found;
}

/**
 * `pulumi` runs the program and the policy pack compiled by `npm run build`. A source edited since
 * would not be what runs: stop before anything is judged or touched, and say which file and what to
 * run. `toError` makes the error the caller's runtime reports best.
 */
export function assertCompiledCurrent(build: Build, compiledEntry: string, root: string, toError: (message: string) => Error = (m) => new Error(m)): void {
  if (!compiledEntry.endsWith(".js")) return; // running from the TypeScript itself
  const builtAt = fs.statSync(compiledEntry).mtimeMs;
  const newer = sources(root, build).filter((s) => s.mtimeMs > builtAt);
  if (newer.length > 0) {
    const names = newer.map((s) => path.relative(root, s.file));
    throw toError(
      `the ${build.name}'s TypeScript changed after it was compiled (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}): ` +
        `run \`npm run build\`, which type-checks it and compiles it into ${build.outDir}, then run pulumi again`,
    );
  }
}
