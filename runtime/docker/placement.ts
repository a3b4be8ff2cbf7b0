import { isIP } from "node:net";
import { Topology, dockerHostAddress } from "../../config";
import { NodeSpec, bookieSpec, brokerSpec, configurationStoreSpec, zookeeperSpec } from "../node-spec";
import { ContainerSpec, DockerOptions, HostEntry, nodeContainer } from "./container-spec";

/** The Docker host (a key of `docker.hosts`) of every node by node name; undefined is the default engine. */
export function dockerHostsByNode(topology: Topology): Map<string, string | undefined> {
  return new Map<string, string | undefined>([
    [configurationStoreSpec(topology).name, topology.configurationStore.dockerHost],
    ...topology.clusters.map((c) => [zookeeperSpec(topology, c).name, c.zookeeper.dockerHost] as const),
    ...topology.bookies.map((b) => [bookieSpec(topology, b).name, b.dockerHost] as const),
    ...topology.clusters.flatMap((c) => c.brokers.map((b) => [brokerSpec(topology, c, b).name, b.dockerHost] as const)),
  ]);
}

/** Bootstrap commands talk to the ZooKeepers by their advertised addresses; they run beside the configuration store. */
export const bootstrapDockerHost = (topology: Topology): string | undefined => topology.configurationStore.dockerHost;

/**
 * A node's container as its Docker host runs it: what the Pulumi runner creates and the boot tests
 * run. `placement` is `dockerHostsByNode(topology)`, made once by callers that place every node.
 */
export const placedNodeContainer = (
  topology: Topology,
  spec: NodeSpec,
  options: DockerOptions,
  placement: ReadonlyMap<string, string | undefined> = dockerHostsByNode(topology),
): ContainerSpec => nodeContainer(spec, options, dockerHostAddress(topology, placement.get(spec.name)));

/** The declared Docker hosts that are reached at an address, by name (`docker-host-<name>`), for the containers' /etc/hosts. */
export const dockerHostEntries = (topology: Topology): HostEntry[] =>
  Object.keys(topology.docker.hosts)
    .map((name) => ({ host: `docker-host-${name}`, ip: dockerHostAddress(topology, name) }))
    .filter((entry) => isIP(entry.ip) !== 0);
