import { Topology } from "../../config";
import { NodeSpec, bookieSpec, bookkeeperInitCommand, brokerSpec, clusterMetadataCommand, configurationStoreSpec, topologyNodes, zookeeperSpec } from "../../runtime";
import { LocalPaths, runBootstrapCommand, startNode, stopNode } from "../../runtime/local";
import { stepTimer } from "./step-timer";

export interface StartedTopology {
  readonly nodes: readonly NodeSpec[];
  /** Seconds each step took: the critical path of a cold start. */
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * Starts a whole topology from the distribution, outside Pulumi (for tests and benchmarks),
 * in dependency order with independent nodes in parallel:
 * ZooKeepers → bootstrap commands → bookies → brokers.
 */
export async function startTopology(topology: Topology, paths: LocalPaths): Promise<StartedTopology> {
  const { step, timings } = stepTimer();
  await step("zookeepers", () =>
    Promise.all([configurationStoreSpec(topology), ...topology.clusters.map((c) => zookeeperSpec(topology, c))].map((s) => startNode(s, paths))),
  );
  await step("bootstrap", () =>
    Promise.all([
      runBootstrapCommand(bookkeeperInitCommand(topology), paths),
      // One after the other: each cluster's initialisation updates the shared `public` tenant.
      topology.clusters.reduce<Promise<unknown>>(
        (previous, c) => previous.then(() => runBootstrapCommand(clusterMetadataCommand(topology, c), paths)),
        Promise.resolve(),
      ),
    ]),
  );
  await step("bookies", () => Promise.all(topology.bookies.map((b) => startNode(bookieSpec(topology, b), paths))));
  await step("brokers", () =>
    Promise.all(topology.clusters.flatMap((c) => c.brokers.map((b) => startNode(brokerSpec(topology, c, b), paths)))),
  );
  return { nodes: topologyNodes(topology), timings };
}

/** Stops every node of the topology, brokers first; never throws before trying them all. */
export async function stopTopology(topology: Topology, paths: LocalPaths): Promise<void> {
  const order: NodeSpec["role"][] = ["broker", "bookie", "zookeeper", "configuration-store"];
  const nodes = topologyNodes(topology);
  const errors: unknown[] = [];
  for (const role of order) {
    const results = await Promise.allSettled(nodes.filter((n) => n.role === role).map((n) => stopNode(n, paths)));
    errors.push(...results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason));
  }
  if (errors.length) throw new AggregateError(errors, `could not stop ${errors.length} node(s)`);
}
