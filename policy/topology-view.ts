/**
 * The facts the rules need, read from the resources our components register, whatever the
 * runtime: bookies and brokers (node specs), rack entries, namespaces and affinity groups.
 */
export interface ResourceLike {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, any>;
}

export interface NodeFact {
  readonly urn: string;
  readonly name: string;
  readonly role: string;
  readonly host: string;
  readonly ports: Record<string, number>;
  readonly settings: Record<string, string>;
}

export interface RackFact {
  readonly urn: string;
  readonly bookie: string;
  readonly group: string;
}

export interface NamespaceFact {
  readonly urn: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly persistence?: { ensembleSize: number; writeQuorum: number; ackQuorum: number };
}

export interface AffinityFact {
  readonly urn: string;
  readonly namespace: string;
  readonly primary: string;
  readonly secondary?: string;
}

export interface TopologyView {
  readonly nodes: NodeFact[];
  readonly racks: RackFact[];
  readonly namespaces: NamespaceFact[];
  readonly affinities: AffinityFact[];
}

const ofKind = (resources: readonly ResourceLike[], kind: string) => resources.filter((r) => r.type.endsWith(`:${kind}`));

export function topologyView(resources: readonly ResourceLike[]): TopologyView {
  return {
    nodes: ofKind(resources, "LocalNode")
      .filter((r) => r.props.spec)
      .map((r) => ({
        urn: r.urn,
        name: r.props.spec.name,
        role: r.props.spec.role,
        host: r.props.spec.host,
        ports: r.props.spec.ports ?? {},
        settings: r.props.spec.settings ?? {},
      })),
    racks: ofKind(resources, "BookieRack").map((r) => ({ urn: r.urn, bookie: r.props.bookie, group: r.props.group ?? "" })),
    namespaces: ofKind(resources, "Namespace").map((r) => ({
      urn: r.urn,
      namespace: r.props.namespace,
      cluster: r.props.cluster,
      persistence: r.props.persistence,
    })),
    affinities: ofKind(resources, "AffinityGroup").map((r) => ({
      urn: r.urn,
      namespace: r.props.namespace,
      primary: r.props.primary,
      secondary: r.props.secondary || undefined,
    })),
  };
}

export const bookieIdOf = (node: NodeFact) => `${node.host}:${node.ports.bookie}`;

/** group → bookie ids in it. */
export function groupsOf(view: TopologyView): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of view.racks) if (r.group) groups.set(r.group, [...(groups.get(r.group) ?? []), r.bookie].sort());
  return groups;
}

/** The ensemble size a namespace's ledgers get: its persistence policy, else its cluster's brokers' default. */
export function ensembleOf(view: TopologyView, namespace: string): number | undefined {
  const ns = view.namespaces.find((n) => n.namespace === namespace);
  if (ns?.persistence) return ns.persistence.ensembleSize;
  const broker = view.nodes.find((n) => n.role === "broker" && n.settings.clusterName === ns?.cluster);
  const size = Number(broker?.settings.managedLedgerDefaultEnsembleSize);
  return Number.isFinite(size) ? size : undefined;
}

export const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
