import type { z } from "zod";
import { isolationProblems } from "./isolation-facts";
import { BOOKIE_OWNED_SETTINGS, BROKER_OWNED_SETTINGS } from "./owned-settings";
import { formatPath } from "./path";
import { localZooKeeperName } from "../rules/names";

/**
 * Cross-field rules of the topology. They run even when some fields failed their own checks,
 * so that one `pulumi preview` reports every problem; hence they read the draft defensively.
 */

type Path = (string | number)[];
export interface Problem {
  path: Path;
  message: string;
}

interface DraftNode {
  name?: unknown;
  host?: unknown;
  dockerHost?: unknown;
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
  zookeeper?: { clientPort?: unknown; adminPort?: unknown; host?: unknown; dockerHost?: unknown };
  brokers?: unknown;
  managedLedger?: DraftQuorum;
  brokerSettings?: unknown;
}
interface DraftNamespace {
  name?: unknown;
  cluster?: unknown;
  persistence?: DraftQuorum;
  affinity?: { primary?: unknown; secondary?: unknown };
}
export interface TopologyDraft {
  runtime?: unknown;
  host?: unknown;
  docker?: { hosts?: unknown };
  configurationStore?: DraftNode & { clientPort?: unknown; adminPort?: unknown };
  bookies?: unknown;
  clusters?: unknown;
  namespaces?: unknown;
  bookieSettings?: unknown;
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
    ...unknownClusters(draft),
    ...isolationProblems(draft),
    ...ownedSettingsOverridden(draft),
    ...recoveryDelayNotSeconds(draft),
    ...dockerPlacement(draft),
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
    list<DraftBroker>(c?.brokers).forEach((b, j) => add(b, ["servicePort", "webPort", "servicePortTls", "webPortTls"], ["clusters", i, "brokers", j]));
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

/** A namespace is owned by a declared cluster. */
function unknownClusters(draft: TopologyDraft): Problem[] {
  const clusters = list<DraftCluster>(draft.clusters).map((c) => text(c?.name));
  return list<DraftNamespace>(draft.namespaces).flatMap((ns, i) => {
    const clusterName = text(ns?.cluster);
    if (clusterName === undefined || clusters.includes(clusterName)) return [];
    return [{
      path: ["namespaces", i, "cluster"],
      message: `cluster "${clusterName}" is not declared (clusters: ${clusters.filter(Boolean).join(", ") || "none"})`,
    }];
  });
}

/** `brokerSettings` and `bookieSettings` add settings; they do not change those the topology sets. */
function ownedSettingsOverridden(draft: TopologyDraft): Problem[] {
  const overridden = (settings: unknown, owned: Readonly<Record<string, string>>, base: Path, owner: string): Problem[] =>
    Object.keys(settings && typeof settings === "object" ? settings : {})
      .filter((key) => key in owned)
      .map((key) => ({ path: [...base, key], message: `is set by ${owner}${owned[key]}; change it there, not here` }));
  return [
    ...overridden(draft.bookieSettings, BOOKIE_OWNED_SETTINGS, ["bookieSettings"], ""),
    ...list<DraftCluster>(draft.clusters).flatMap((c, i) =>
      overridden(c?.brokerSettings, BROKER_OWNED_SETTINGS, ["clusters", i, "brokerSettings"], `clusters[${i}].`),
    ),
  ];
}

/** The stack restarts bookies with recovery deferred and then sets this back (runtime/recovery-deferral.ts): it must be seconds. */
function recoveryDelayNotSeconds(draft: TopologyDraft): Problem[] {
  const settings = (draft.bookieSettings && typeof draft.bookieSettings === "object" ? draft.bookieSettings : {}) as Record<string, unknown>;
  const delay = settings.lostBookieRecoveryDelay;
  if (delay === undefined || /^\d+$/.test(String(delay))) return [];
  return [{ path: ["bookieSettings", "lostBookieRecoveryDelay"], message: "is not a whole number of seconds (0 or more)" }];
}

export interface PlacedNode {
  /** The container's name, which other containers on its network resolve. */
  name: string;
  host: string;
  /** Where `host` comes from: the node's own field or the topology's default. */
  hostPath: Path;
  dockerHost?: string;
  path: Path;
  ports: { port: unknown; path: Path }[];
}

/** Every node with the container name the docker runtime gives it, its address and its ports. */
export function placedNodes(draft: TopologyDraft): PlacedNode[] {
  const defaultHost = text(draft.host) ?? "127.0.0.1";
  const place = (node: DraftNode | undefined, name: string, path: Path, portFields: string[]): PlacedNode => ({
    name,
    host: text(node?.host) ?? defaultHost,
    hostPath: text(node?.host) !== undefined ? [...path, "host"] : ["host"],
    dockerHost: text(node?.dockerHost),
    path,
    ports: portFields.map((f) => ({ port: (node as Record<string, unknown> | undefined)?.[f], path: [...path, f] })),
  });
  return [
    place(draft.configurationStore, text(draft.configurationStore?.name) ?? "configuration-store", ["configurationStore"], ["clientPort", "adminPort"]),
    ...list<DraftCluster>(draft.clusters).map((c, i) => place(c?.zookeeper, localZooKeeperName(text(c?.name) ?? String(i)), ["clusters", i, "zookeeper"], ["clientPort", "adminPort"])),
    ...list<DraftBookie>(draft.bookies).map((b, i) => place(b, text(b?.name) ?? `bookies[${i}]`, ["bookies", i], ["bookiePort", "httpPort"])),
    ...list<DraftCluster>(draft.clusters).flatMap((c, i) =>
      list<DraftBroker>(c?.brokers).map((b, j) => place(b, text(b?.name) ?? `brokers[${j}]`, ["clusters", i, "brokers", j], ["servicePort", "webPort"])),
    ),
  ];
}

export const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0)$/i;

/**
 * Docker runtime: each container has its own loopback, containers on one Docker host find each
 * other by name only on that host's network, and a host publishes each port once.
 */
function dockerPlacement(draft: TopologyDraft): Problem[] {
  if (draft.runtime !== "docker") return [];
  const hosts = draft.docker?.hosts && typeof draft.docker.hosts === "object" ? Object.keys(draft.docker.hosts) : [];
  const nodes = placedNodes(draft);
  const problems: Problem[] = [];

  for (const node of nodes) {
    if (node.dockerHost !== undefined && !hosts.includes(node.dockerHost)) {
      problems.push({
        path: [...node.path, "dockerHost"],
        message: `Docker host "${node.dockerHost}" is not declared in docker.hosts (hosts: ${hosts.join(", ") || "none"})`,
      });
    } else if (node.dockerHost === undefined && hosts.length > 0) {
      problems.push({ path: [...node.path, "dockerHost"], message: `${node.name} names no Docker host; with docker.hosts declared, each node names one of: ${hosts.join(", ")}` });
    }
  }

  const loopback = new Map<string, { path: Path; names: string[] }>();
  for (const node of nodes.filter((n) => LOOPBACK.test(n.host))) {
    const key = formatPath(node.hostPath);
    loopback.set(key, { path: node.hostPath, names: [...(loopback.get(key)?.names ?? []), node.name] });
  }
  for (const { path, names } of loopback.values()) {
    problems.push({
      path,
      message: `${names.join(", ")} would advertise a loopback address; in a container it is the container's own, so other nodes cannot reach it: use the container name or the Docker host's address`,
    });
  }

  const used = new Set(nodes.map((n) => n.dockerHost).filter((h) => h !== undefined));
  if (used.size > 1) {
    const containers = new Set(nodes.map((n) => n.name));
    for (const node of nodes.filter((n) => containers.has(n.host))) {
      problems.push({
        path: node.hostPath,
        message: `${node.name} would advertise the container name "${node.host}", which resolves only on one Docker host's network; nodes on other Docker hosts cannot reach it: use the address of Docker host "${node.dockerHost ?? "?"}"`,
      });
    }
  }

  // Two nodes of one address on one port are already reported by duplicatePorts.
  const published = new Map<string, { path: Path; host: string }>();
  for (const node of nodes) {
    for (const { port, path } of node.ports) {
      if (num(port) === undefined) continue;
      const key = `${node.dockerHost ?? ""}:${port}`;
      const first = published.get(key);
      if (!first) published.set(key, { path, host: node.host });
      else if (first.host !== node.host) {
        const where = node.dockerHost ? `Docker host "${node.dockerHost}"` : "the Docker host";
        problems.push({ path, message: `port ${port} is already published on ${where} by ${formatPath(first.path)}` });
      }
    }
  }
  return problems;
}
