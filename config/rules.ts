import type { z } from "zod";
import { formatPath } from "./path";

/**
 * Cross-field rules of the topology. They run even when some fields failed their own checks,
 * so that one `pulumi preview` reports every problem; hence they read the draft defensively.
 */

type Path = (string | number)[];
interface Problem {
  path: Path;
  message: string;
}

interface DraftNode {
  name?: unknown;
  host?: unknown;
}
interface DraftBookie extends DraftNode {
  bookiePort?: unknown;
  httpPort?: unknown;
  group?: unknown;
}
interface DraftBroker extends DraftNode {
  servicePort?: unknown;
  webPort?: unknown;
}
interface DraftQuorum {
  ensembleSize?: unknown;
  writeQuorum?: unknown;
  ackQuorum?: unknown;
}
interface DraftCluster {
  name?: unknown;
  zookeeper?: { clientPort?: unknown; adminPort?: unknown; host?: unknown };
  brokers?: unknown;
  managedLedger?: DraftQuorum;
}
interface DraftNamespace {
  name?: unknown;
  cluster?: unknown;
  persistence?: DraftQuorum;
  affinity?: { primary?: unknown; secondary?: unknown };
}
export interface TopologyDraft {
  host?: unknown;
  configurationStore?: DraftNode & { clientPort?: unknown; adminPort?: unknown };
  bookies?: unknown;
  clusters?: unknown;
  namespaces?: unknown;
}

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

export function checkTopology(draft: TopologyDraft, ctx: z.RefinementCtx): void {
  if (typeof draft !== "object" || draft === null) return;
  for (const { path, message } of topologyProblems(draft)) {
    ctx.addIssue({ code: "custom", path, message });
  }
}

export function topologyProblems(draft: TopologyDraft): Problem[] {
  return [
    ...duplicateNames(draft),
    ...duplicatePorts(draft),
    ...ungroupedBookies(draft),
    ...quorumOrder(draft),
    ...namespaceReferences(draft),
  ];
}

/** Every node has its own folder and process name, and clusters and namespaces are keys in Pulsar. */
function duplicateNames(draft: TopologyDraft): Problem[] {
  const nodes: { name: unknown; path: Path }[] = [
    { name: draft.configurationStore?.name ?? "configuration-store", path: ["configurationStore", "name"] },
    ...list<DraftBookie>(draft.bookies).map((b, i) => ({ name: b?.name, path: ["bookies", i, "name"] })),
    ...list<DraftCluster>(draft.clusters).flatMap((c, i) =>
      list<DraftBroker>(c?.brokers).map((b, j) => ({ name: b?.name, path: ["clusters", i, "brokers", j, "name"] })),
    ),
  ];
  return [
    ...repeated(nodes, "node name"),
    ...repeated(list<DraftCluster>(draft.clusters).map((c, i) => ({ name: c?.name, path: ["clusters", i, "name"] })), "cluster name"),
    ...repeated(list<DraftNamespace>(draft.namespaces).map((n, i) => ({ name: n?.name, path: ["namespaces", i, "name"] })), "namespace"),
  ];
}

function repeated(entries: { name: unknown; path: Path }[], what: string): Problem[] {
  const seen = new Map<string, Path>();
  const problems: Problem[] = [];
  for (const { name, path } of entries) {
    const key = text(name);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first) problems.push({ path, message: `${what} "${key}" is already used by ${formatPath(first)}` });
    else seen.set(key, path);
  }
  return problems;
}

/** Two listeners on one host cannot share a port. */
function duplicatePorts(draft: TopologyDraft): Problem[] {
  const defaultHost = text(draft.host) ?? "127.0.0.1";
  const ports: { host: string; port: unknown; path: Path }[] = [];
  const add = (node: DraftNode | undefined, fields: string[], base: Path) => {
    const host = text(node?.host) ?? defaultHost;
    for (const field of fields) ports.push({ host, port: (node as Record<string, unknown>)?.[field], path: [...base, field] });
  };
  add(draft.configurationStore, ["clientPort", "adminPort"], ["configurationStore"]);
  list<DraftBookie>(draft.bookies).forEach((b, i) => add(b, ["bookiePort", "httpPort"], ["bookies", i]));
  list<DraftCluster>(draft.clusters).forEach((c, i) => {
    add(c?.zookeeper, ["clientPort", "adminPort"], ["clusters", i, "zookeeper"]);
    list<DraftBroker>(c?.brokers).forEach((b, j) => add(b, ["servicePort", "webPort"], ["clusters", i, "brokers", j]));
  });

  const seen = new Map<string, Path>();
  const problems: Problem[] = [];
  for (const { host, port, path } of ports) {
    if (num(port) === undefined) continue;
    const key = `${host}:${port}`;
    const first = seen.get(key);
    if (first) problems.push({ path, message: `port ${port} on ${host} is already used by ${formatPath(first)}` });
    else seen.set(key, path);
  }
  return problems;
}

/** BookKeeper places data on ungrouped bookies when a group runs short, so every bookie needs a group. */
function ungroupedBookies(draft: TopologyDraft): Problem[] {
  return list<DraftBookie>(draft.bookies).flatMap((b, i) =>
    b && b.group === undefined
      ? [{
          path: ["bookies", i, "group"],
          message: `bookie "${text(b.name) ?? i}" is in no affinity group; ungrouped bookies receive other groups' spill-over data`,
        }]
      : [],
  );
}

/** The broker refuses anything but ensemble >= write quorum >= ack quorum. */
function quorumOrder(draft: TopologyDraft): Problem[] {
  const check = (q: DraftQuorum | undefined, base: Path): Problem[] => {
    const e = num(q?.ensembleSize), w = num(q?.writeQuorum), a = num(q?.ackQuorum);
    const problems: Problem[] = [];
    if (e !== undefined && w !== undefined && w > e)
      problems.push({ path: [...base, "writeQuorum"], message: `writeQuorum ${w} is larger than ensembleSize ${e}` });
    if (w !== undefined && a !== undefined && a > w)
      problems.push({ path: [...base, "ackQuorum"], message: `ackQuorum ${a} is larger than writeQuorum ${w}` });
    return problems;
  };
  return [
    ...list<DraftCluster>(draft.clusters).flatMap((c, i) => check(c?.managedLedger, ["clusters", i, "managedLedger"])),
    ...list<DraftNamespace>(draft.namespaces).flatMap((n, i) => (n?.persistence ? check(n.persistence, ["namespaces", i, "persistence"]) : [])),
  ];
}

/** A namespace names a known cluster and existing groups that hold at least one ensemble. */
function namespaceReferences(draft: TopologyDraft): Problem[] {
  const clusters = new Map(list<DraftCluster>(draft.clusters).map((c) => [text(c?.name), c]));
  const members = new Map<string, string[]>();
  for (const b of list<DraftBookie>(draft.bookies)) {
    const group = text(b?.group);
    if (group) members.set(group, [...(members.get(group) ?? []), text(b.name) ?? "?"]);
  }
  const groupList = [...members.keys()].join(", ") || "none";

  return list<DraftNamespace>(draft.namespaces).flatMap((ns, i) => {
    const problems: Problem[] = [];
    const name = text(ns?.name) ?? `namespaces[${i}]`;
    const clusterName = text(ns?.cluster);
    const cluster = clusters.get(clusterName);
    if (clusterName !== undefined && !cluster) {
      problems.push({
        path: ["namespaces", i, "cluster"],
        message: `cluster "${clusterName}" is not declared (clusters: ${[...clusters.keys()].join(", ") || "none"})`,
      });
    }
    const groups = (["primary", "secondary"] as const)
      .map((role) => ({ role, group: text(ns?.affinity?.[role]) }))
      .filter((g): g is { role: "primary" | "secondary"; group: string } => g.group !== undefined);
    for (const { role, group } of groups) {
      if (!members.has(group)) {
        problems.push({
          path: ["namespaces", i, "affinity", role],
          message: `group "${group}" has no bookies (groups: ${groupList}); Pulsar would accept it and place data outside the group`,
        });
      }
    }

    const ensemble = num(ns?.persistence?.ensembleSize) ?? num(cluster?.managedLedger?.ensembleSize);
    const usable = groups.flatMap(({ group }) => members.get(group) ?? []);
    if (ensemble !== undefined && groups.length > 0 && groups.every(({ group }) => members.has(group)) && usable.length < ensemble) {
      const source = ns?.persistence?.ensembleSize !== undefined ? "its persistence policy" : `cluster ${clusterName}`;
      problems.push({
        path: ["namespaces", i, "affinity", "primary"],
        message:
          `${name}: ${groups.map((g) => `"${g.group}"`).join(" + ")} ${usable.length === 1 ? "has 1 bookie" : `have ${usable.length} bookies`} ` +
          `(${usable.join(", ")}), fewer than the ensemble size ${ensemble} (from ${source})`,
      });
    }
    return problems;
  });
}
