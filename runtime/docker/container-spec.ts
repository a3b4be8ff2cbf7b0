import { isIP } from "node:net";
import { BootstrapCommand } from "../bootstrap";
import { ContainerOptions, bootstrapProcess, dataPath, httpCheckScript, keepsData, nodeProcess } from "../container";
import { NodeSpec } from "../node-spec";

/**
 * A container as plain data: what the Pulumi runner turns into `docker.Container` arguments and
 * the boot test into `docker run` arguments. Rendered from the same NodeSpec the local runtime runs.
 */
export interface ContainerSpec {
  /** The container's name on its Docker host: the stack's prefix and the node's name. */
  readonly name: string;
  readonly hostname: string;
  readonly image: string;
  readonly workingDir: string;
  /** A shell that prepares the node and then execs the command. */
  readonly entrypoint: readonly string[];
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /**
   * Published on the Docker host at the same number, so addresses mean the same inside and out, and
   * bound to the host's own address only (127.0.0.1 for this machine's engine).
   */
  readonly ports: readonly { readonly internal: number; readonly external: number; readonly ip: string }[];
  readonly volumes: readonly { readonly volume: string; readonly containerPath: string }[];
  readonly network: string;
  /** Names other containers on the network resolve to this one. */
  readonly aliases: readonly string[];
  /** Lines of the container's /etc/hosts. */
  readonly extraHosts: readonly HostEntry[];
  readonly healthcheck?: Healthcheck;
  readonly restart: "unless-stopped" | "no";
  /** The node's facts for the policy pack (role, name, advertised host, named ports). */
  readonly labels: Readonly<Record<string, string>>;
}

export interface Healthcheck {
  /** As Docker's HEALTHCHECK takes it: `["CMD", …]`. */
  readonly test: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  /** Failures in this period do not count: JVMs take a while to start. */
  readonly startPeriodSeconds: number;
}

export interface HostEntry {
  readonly host: string;
  readonly ip: string;
}

export interface DockerOptions extends ContainerOptions {
  /** Prefix of the network's, volumes' and containers' names, so stacks can share an engine. */
  readonly prefix: string;
  readonly image: string;
  /**
   * The Docker hosts' addresses by name, in every container's /etc/hosts. Java looks up the name of
   * an address it connects to or is connected from (ZooKeeper's client does, before its session
   * opens); where DNS has no name for a Docker host's address, each such lookup waits out its time-out.
   */
  readonly dockerHosts: readonly HostEntry[];
}

/** Label keys the policy pack reads node facts from. */
export const LABELS = {
  name: "pulsar-isolation.node",
  role: "pulsar-isolation.role",
  host: "pulsar-isolation.host",
  ports: "pulsar-isolation.ports",
} as const;

export const networkName = (options: DockerOptions): string => options.prefix;
export const containerName = (options: DockerOptions, node: string): string => `${options.prefix}-${node}`;
export const dataVolumeName = (options: DockerOptions, node: string): string => `${options.prefix}-${node}-data`;

/** Where this machine's engine publishes ports: nothing of a local topology listens beyond the machine. */
export const LOCAL_ENGINE_ADDRESS = "127.0.0.1";

/** The listener a broker advertises to clients inside Docker; the first one, so clients that name none get it. */
export const INTERNAL_LISTENER = "internal";
/** The listener a broker advertises to clients outside Docker (`--listener-name external`, `listenerName`). */
export const EXTERNAL_LISTENER = "external";

/**
 * A broker advertised by its container name is reached by that name inside Docker only. It also
 * advertises its Docker host's published port, as a second listener for clients outside Docker.
 * A broker that advertises its host's address already is reached by it everywhere.
 */
export function listenerSettings(spec: NodeSpec, publishedOn: string): Record<string, string> {
  if (spec.role !== "broker" || spec.host === publishedOn) return {};
  const service = spec.ports.service;
  return {
    advertisedListeners: `${INTERNAL_LISTENER}:pulsar://${spec.host}:${service},${EXTERNAL_LISTENER}:pulsar://${publishedOn}:${service}`,
    internalListenerName: INTERNAL_LISTENER,
  };
}

/** `publishedOn`: the address of the node's Docker host, where its ports are published. */
export function nodeContainer(spec: NodeSpec, options: DockerOptions, publishedOn = LOCAL_ENGINE_ADDRESS): ContainerSpec {
  const run = nodeProcess({ ...spec, settings: { ...spec.settings, ...listenerSettings(spec, publishedOn) } }, options);
  return {
    name: containerName(options, spec.name),
    hostname: spec.name,
    image: options.image,
    workingDir: options.pulsarHome,
    entrypoint: run.entrypoint,
    command: run.command,
    env: run.env,
    ports: Object.values(spec.ports).map((port) => ({ internal: port, external: port, ip: publishedOn })),
    volumes: keepsData(spec) ? [{ volume: dataVolumeName(options, spec.name), containerPath: dataPath(options) }] : [],
    network: networkName(options),
    // On one Docker host the advertised host is a name the network resolves; an address is not an alias.
    aliases: [...new Set([spec.name, ...(isIP(spec.host) ? [] : [spec.host])])],
    extraHosts: options.dockerHosts,
    healthcheck: {
      test: ["CMD", "bash", "-c", httpCheckScript(spec.readiness.port, spec.readiness.path)],
      intervalSeconds: 5,
      timeoutSeconds: 3,
      retries: 3,
      startPeriodSeconds: 180,
    },
    restart: "unless-stopped",
    labels: {
      [LABELS.name]: spec.name,
      [LABELS.role]: spec.role,
      [LABELS.host]: spec.host,
      [LABELS.ports]: JSON.stringify(spec.ports),
    },
  };
}

/** A one-shot container that runs a bootstrap command on the topology's network and exits. */
export function bootstrapContainer(command: BootstrapCommand, options: DockerOptions): ContainerSpec {
  const run = bootstrapProcess(command, options);
  return {
    name: containerName(options, command.name),
    hostname: command.name,
    image: options.image,
    workingDir: options.pulsarHome,
    entrypoint: run.entrypoint,
    command: run.command,
    env: run.env,
    ports: [],
    volumes: [],
    network: networkName(options),
    aliases: [],
    extraHosts: options.dockerHosts,
    restart: "no",
    labels: { [LABELS.name]: command.name, [LABELS.role]: "bootstrap" },
  };
}
