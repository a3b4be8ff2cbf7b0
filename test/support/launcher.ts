import { RackMapSeedProvider } from "../../admin";
import { rackMapSeedPlan } from "../../components";
import { Topology } from "../../config";
import { NodeSpec, bookieSpec, bookkeeperInitCommand, brokerSpec, clusterMetadataCommand, configurationStoreSpec, topologyNodes, zookeeperSpec } from "../../runtime";
import { LocalPaths, runBootstrapCommand, startNode, stopNode } from "../../runtime/local";
import { secondsSince } from "./step-timer";

export interface StartedTopology {
  readonly nodes: readonly NodeSpec[];
  /** Seconds from the start until each part was done (the last one is the critical path of a cold start). */
  readonly doneAt: Readonly<Record<string, number>>;
}

/** Seconds until every node served: the last part done. */
export const servedAfter = (started: StartedTopology): number => Math.max(...Object.values(started.doneAt));

/**
 * Starts a whole topology from the distribution, outside Pulumi (for tests and benchmarks), each
 * node or command once what it needs is there, as the stack's resources depend on each other:
 * BookKeeper's metadata and the bookies' rack map once the configuration store serves, a cluster's
 * metadata once its ZooKeeper does (the clusters one after the other), bookies once BookKeeper's
 * metadata and the rack map exist, a cluster's brokers once its metadata and every bookie are
 * there. The components' `dependsOn` are the source of this order; keep the two alike.
 */
export async function startTopology(topology: Topology, paths: LocalPaths): Promise<StartedTopology> {
  const started = Date.now();
  const doneAt: Record<string, number> = {};
  const done = <T>(name: string, work: Promise<T>): Promise<T> =>
    work.then((result) => {
      doneAt[name] = secondsSince(started);
      return result;
    });
  const configurationStore = startNode(configurationStoreSpec(topology), paths);
  const zookeepers = new Map(topology.clusters.map((c) => [c.name, startNode(zookeeperSpec(topology, c), paths)]));
  const bookkeeperInit = done("bookkeeper-init", configurationStore.then(() => runBootstrapCommand(bookkeeperInitCommand(topology), paths)));
  const rackMap = done("rack-map", configurationStore.then(() => new RackMapSeedProvider().create(rackMapSeedPlan(topology))));
  // One after the other: each cluster's initialisation updates the shared `public` tenant.
  const metadata = new Map<string, Promise<unknown>>();
  topology.clusters.reduce<Promise<unknown>>((previous, c) => {
    const initialised = Promise.all([previous, configurationStore, zookeepers.get(c.name)]).then(() => runBootstrapCommand(clusterMetadataCommand(topology, c), paths));
    metadata.set(c.name, done(`${c.name}-metadata`, initialised));
    return initialised;
  }, Promise.resolve());
  const bookies = done("bookies", Promise.all([bookkeeperInit, rackMap]).then(() => Promise.all(topology.bookies.map((b) => startNode(bookieSpec(topology, b), paths)))));
  const brokers = topology.clusters.map((c) =>
    done(
      `${c.name}-brokers`,
      Promise.all([metadata.get(c.name), bookies]).then(() => Promise.all(c.brokers.map((b) => startNode(brokerSpec(topology, c, b), paths)))),
    ),
  );
  // Every start settles before this returns, so a failure leaves no start still running.
  const results = await Promise.allSettled([configurationStore, ...zookeepers.values(), bookkeeperInit, rackMap, ...metadata.values(), bookies, ...brokers]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return { nodes: topologyNodes(topology), doneAt };
}

/**
 * Stops every node of the topology, brokers first; never throws before trying them all. `graceMs`
 * is how long each node may take to stop before it is killed: 0 for a topology whose folders are
 * thrown away (a bookie that holds no auditor takes 10 s to stop: apache/bookkeeper#4165).
 */
export async function stopTopology(topology: Topology, paths: LocalPaths, graceMs?: number): Promise<void> {
  const order: NodeSpec["role"][] = ["broker", "bookie", "zookeeper", "configuration-store"];
  const nodes = topologyNodes(topology);
  const errors: unknown[] = [];
  for (const role of order) {
    const results = await Promise.allSettled(nodes.filter((n) => n.role === role).map((n) => stopNode(n, paths, graceMs)));
    errors.push(...results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason));
  }
  if (errors.length) throw new AggregateError(errors, `could not stop ${errors.length} node(s)`);
}
