/**
 * The docker runtime's costs, side by side in one run: the local image built from nothing (Debian
 * root by debootstrap, then the import), from the cached root, and when it exists; the two Docker
 * hosts made with an empty image cache and a warm one; then boot to healthy of the docker-local
 * topology on one host and of the two-host topology across two, from the container descriptions the
 * Pulumi runner uses. Needs root, like the boot tests.
 * Usage: npm run bench:docker
 */
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parseTopology } from "../config";
import { dockerOptions } from "../runtime/docker";
import { DockerTopology, TEST_DOCKER_HOSTS, toolchainScript, twoHostTopology } from "../test/support/docker-boot";
import { PROJECT_ROOT, stackTopology } from "../test/support/stack-config";
import { stepTimer } from "../test/support/step-timer";

const run = promisify(execFile);
const DOCKER_DIR = path.join(PROJECT_ROOT, ".toolchain", "docker");
const HOSTS = Object.entries(TEST_DOCKER_HOSTS).map(([rack, address]) => `${rack}=${address}`);

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await work();
  return Math.round((Date.now() - started) / 100) / 10;
}

async function removeImage(): Promise<void> {
  const image = await toolchainScript("docker-engine.sh", "image");
  await run("docker", ["image", "rm", "-f", image.split("\n").pop()!]);
}

/** Boot to healthy, in seconds per step, then everything removed. */
async function boot(topology: ReturnType<typeof parseTopology>, image?: string): Promise<Record<string, number>> {
  const docker = new DockerTopology(topology, { ...dockerOptions(topology, "pulsar-bench"), ...(image ? { image } : {}) });
  const { step, timings: steps } = stepTimer();
  steps.total = await seconds(() => docker.boot(step));
  await docker.removeAll();
  return steps;
}

async function main() {
  await toolchainScript("docker-engine.sh", "start");
  await toolchainScript("docker-hosts.sh", "down");
  const results: Record<string, unknown> = {};

  await removeImage();
  await fs.rm(path.join(DOCKER_DIR, "rootfs-bookworm-jre17"), { recursive: true, force: true });
  results["image from nothing (debootstrap + import)"] = await seconds(() => toolchainScript("docker-engine.sh", "image"));
  await removeImage();
  results["image from the cached Debian root"] = await seconds(() => toolchainScript("docker-engine.sh", "image"));
  results["image already built"] = await seconds(() => toolchainScript("docker-engine.sh", "image"));
  const image = (await toolchainScript("docker-engine.sh", "image")).split("\n").pop()!;

  await fs.rm(path.join(DOCKER_DIR, "hosts"), { recursive: true, force: true });
  await fs.rm(path.join(DOCKER_DIR, "pulsar-image.tar"), { force: true });
  results["two hosts up, image saved and loaded into both"] = await seconds(() => toolchainScript("docker-hosts.sh", "up", ...HOSTS));
  await toolchainScript("docker-hosts.sh", "down");
  results["two hosts up, image cached in their data roots"] = await seconds(() => toolchainScript("docker-hosts.sh", "up", ...HOSTS));

  results["boot to healthy, one host (docker-local)"] = await boot(parseTopology(stackTopology("docker-local")), image);
  results["boot to healthy, two hosts (docker-two-hosts)"] = await boot(twoHostTopology(image));
  results["two hosts down"] = await seconds(() => toolchainScript("docker-hosts.sh", "down"));
  await toolchainScript("docker-engine.sh", "stop");
  console.log(JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
