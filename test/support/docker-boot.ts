import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { Topology, parseTopology } from "../../config";
import {
  bookieSpec,
  bookkeeperInitCommand,
  brokerSpec,
  clusterMetadataCommand,
  configurationStoreSpec,
  zookeeperSpec,
} from "../../runtime";
import {
  ContainerSpec,
  DockerOptions,
  bootstrapContainer,
  bootstrapDockerHost,
  dockerHostsByNode,
  dockerRunArgs,
  networkName,
  placedNodeContainer,
} from "../../runtime/docker";
import { answersReady, waitFor } from "../../runtime/local/wait";
import { ADMIN_WRITES, adminRequestsIn } from "./pulsar-client";
import { PROJECT_ROOT, stackTopology } from "./stack-config";
import { Step } from "./step-timer";

const run = promisify(execFile);
const TOOLCHAIN = path.join(PROJECT_ROOT, "toolchain");

/** Runs a toolchain script that sets up Docker engines; its failure says what it needs. */
export async function toolchainScript(script: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run("bash", [path.join(TOOLCHAIN, script), ...args], { timeout: 900_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `The docker runtime's boot tests need Docker engines and a local Pulsar image, and 'toolchain/${script} ${args.join(" ")}' failed.\n` +
        `It installs docker.io with apt-get and builds the image with debootstrap: run it as root (or with sudo) where Debian's archive is reachable.\n` +
        (e.stderr ?? e.message).trim().split("\n").slice(-15).join("\n"),
    );
  }
}

/** A container with the engine that runs it (undefined: this machine's default engine). */
export interface PlacedContainer {
  readonly spec: ContainerSpec;
  readonly engine?: string;
  /** The node's readiness check, as this machine reaches its published port. */
  readonly readyUrl: string;
}

/**
 * A topology's containers run with the Docker CLI from the very descriptions the Pulumi runner
 * hands to `docker.Container`, each on the engine its Docker host names.
 */
export class DockerTopology {
  private readonly placement: Map<string, string | undefined>;

  constructor(
    readonly topology: Topology,
    readonly options: DockerOptions,
  ) {
    this.placement = dockerHostsByNode(topology);
  }

  /** Every engine the topology places a container on. */
  engines(): (string | undefined)[] {
    return [...new Set([...this.placement.values(), bootstrapDockerHost(this.topology)])].map((h) => this.engineUrl(h));
  }

  docker(args: string[], engine?: string, timeoutMs = 120_000): Promise<string> {
    return run("docker", [...(engine ? ["-H", engine] : []), ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }).then(({ stdout }) => stdout.trim());
  }

  nodes(): { zookeepers: PlacedContainer[]; bookies: PlacedContainer[]; brokers: PlacedContainer[] } {
    const t = this.topology;
    const placed = (spec: Parameters<typeof placedNodeContainer>[1]): PlacedContainer => {
      const container = placedNodeContainer(t, spec, this.options);
      const published = container.ports.find((p) => p.internal === spec.readiness.port)!;
      return {
        spec: container,
        engine: this.engineUrl(this.placement.get(spec.name)),
        readyUrl: `http://${published.ip}:${published.external}${spec.readiness.path}`,
      };
    };
    return {
      zookeepers: [configurationStoreSpec(t), ...t.clusters.map((c) => zookeeperSpec(t, c))].map(placed),
      bookies: t.bookies.map((b) => placed(bookieSpec(t, b))),
      brokers: t.clusters.flatMap((c) => c.brokers.map((b) => placed(brokerSpec(t, c, b)))),
    };
  }

  node(name: string): PlacedContainer {
    const { zookeepers, bookies, brokers } = this.nodes();
    return [...zookeepers, ...bookies, ...brokers].find((c) => c.spec.hostname === name)!;
  }

  /**
   * Networks, the ZooKeepers, the bootstrap commands, the bookies, the brokers: each step ready
   * before the next; then every container's health check passes.
   */
  async boot(step: Step): Promise<void> {
    await this.removeAll();
    for (const engine of this.engines()) await this.docker(["network", "create", networkName(this.options)], engine);
    const { zookeepers, bookies, brokers } = this.nodes();
    const bootstrapEngine = this.engineUrl(bootstrapDockerHost(this.topology));
    await step("zookeepers", () => this.start(zookeepers, 120_000));
    await step("bootstrap", () =>
      Promise.all([
        this.runOnce(bootstrapContainer(bookkeeperInitCommand(this.topology), this.options), bootstrapEngine),
        // One after the other: each cluster's initialisation updates the shared `public` tenant.
        this.topology.clusters.reduce<Promise<unknown>>(
          (previous, c) => previous.then(() => this.runOnce(bootstrapContainer(clusterMetadataCommand(this.topology, c), this.options), bootstrapEngine)),
          Promise.resolve(),
        ),
      ]),
    );
    await step("bookies", () => this.start(bookies, 180_000));
    await step("brokers", () => this.start(brokers, 240_000));
    await step("health checks", () => this.healthy([...zookeepers, ...bookies, ...brokers], 60_000));
  }

  /**
   * Starts detached node containers and waits until each answers its readiness check, as its
   * health check asks it (Docker runs that check every 5 s: waiting on it cost up to 5 s a step).
   */
  async start(containers: PlacedContainer[], timeoutMs: number): Promise<void> {
    await Promise.all(containers.map((c) => this.docker(dockerRunArgs(c.spec), c.engine)));
    await Promise.all(
      containers.map(({ spec, engine, readyUrl }) => {
        let polls = 0;
        return waitFor(
          `${spec.name} to answer ${readyUrl}`,
          async () => {
            if (polls++ % 8 === 7) {
              const state = await this.docker(["inspect", "-f", "{{.State.Status}}", spec.name], engine);
              if (state === "exited" || state === "dead") throw new Error(`${spec.name} stopped (${state}):\n${await this.logs(spec.name, engine, 30)}`);
            }
            return answersReady(readyUrl);
          },
          { timeoutMs, intervalMs: 250 },
        );
      }),
    );
  }

  /** Waits until Docker reports every container healthy: its health check passes. */
  async healthy(containers: PlacedContainer[], timeoutMs: number): Promise<void> {
    await Promise.all(
      containers.map(({ spec, engine }) =>
        waitFor(
          `${spec.name} to be healthy`,
          async () => {
            const state = await this.docker(["inspect", "-f", "{{.State.Status}} {{.State.Health.Status}}", spec.name], engine);
            if (state.startsWith("exited") || state.startsWith("dead")) throw new Error(`${spec.name} stopped (${state}):\n${await this.logs(spec.name, engine, 30)}`);
            return state === "running healthy";
          },
          { timeoutMs, intervalMs: 1_000 },
        ),
      ),
    );
  }

  /** Runs a one-shot container to its end; its output is the bootstrap command's. */
  async runOnce(c: ContainerSpec, engine = this.engineUrl(bootstrapDockerHost(this.topology))): Promise<string> {
    try {
      return await this.docker(dockerRunArgs(c), engine, 180_000);
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${c.name} failed: ${e.message.split("\n")[0]}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    }
  }

  async logs(container: string, engine?: string, tail?: number): Promise<string> {
    try {
      const { stdout, stderr } = await run("docker", [...(engine ? ["-H", engine] : []), "logs", ...(tail ? ["--tail", String(tail)] : []), container], { maxBuffer: 256 * 1024 * 1024 });
      return `${stdout}${stderr}`;
    } catch {
      return "(no logs)";
    }
  }

  /** Admin writes (POST, PUT, DELETE) of our client, as the brokers' request logs show them. */
  async adminWritesSeen(): Promise<number> {
    const logs = await Promise.all(this.nodes().brokers.map((b) => this.logs(b.spec.name, b.engine)));
    return logs.reduce((n, log) => n + adminRequestsIn(log, ADMIN_WRITES), 0);
  }

  /** Every container, volume and network of the topology, whatever state a previous run left them in. */
  async removeAll(): Promise<void> {
    const prefix = this.options.prefix;
    for (const engine of this.engines()) {
      const containers = (await this.docker(["ps", "-aq", "--filter", `name=^${prefix}-`], engine)).split("\n").filter(Boolean);
      if (containers.length) await this.docker(["rm", "-f", ...containers], engine);
      const volumes = (await this.docker(["volume", "ls", "-q", "--filter", `name=^${prefix}-`], engine)).split("\n").filter(Boolean);
      if (volumes.length) await this.docker(["volume", "rm", "-f", ...volumes], engine);
      if ((await this.docker(["network", "ls", "-q", "--filter", `name=^${networkName(this.options)}$`], engine)) !== "") {
        await this.docker(["network", "rm", networkName(this.options)], engine);
      }
    }
  }

  private engineUrl(dockerHost: string | undefined): string | undefined {
    return dockerHost === undefined ? undefined : this.topology.docker.hosts[dockerHost].url;
  }
}

/** What `toolchain/docker-hosts.sh up` makes by default: one Docker host per rack, each a network namespace of this machine. */
export const TEST_DOCKER_HOSTS = { rack1: "10.213.0.11", rack2: "10.213.0.12" } as const;
/** The addresses of the two-host stack's example hosts. */
const EXAMPLE_HOSTS = { rack1: "10.20.0.11", rack2: "10.20.0.12" } as const;

/**
 * `Pulumi.docker-two-hosts.yaml` with its hosts made real: the namespaces' engines and addresses,
 * the local image, no registry; then `adapt`ed as a suite needs it.
 */
export function twoHostTopology(image: string, adapt: (raw: Record<string, any>) => Record<string, any> = (raw) => raw): Topology {
  let text = JSON.stringify(stackTopology("docker-two-hosts"));
  for (const rack of Object.keys(TEST_DOCKER_HOSTS) as (keyof typeof TEST_DOCKER_HOSTS)[]) text = text.split(EXAMPLE_HOSTS[rack]).join(TEST_DOCKER_HOSTS[rack]);
  const raw = JSON.parse(text);
  raw.docker = {
    image,
    hosts: Object.fromEntries(Object.entries(TEST_DOCKER_HOSTS).map(([rack, address]) => [rack, { url: `unix:///run/pi-docker/${rack}/docker.sock`, address }])),
    // Both test hosts share this machine's cores, and their containers start together.
    jvmCompiler: "quick",
  };
  return parseTopology(adapt(raw));
}
