/**
 * The admin layer at scale, through the providers as the engine drives them: 3 clusters, 24
 * bookies in 6 groups (rack entries only: the bookies of this plan do not run), 100 namespaces with
 * affinity, applied to a running small topology of 3 clusters. For each step: its time and the
 * HTTP calls the brokers saw (their request logs). Then the same work as `bin/pulsar-admin` calls:
 * their count, times the median time of a sample of them. Usage: npm run bench:scale
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { AffinityGroupProvider, BookieRackProvider, NamespaceProvider, TenantProvider } from "../admin";
import { IsolationPlanArgs, isolationPlan } from "../components";
import { clusterWebServiceUrl, configurationStoreReachableConnect } from "../config";
import { adminRequestsSeenBy } from "../test/support/pulsar-client";
import { startRealTopology, stopRealTopology } from "../test/support/real-topology";
import { stackTopology } from "../test/support/stack-config";
import { pulsarHome } from "../test/support/toolchain";

const run = promisify(execFile);
const GROUPS = 6;
const BOOKIES_PER_GROUP = 4;
const NAMESPACES = 100;

function threeClusters(): Record<string, any> {
  const t = stackTopology("dev");
  t.clusters.push({ ...structuredClone(t.clusters[1]), name: "cluster3", zookeeper: { clientPort: 2184, adminPort: 9994 }, brokers: [{ name: "broker3", servicePort: 6652, webPort: 8082 }] });
  t.namespaces = [];
  return t;
}

type Provider<I, O> = pulumi.dynamic.ResourceProvider<I, O>;

/** What the engine does for each resource of a kind, all at once: check, then create or diff (and update), or read. */
async function step<I, O>(provider: Provider<I, O>, plans: I[], state: Map<number, O>, action: "up" | "refresh"): Promise<number> {
  const started = Date.now();
  await Promise.all(
    plans.map(async (plan, i) => {
      const checked = ((await provider.check?.(plan, plan))?.inputs ?? plan) as I;
      const current = state.get(i);
      if (action === "refresh") {
        state.set(i, (await provider.read!(String(i), current)).props as O);
      } else if (!current) {
        state.set(i, (await provider.create(checked)).outs as O);
      } else if ((await provider.diff!(String(i), current, checked)).changes) {
        state.set(i, (await provider.update!(String(i), current, checked)).outs as O);
      }
    }),
  );
  return (Date.now() - started) / 1000;
}

async function main() {
  const real = await startRealTopology("bench-scale", threeClusters());
  const brokerDirs = ["broker1", "broker2", "broker3"].map((b) => path.join(real.paths.stateDir, b));
  const requests = async () => (await Promise.all(brokerDirs.map((d) => adminRequestsSeenBy(d)))).reduce((a, b) => a + b, 0);
  try {
    const clusters = real.topology.clusters.map((c) => ({ clusterName: c.name, adminUrl: clusterWebServiceUrl(real.topology, c) }));
    const args: IsolationPlanArgs = {
      clusters,
      configurationStore: { reachableConnect: configurationStoreReachableConnect(real.topology) },
      bookies: Array.from({ length: GROUPS * BOOKIES_PER_GROUP }, (_, i) => ({
        name: `sb${i}`,
        id: `10.0.${Math.floor(i / BOOKIES_PER_GROUP)}.${i % BOOKIES_PER_GROUP}:3181`,
        placement: { group: `group-${Math.floor(i / BOOKIES_PER_GROUP)}`, rack: `rack-${Math.floor(i / BOOKIES_PER_GROUP)}` },
      })),
      namespaces: Array.from({ length: NAMESPACES }, (_, i) => ({
        name: `scale/ns-${i}`,
        cluster: clusters[i % clusters.length].clusterName,
        bundles: 4,
        retention: { retentionSizeInMB: 1024, retentionTimeInMinutes: 4320 },
        affinity: { primary: `group-${i % GROUPS}` },
      })),
    };
    const plan = isolationPlan(args);
    const kinds = [
      { name: "racks", provider: new BookieRackProvider(), plans: plan.racks },
      { name: "tenants", provider: new TenantProvider(), plans: plan.tenants },
      { name: "namespaces", provider: new NamespaceProvider(), plans: plan.namespaces },
      { name: "affinity groups", provider: new AffinityGroupProvider(), plans: plan.affinities },
    ] as { name: string; provider: Provider<unknown, unknown>; plans: unknown[] }[];
    const states = kinds.map(() => new Map<number, unknown>());
    const rows: string[] = [];
    for (const [label, action] of [["up from nothing", "up"], ["no-change up (check and diff)", "up"], ["refresh (read)", "refresh"]] as const) {
      const before = await requests();
      let seconds = 0;
      for (const [k, kind] of kinds.entries()) seconds += await step(kind.provider, kind.plans, states[k], action);
      rows.push(`| ${label} | ${seconds.toFixed(2)} s | ${(await requests()) - before} |`);
    }

    // The same work by hand: a rack per bookie per cluster, the tenant, each namespace with its
    // retention, then its affinity group and an unload.
    const cliCalls = plan.racks.length * clusters.length + plan.tenants.length + 2 * NAMESPACES + 2 * NAMESPACES;
    const sample: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      await run(path.join(pulsarHome(), "bin", "pulsar-admin"), ["--admin-url", clusters[0].adminUrl, "namespaces", "get-bookie-affinity-group", "scale/ns-0"], {
        env: { ...process.env, PULSAR_MEM: "-Xmx128m" },
      });
      sample.push((Date.now() - started) / 1000);
    }
    const perCall = sample.sort((a, b) => a - b)[2];
    const ours = rows[0].split("|")[2].trim();
    console.log(`${args.bookies.length} bookies in ${GROUPS} groups on ${clusters.length} clusters, ${NAMESPACES} namespaces (${plan.racks.length + plan.tenants.length + 2 * NAMESPACES} resources)

| step (providers as the engine drives them) | time | HTTP calls the brokers saw |
|---|---|---|
${rows.join("\n")}
| the same work with \`bin/pulsar-admin\` | ${cliCalls} calls × ${perCall.toFixed(2)} s (median of 5 timed) ≈ ${(cliCalls * perCall).toFixed(0)} s | ${cliCalls} |

Ratio for the work from nothing: ${((cliCalls * perCall) / Number.parseFloat(ours)).toFixed(0)}× (the configuration store's copy of the rack map has no pulsar-admin command at all).`);
  } finally {
    await stopRealTopology(real);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
