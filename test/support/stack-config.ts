import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { Topology } from "../../config";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT_NAME = "pulsar-isolation";

/** The `config:` section of `Pulumi.<stack>.yaml`. */
export function stackConfig(stack: string): Record<string, unknown> {
  const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  return doc.config ?? {};
}

export const TOPOLOGY_KEY = `${PROJECT_NAME}:topology`;

/**
 * Writes a stack file's topology and keeps the rest of the file: what `pulumi stack init` added (its
 * encryption salt) and the other config keys (secrets such as a kubeconfig or a token).
 */
export async function writeStackTopology(file: string, topology: Record<string, unknown>): Promise<void> {
  const doc = ((yaml.load(await fs.promises.readFile(file, "utf8").catch(() => "")) ?? {}) as { config?: Record<string, unknown> });
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await fs.promises.writeFile(file, yaml.dump({ ...doc, config: { ...(doc.config ?? {}), [TOPOLOGY_KEY]: topology } }));
}

/** The topology a stack file holds now. */
export async function readStackTopology(file: string): Promise<Record<string, any>> {
  const doc = yaml.load(await fs.promises.readFile(file, "utf8")) as { config: Record<string, any> };
  return doc.config[TOPOLOGY_KEY];
}

/** The raw topology of a stack, as the program reads it. */
export function stackTopology(stack: string): Record<string, any> {
  return structuredClone(stackConfig(stack)[TOPOLOGY_KEY]) as Record<string, any>;
}

/** The dev topology on ports of its own (each port + `offset`) and with no namespaces, so it never meets another suite's stack. */
export function devTopologyApart(offset: number): Record<string, any> {
  const t = stackTopology("dev");
  const shift = (node: Record<string, any>) => {
    for (const key of ["clientPort", "adminPort", "bookiePort", "httpPort", "servicePort", "webPort"]) if (typeof node[key] === "number") node[key] += offset;
  };
  shift(t.configurationStore);
  t.bookies.forEach(shift);
  for (const c of t.clusters) [c.zookeeper, ...c.brokers].forEach(shift);
  t.namespaces = [];
  return t;
}

/**
 * How many resources `pulumi up` registers for a local-runtime topology: the stack and its four
 * kinds of component, then per node its process, per bootstrap command its step, the bookies' rack
 * map written before they start, per bookie its membership and rack entry, per tenant, and per
 * namespace the namespace and its affinity.
 */
export function localResourceCount(topology: Topology): number {
  const components = 3 + topology.clusters.length;
  const brokers = topology.clusters.reduce((n, c) => n + c.brokers.length, 0);
  const nodes = 1 + topology.clusters.length + topology.bookies.length + brokers;
  const bootstraps = 1 + topology.clusters.length;
  const tenants = new Set(topology.namespaces.map((ns) => ns.name.split("/")[0])).size;
  return 1 + components + nodes + bootstraps + 1 + 2 * topology.bookies.length + tenants + 2 * topology.namespaces.length;
}
