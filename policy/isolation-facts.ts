import { BookieFacts, ClusterFacts, IsolationFacts, NamespaceFacts, Subject, brokerDefaultGroups } from "../rules/isolation";
import { NodeFact, TopologyView, nodeBookieId } from "./plan-view";

/**
 * The policy pack's side of the isolation rules: the facts of the planned resources, and the
 * resource each verdict points at.
 */

const quorumOf = (settings: Record<string, string>) => {
  const value = (key: string) => (settings[key] === undefined ? undefined : Number(settings[key]));
  return {
    ensembleSize: value("managedLedgerDefaultEnsembleSize"),
    writeQuorum: value("managedLedgerDefaultWriteQuorum"),
    ackQuorum: value("managedLedgerDefaultAckQuorum"),
  };
};

/** The isolation facts of a plan: bookies from nodes and rack entries, clusters from brokers, namespaces with their groups. */
export function planIsolationFacts(view: TopologyView): IsolationFacts {
  const nodeOfBookie = new Map(view.nodes.filter((n) => n.role === "bookie").map((n) => [nodeBookieId(n), n]));
  const groupOf = new Map(view.racks.map((r) => [r.bookie, r.group || undefined]));
  // Bookies run by the plan, then bookies the plan only files in a rack map (run elsewhere).
  const ids = [...new Set([...nodeOfBookie.keys(), ...view.racks.map((r) => r.bookie)])];
  const bookies: BookieFacts[] = ids.map((id) => ({ name: nodeOfBookie.get(id)?.name ?? id, id, group: groupOf.get(id) }));

  const clusters = new Map<string, ClusterFacts>();
  for (const broker of view.nodes.filter((n) => n.role === "broker")) {
    const name = broker.settings.clusterName;
    if (name && !clusters.has(name)) clusters.set(name, { name, defaults: quorumOf(broker.settings), defaultGroups: brokerDefaultGroups(broker.settings) });
  }
  // Clusters run elsewhere: their defaults as the plan declares them.
  for (const ns of view.namespaces) {
    if (ns.clusterDefaults && !clusters.has(ns.cluster)) clusters.set(ns.cluster, { name: ns.cluster, defaults: ns.clusterDefaults });
  }

  const affinityOf = new Map(view.affinities.map((a) => [a.namespace, a]));
  const namespaces: NamespaceFacts[] = view.namespaces.map((ns) => ({
    name: ns.namespace,
    cluster: ns.cluster,
    primary: affinityOf.get(ns.namespace)?.primary || undefined,
    secondary: affinityOf.get(ns.namespace)?.secondary,
    persistence: ns.persistence,
  }));
  return { bookies, clusters: [...clusters.values()], namespaces };
}

/** The resource a verdict points at: the bookie's node, the cluster's first broker, the namespace or its affinity groups. */
export function subjectUrn(view: TopologyView, subject: Subject): string | undefined {
  const node = (match: (n: NodeFact) => boolean) => view.nodes.find(match)?.urn;
  switch (subject.kind) {
    case "bookie":
      return node((n) => n.role === "bookie" && n.name === subject.name) ?? view.racks.find((r) => r.bookie === subject.name)?.urn;
    case "cluster":
      return (
        node((n) => n.role === "broker" && n.settings.clusterName === subject.name) ??
        view.namespaces.find((n) => n.cluster === subject.name && n.clusterDefaults)?.urn
      );
    case "namespace":
      return subject.field === "primary" || subject.field === "secondary"
        ? view.affinities.find((a) => a.namespace === subject.name)?.urn
        : view.namespaces.find((n) => n.namespace === subject.name)?.urn;
  }
}
