/**
 * The dev stack's speed with the real CLI, side by side in one run: the critical-path floor of a
 * cold start (the nodes started by the launcher as the stack's resources depend on each other, then
 * the admin layer through its providers: the work without the engine) and a cold `pulumi up`,
 * alternating, median of 3 each;
 * then no-change `pulumi up` and `pulumi preview` (median of N) with the admin writes the brokers
 * saw meanwhile. Uses the dev stack's ports: run it with nothing else deployed.
 * Usage: npm run bench:dev-stack [-- <runs> <cold runs>]
 */
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { Topology, parseTopology } from "../config";
import { AdminLayer } from "../test/support/apply";
import { startTopology, stopTopology } from "../test/support/launcher";
import { adminWritesSeenBy } from "../test/support/pulsar-client";
import { PROJECT_ROOT, stackTopology } from "../test/support/stack-config";
import { secondsSince } from "../test/support/step-timer";
import { pulsarHome, toolchainEnv } from "../test/support/toolchain";

const runs = Number(process.argv[2] ?? 5);
const coldRuns = Number(process.argv[3] ?? 3);
const stack = "bench-dev";
const root = path.join(PROJECT_ROOT, ".stacks-bench");
const env = toolchainEnv({ PULUMI_BACKEND_URL: `file://${path.join(root, "pulumi-state")}`, PULSAR_ISOLATION_STATE_DIR: path.join(root, "stacks") });
const stackFile = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);

function pulumi(args: string[]): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) =>
    execFile("pulumi", [...args, "--stack", stack, "--non-interactive"], { cwd: PROJECT_ROOT, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`pulumi ${args.join(" ")} failed:\n${`${stdout}${stderr}`.slice(-4000)}`)) : resolve((Date.now() - started) / 1000),
    ),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const brokerWrites = async () =>
  (await Promise.all(["broker1", "broker2"].map((b) => adminWritesSeenBy(path.join(root, "stacks", stack, b))))).reduce((a, b) => a + b, 0);

/** The floor once: the work itself without the engine. Each node once what it needs is there; then the admin layer through its providers, each kind in parallel. */
async function measureFloor(topology: Topology, stateDir: string) {
  const floorPaths = { pulsarHome: pulsarHome(), stateDir };
  try {
    const begun = Date.now();
    const started = await startTopology(topology, floorPaths);
    await new AdminLayer().apply(topology, { atOnce: true });
    const seconds = secondsSince(begun);
    return { seconds, parts: { ...started.doneAt, "admin layer": seconds } };
  } finally {
    await stopTopology(topology, floorPaths);
  }
}

async function main() {
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(path.join(root, "pulumi-state"), { recursive: true });
  const topology = parseTopology(stackTopology("dev"));
  const floors: { seconds: number; parts: Record<string, number> }[] = [];
  const coldUps: number[] = [];

  await fs.copyFile(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), stackFile);
  try {
    await pulumi(["stack", "init"]);
    // Cold starts vary by a second or two: the floor and a cold `up` alternate, `coldRuns` times each.
    for (let i = 0; i < coldRuns; i++) {
      floors.push(await measureFloor(topology, path.join(root, `floor-${i}`)));
      console.error(`floor ${i + 1}: ${floors[i].seconds.toFixed(1)} s`);
      coldUps.push(await pulumi(["up", "--yes"]));
      console.error(`cold up ${i + 1}: ${coldUps[i].toFixed(1)} s`);
      if (i === coldRuns - 1) break;
      await pulumi(["destroy", "--yes"]);
      // Cold means no data: destroy keeps the nodes' folders.
      await fs.rm(path.join(root, "stacks", stack), { recursive: true, force: true });
    }
    const writesBefore = await brokerWrites();
    const ups: number[] = [];
    const previews: number[] = [];
    for (let i = 0; i < runs; i++) ups.push(await pulumi(["up", "--yes", "--expect-no-changes"]));
    for (let i = 0; i < runs; i++) previews.push(await pulumi(["preview", "--expect-no-changes"]));
    const writes = (await brokerWrites()) - writesBefore;
    await pulumi(["destroy", "--yes"]);

    const floor = median(floors.map((f) => f.seconds));
    const typical = floors.find((f) => f.seconds === floor)!;
    const coldUp = median(coldUps);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(", ");
    console.log(`| measure | value |
|---|---|
| critical-path floor, median of ${coldRuns} (${list(floors.map((f) => f.seconds))}; the median's parts done at: ${Object.entries(typical.parts).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", ")}) | ${floor.toFixed(1)} s |
| cold \`pulumi up\`, median of ${coldRuns} (${list(coldUps)}) | ${coldUp.toFixed(1)} s (${(coldUp / floor).toFixed(2)} × the floor) |
| no-change \`pulumi up\`, median of ${runs} | ${median(ups).toFixed(1)} s (${list(ups)}) |
| no-change \`pulumi preview\`, median of ${runs} | ${median(previews).toFixed(1)} s (${list(previews)}) |
| admin writes the brokers saw during those ${2 * runs} runs | ${writes} |`);
  } finally {
    await pulumi(["destroy", "--yes"]).catch(() => undefined);
    await pulumi(["stack", "rm", "--yes", "--force"]).catch(() => undefined);
    await fs.rm(stackFile, { force: true });
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
