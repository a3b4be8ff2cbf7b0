import * as docker from "@pulumi/docker";
import * as pulumi from "../../lib/pulumi";
import { Topology, dockerImage } from "../../config";
import { NodeRunner } from "../runner";
import { ContainerSpec, DockerOptions, bootstrapContainer, containerName, networkName } from "./container-spec";
import { bootstrapDockerHost, dockerHostEntries, dockerHostsByNode, placedNodeContainer } from "./placement";

/** The distribution's folder in the official image, and in the image the boot test builds. */
export const IMAGE_PULSAR_HOME = "/pulsar";

/** How long `pulumi up` waits for a container's health check to pass. */
const HEALTHY_WITHIN_SECONDS = 300;

export interface DockerRunnerArgs {
  readonly topology: Topology;
  /** Prefix of the network's, volumes' and containers' names. */
  readonly prefix: string;
  /** The registry password, a secret; required when `docker.registry` is set. */
  readonly registryPassword?: pulumi.Output<string>;
}

/** What every container on one Docker host shares: the provider that reaches it, the network and the image. */
interface HostResources {
  readonly provider?: docker.Provider;
  readonly network: docker.Network;
  readonly image: docker.RemoteImage;
}

export function dockerOptions(topology: Topology, prefix: string): DockerOptions {
  return { prefix, image: dockerImage(topology), pulsarHome: IMAGE_PULSAR_HOME, dockerHosts: dockerHostEntries(topology), jvmCompiler: topology.docker.jvmCompiler };
}

/** `docker.Container` arguments for a container spec, with the image and network its host provides. */
export function containerArgs(c: ContainerSpec, image: pulumi.Input<string>, network: pulumi.Input<string>, volumes: Record<string, pulumi.Input<string>>): docker.ContainerArgs {
  const oneShot = c.restart === "no";
  return {
    name: c.name,
    hostname: c.hostname,
    image,
    workingDir: c.workingDir,
    entrypoints: [...c.entrypoint],
    command: [...c.command],
    envs: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
    ports: c.ports.map((p) => ({ internal: p.internal, external: p.external, ip: p.ip })),
    volumes: c.volumes.map((v) => ({ volumeName: volumes[v.volume], containerPath: v.containerPath })),
    networksAdvanced: [{ name: network, aliases: [...c.aliases] }],
    hosts: c.extraHosts.map((h) => ({ host: h.host, ip: h.ip })),
    ...(c.healthcheck
      ? {
          healthcheck: {
            tests: [...c.healthcheck.test],
            interval: `${c.healthcheck.intervalSeconds}s`,
            timeout: `${c.healthcheck.timeoutSeconds}s`,
            retries: c.healthcheck.retries,
            startPeriod: `${c.healthcheck.startPeriodSeconds}s`,
          },
        }
      : {}),
    restart: c.restart,
    labels: Object.entries(c.labels).map(([label, value]) => ({ label, value })),
    // A node is created once it is healthy; a one-shot is created once it has run to its end.
    ...(oneShot ? { mustRun: false, attach: true, logs: true } : { wait: true, waitTimeout: HEALTHY_WITHIN_SECONDS }),
  };
}

/**
 * Nodes as containers with `@pulumi/docker`: per Docker host a provider (when hosts are declared),
 * a network and the image; per node that keeps data a named volume, kept on `destroy` like the local
 * runtime's data folders; and one container per node or bootstrap command.
 */
export function dockerRunner(args: DockerRunnerArgs): NodeRunner {
  const { topology } = args;
  const options = dockerOptions(topology, args.prefix);
  const placement = dockerHostsByNode(topology);
  const registry = topology.docker.registry;
  if (registry && !args.registryPassword) {
    throw new Error(`docker.registry is set: the password must be in the secret stack config "${registry.passwordKey}"`);
  }
  const registryAuth = registry ? [{ address: registry.server, username: registry.username, password: args.registryPassword }] : undefined;

  const hosts = new Map<string | undefined, HostResources>();
  const hostResources = (dockerHost: string | undefined): HostResources => {
    const known = hosts.get(dockerHost);
    if (known) return known;
    const suffix = dockerHost ? `-${dockerHost}` : "";
    const provider =
      dockerHost !== undefined
        ? new docker.Provider(`docker${suffix}`, { host: topology.docker.hosts[dockerHost].url, registryAuth })
        : registryAuth
          ? new docker.Provider("docker", { registryAuth })
          : undefined;
    const resources: HostResources = {
      provider,
      network: new docker.Network(`network${suffix}`, { name: networkName(options), driver: "bridge" }, { provider }),
      image: new docker.RemoteImage(`image${suffix}`, { name: options.image, keepLocally: true }, { provider }),
    };
    hosts.set(dockerHost, resources);
    return resources;
  };
  // Every host the topology uses gets its resources now, outside any component.
  for (const host of new Set([...placement.values(), bootstrapDockerHost(topology)])) hostResources(host);

  return {
    node(spec, opts) {
      const host = hostResources(placement.get(spec.name));
      const c = placedNodeContainer(topology, spec, options, placement);
      const volumes = Object.fromEntries(
        c.volumes.map((v) => [
          v.volume,
          new docker.Volume(`${spec.name}-data`, { name: v.volume }, { parent: opts.parent, provider: host.provider, retainOnDelete: true }).name,
        ]),
      );
      return new docker.Container(spec.name, containerArgs(c, host.image.imageId, host.network.name, volumes), {
        ...opts,
        provider: host.provider,
        // The container's name is fixed: the old one goes before its replacement comes.
        deleteBeforeReplace: true,
      });
    },
    control(spec) {
      const dockerHost = placement.get(spec.name);
      return { kind: "docker", container: containerName(options, spec.name), ...(dockerHost ? { dockerHost: topology.docker.hosts[dockerHost].url } : {}) };
    },
    bootstrap(command, opts) {
      const host = hostResources(bootstrapDockerHost(topology));
      const c = bootstrapContainer(command, options);
      return new docker.Container(command.name, containerArgs(c, host.image.imageId, host.network.name, {}), {
        ...opts,
        provider: host.provider,
        deleteBeforeReplace: true,
        // Run when created, never again: a changed command or image is recorded, not re-run.
        ignoreChanges: ["image", "entrypoints", "command", "envs"],
      });
    },
  };
}
