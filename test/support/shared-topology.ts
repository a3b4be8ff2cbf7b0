import { warmJavaClient } from "./java-client";
import { RealTopology, startRealTopology, stopRealTopology } from "./real-topology";
import { withQuickRecovery } from "./quick-recovery";
import { stackTopology } from "./stack-config";

/**
 * The one real topology the integration suites share, started by the first suite that asks and
 * stopped by the first that wants the machine's cores for itself (the docker suites), or after
 * every suite; a suite that asks after that starts it again: the dev topology plus a third
 * bookie in group-bookie2 (bk5), a one-bookie group-bookie3 (bk6) and a namespace of cluster2
 * with group-bookie3 as its secondary group. BookKeeper runs on the quick recovery timers
 * (./quick-recovery.ts): the recovery suite sees copies made within seconds and checks that each
 * lands inside its groups. On these timers one run once found a copy outside (README, "Isolation
 * through failure and recovery").
 */
export function integrationTopologyConfig(): Record<string, any> {
  const t = withQuickRecovery(stackTopology("dev"));
  t.bookies.push(
    { name: "bk5", bookiePort: 3185, httpPort: 8015, group: "group-bookie2", rack: "rack2" },
    { name: "bk6", bookiePort: 3186, httpPort: 8016, group: "group-bookie3", rack: "rack3" },
  );
  t.namespaces.push({
    name: "public/c2-ns2",
    cluster: "cluster2",
    bundles: 4,
    retention: { size: "1G", time: "3d" },
    affinity: { primary: "group-bookie2", secondary: "group-bookie3" },
  });
  return t;
}

/** Namespaces the suites make with the admin API next to the stack (no affinity group), with their cluster. */
export const NAMESPACES_MADE_OUTSIDE: Readonly<Record<string, string>> = { "public/outside-c1": "cluster1", "public/outside-c2": "cluster2" };

let shared: Promise<RealTopology> | undefined;

export function sharedTopology(): Promise<RealTopology> {
  if (!shared) warmJavaClient();
  shared ??= startRealTopology("integration", integrationTopologyConfig());
  return shared;
}

export async function stopSharedTopology(): Promise<void> {
  if (!shared) return;
  const real = await shared.catch(() => undefined);
  shared = undefined;
  await stopRealTopology(real);
}

export const mochaHooks = { afterAll: stopSharedTopology };
