import type { z } from "zod";
import { DNS_LABEL, EXPOSED_PORTS, NODE_PORT_RANGE, SERVICE_NAME_MAX, STATEFUL_SET_NAME_MAX } from "./kubernetes";
import { LOOPBACK, PlacedNode, Problem, TopologyDraft, placedNodes } from "./rules";

/** The config field of each exposed port: the spec's port `web` is the config's `webPort`. */
const exposedFields = (role: string): string[] => (EXPOSED_PORTS[role] ?? []).map((port) => `${port}Port`);

const roleOf = (node: PlacedNode): string =>
  node.path[0] === "bookies" ? "bookie" : node.path[0] === "configurationStore" ? "configuration-store" : node.path[2] === "brokers" ? "broker" : "zookeeper";

/** A cluster's ZooKeeper is named after its cluster; every other node has a name of its own. */
const namePath = (node: PlacedNode): PlacedNode["path"] =>
  roleOf(node) === "zookeeper" ? [...node.path.slice(0, 2), "name"] : [...node.path, "name"];

/**
 * Kubernetes runtime: a node's name can name its StatefulSet; it advertises a name its Service can
 * carry (not a loopback address: each pod has its own), which no other node uses; its exposed
 * ports lie in the NodePort range, each exposed once.
 */
export function kubernetesPlacement(draft: TopologyDraft): Problem[] {
  if (draft.runtime !== "kubernetes") return [];
  const nodes = placedNodes(draft);
  const problems: Problem[] = [];

  for (const node of nodes) {
    if (!DNS_LABEL.test(node.name) || node.name.length > STATEFUL_SET_NAME_MAX) {
      problems.push({
        path: namePath(node),
        message: `${node.name} cannot name a StatefulSet: use at most ${STATEFUL_SET_NAME_MAX} lowercase letters, digits and -, starting with a letter`,
      });
    }
  }

  // Nodes without a host of their own share the topology's: one problem for all of them.
  const reported = new Set<string>();
  const owners = new Map<string, string>();
  for (const node of nodes) {
    if (!DNS_LABEL.test(node.host) || LOOPBACK.test(node.host) || node.host.length > SERVICE_NAME_MAX) {
      const key = JSON.stringify(node.hostPath);
      if (reported.has(key)) continue;
      reported.add(key);
      const sharing = nodes.filter((n) => JSON.stringify(n.hostPath) === key).map((n) => n.name);
      problems.push({
        path: node.hostPath,
        message: `${sharing.join(", ")} would advertise "${node.host}": in Kubernetes a node advertises the name of its Service (a DNS label such as "${node.name}"), which the other pods resolve`,
      });
      continue;
    }
    const owner = owners.get(node.host);
    if (owner) problems.push({ path: node.hostPath, message: `${node.name} would advertise "${node.host}", the Service name of ${owner}: each node needs its own` });
    else owners.set(node.host, node.name);
  }

  const exposed = new Map<number, string>();
  for (const node of nodes) {
    for (const { port, path } of node.ports) {
      if (typeof port !== "number" || !exposedFields(roleOf(node)).includes(String(path[path.length - 1]))) continue;
      if (port < NODE_PORT_RANGE.min || port > NODE_PORT_RANGE.max) {
        problems.push({ path, message: `${node.name} exposes this port as a NodePort, which must lie in ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}` });
      } else if (exposed.has(port)) {
        problems.push({ path, message: `NodePort ${port} is already exposed by ${exposed.get(port)}` });
      } else exposed.set(port, node.name);
    }
  }
  return problems;
}

export function checkKubernetesPlacement(draft: TopologyDraft, ctx: z.RefinementCtx): void {
  if (typeof draft !== "object" || draft === null) return;
  for (const { path, message } of kubernetesPlacement(draft)) ctx.addIssue({ code: "custom", path, message });
}
