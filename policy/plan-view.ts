import { kubernetesNodeFacts } from "./kubernetes-nodes";
import { bookieIdOf } from "../rules/names";

/**
 * The facts the rules need, read from the resources our components register, whatever the
 * runtime: bookies and brokers (local processes' node specs, containers' labels and settings,
 * StatefulSets' annotations and settings), rack entries, namespaces and affinity groups.
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
  /** Its cluster's defaults as the plan declares them, when the plan runs none of the cluster's brokers. */
  readonly clusterDefaults?: { ensembleSize: number; writeQuorum: number; ackQuorum: number };
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

/** Our dynamic resources of a kind (`pulumi-nodejs:dynamic/pulsar-isolation:<kind>`): not, say, a Kubernetes Namespace. */
const ofKind = (resources: readonly ResourceLike[], kind: string) => resources.filter((r) => r.type.endsWith(`/pulsar-isolation:${kind}`));

/** A local process carries its node spec whole. */
function localNodeFacts(resources: readonly ResourceLike[]): NodeFact[] {
  return ofKind(resources, "LocalNode")
    .filter((r) => r.props.spec)
    .map((r) => ({
      urn: r.urn,
      name: r.props.spec.name,
      role: r.props.spec.role,
      host: r.props.spec.host,
      ports: r.props.spec.ports ?? {},
      settings: r.props.spec.settings ?? {},
    }));
}

/** The labels and variable that runtime/docker/container-spec.ts and entry-script.ts give a node's container. */
const DOCKER = {
  type: "docker:index/container:Container",
  name: "pulsar-isolation.node",
  role: "pulsar-isolation.role",
  host: "pulsar-isolation.host",
  ports: "pulsar-isolation.ports",
  settings: "PULSAR_ISOLATION_SETTINGS",
};

/** A container carries the node's facts in labels, and its settings in the variable its entry script writes them from. */
function dockerNodeFacts(resources: readonly ResourceLike[]): NodeFact[] {
  return resources
    .filter((r) => r.type === DOCKER.type)
    .flatMap((r) => {
      const labels = new Map<string, string>((r.props.labels ?? []).map((l: { label: string; value: string }) => [l.label, l.value]));
      const role = labels.get(DOCKER.role);
      if (!role || role === "bootstrap") return [];
      const env = (r.props.envs ?? []).find((e: string) => e.startsWith(`${DOCKER.settings}=`)) ?? "";
      const settings = env.slice(DOCKER.settings.length + 1).split("\n").filter((line: string) => line.includes("="));
      return [{
        urn: r.urn,
        name: labels.get(DOCKER.name) ?? r.name,
        role,
        host: labels.get(DOCKER.host) ?? "",
        ports: JSON.parse(labels.get(DOCKER.ports) ?? "{}"),
        settings: Object.fromEntries(settings.map((line: string) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)])),
      }];
    });
}

export function topologyView(resources: readonly ResourceLike[]): TopologyView {
  return {
    nodes: [...localNodeFacts(resources), ...dockerNodeFacts(resources), ...kubernetesNodeFacts(resources)],
    racks: ofKind(resources, "BookieRack").map((r) => ({ urn: r.urn, bookie: r.props.bookie, group: r.props.group ?? "" })),
    namespaces: ofKind(resources, "Namespace").map((r) => ({
      urn: r.urn,
      namespace: r.props.namespace,
      cluster: r.props.cluster,
      persistence: r.props.persistence,
      clusterDefaults: r.props.clusterDefaults,
    })),
    affinities: ofKind(resources, "AffinityGroup").map((r) => ({
      urn: r.urn,
      namespace: r.props.namespace,
      primary: r.props.primary,
      secondary: r.props.secondary || undefined,
    })),
  };
}

export const nodeBookieId = (node: NodeFact) => bookieIdOf(node.host, node.ports.bookie);
