/**
 * The test suites' times, one suite after the other, as CI runs them on a warm machine: `npm run
 * build`, then each suite alone with its kind's mocha settings. The integration specs that share
 * one topology each boot their own here. Prints a markdown table with the total and each suite's
 * slowest tests. Uses the dev stack's ports: run it with nothing else deployed.
 * Usage: npm run bench:suites [-- issue-14 | all]   (default issue-14: the suites that existed when it was filed)
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../test/support/stack-config";

interface Suite {
  readonly name: string;
  readonly kind: "unit" | "integration" | "e2e";
  readonly specs: readonly string[];
}

/** The suites of issue 14's 7-minute goal: those that existed when it was filed (d9a5ee5). */
const ISSUE_14: readonly Suite[] = [
  { name: "six unit specs", kind: "unit", specs: ["components", "config", "day-two", "docker-config", "docker-runtime", "policy"].map((s) => `test/unit/${s}.spec.ts`) },
  // One process, as `npm run test:integration` runs them (the Java test client is started once).
  { name: "admin convergence, then docker boot", kind: "integration", specs: ["test/integration/admin-convergence.spec.ts", "test/integration/docker-boot.spec.ts"] },
  // One process, as `npm run test:e2e` runs them: the two share one stack (test/e2e/shared-dev-stack.ts).
  { name: "dev stack, then day-2, end to end", kind: "e2e", specs: ["test/e2e/dev-stack.spec.ts", "test/e2e/day-two.spec.ts"] },
  { name: "policy pack end to end", kind: "e2e", specs: ["test/e2e/policy-pack.spec.ts"] },
  { name: "toolchain end to end", kind: "e2e", specs: ["test/e2e/toolchain.spec.ts"] },
];

async function allSuites(): Promise<Suite[]> {
  const specsOf = async (kind: Suite["kind"]) =>
    (await fs.readdir(path.join(PROJECT_ROOT, "test", kind))).filter((f) => f.endsWith(".spec.ts")).sort().map((f) => `test/${kind}/${f}`);
  return [
    { name: "unit", kind: "unit", specs: await specsOf("unit") },
    { name: "dev stack, then day-2", kind: "e2e", specs: ["test/e2e/dev-stack.spec.ts", "test/e2e/day-two.spec.ts"] },
    ...[...(await specsOf("integration")), ...(await specsOf("e2e")).filter((s) => !/\/(dev-stack|day-two)\.spec\.ts$/.test(s))].map((spec) => ({
      name: path.basename(spec, ".spec.ts"),
      kind: spec.split("/")[1] as Suite["kind"],
      specs: [spec],
    })),
  ];
}

/** Mocha's settings of a kind, from the kind's own `.mocharc.json` as the npm scripts use it, without its list of specs. */
async function mochaArgs(kind: Suite["kind"]): Promise<string[]> {
  const rc = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, "test", kind, ".mocharc.json"), "utf8")) as { require?: string[]; timeout?: number };
  return [...(rc.require ?? []).flatMap((r) => ["-r", r]), ...(rc.timeout !== undefined ? ["--timeout", String(rc.timeout)] : [])];
}

interface Timed {
  readonly seconds: number;
  readonly code: number;
  readonly output: string;
}

function timed(command: string, args: string[]): Promise<Timed> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => ((output += d), process.stderr.write(d)));
    child.stderr.on("data", (d) => ((output += d), process.stderr.write(d)));
    child.once("exit", (code) => resolve({ seconds: Math.round((Date.now() - started) / 1000), code: code ?? 1, output }));
  });
}

/** The slowest tests of a mocha spec report, by the durations it prints. */
function slowest(output: string, count = 3): string {
  const tests = [...output.matchAll(/✔ (.*?) \((\d+)ms\)/g)].map((m) => ({ title: m[1], seconds: Number(m[2]) / 1000 }));
  return tests
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, count)
    .map((t) => `${t.title.slice(0, 60)}${t.title.length > 60 ? "…" : ""}: ${t.seconds.toFixed(1)} s`)
    .join("; ");
}

async function main() {
  const which = process.argv[2] ?? "issue-14";
  const suites = which === "all" ? await allSuites() : ISSUE_14;
  const rows: string[] = [];
  let total = 0;
  let failed = false;
  const build = await timed("npm", ["run", "-s", "build"]);
  total += build.seconds;
  rows.push(`| \`npm run build\` | ${build.seconds} s | |`);
  for (const suite of suites) {
    const result = await timed("npx", ["mocha", ...(await mochaArgs(suite.kind)), ...suite.specs]);
    total += result.seconds;
    failed ||= result.code !== 0;
    rows.push(`| ${suite.name}${result.code === 0 ? "" : " (failed)"} | ${result.seconds} s | ${slowest(result.output)} |`);
  }
  const minutes = `${Math.floor(total / 60)} min ${total % 60} s`;
  console.log(["", `Suites (${which}), ${new Date().toISOString()}:`, "", "| suite | time | slowest tests |", "|---|---|---|", ...rows, `| **together** | **${total} s (${minutes})** | |`].join("\n"));
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
