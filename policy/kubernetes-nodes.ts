import type { NodeFact, ResourceLike } from "./plan-view";

/** The annotations and variable that runtime/kubernetes/object-spec.ts and the entry script give a node's StatefulSet. */
const KUBERNETES = {
  type: "kubernetes:apps/v1:StatefulSet",
  name: "pulsar-isolation/node",
  role: "pulsar-isolation/role",
  host: "pulsar-isolation/host",
  ports: "pulsar-isolation/ports",
  settings: "PULSAR_ISOLATION_SETTINGS",
};

/** A StatefulSet carries the node's facts in annotations, and its settings in the variable its pod's entry script writes them from. */
export function kubernetesNodeFacts(resources: readonly ResourceLike[]): NodeFact[] {
  return resources
    .filter((r) => r.type === KUBERNETES.type)
    .flatMap((r) => {
      const annotations: Record<string, string> = r.props.metadata?.annotations ?? {};
      const role = annotations[KUBERNETES.role];
      if (!role) return [];
      const container = r.props.spec?.template?.spec?.containers?.[0];
      const env: { name: string; value?: string }[] = container?.env ?? [];
      const lines = (env.find((e) => e.name === KUBERNETES.settings)?.value ?? "").split("\n").filter((line) => line.includes("="));
      return [{
        urn: r.urn,
        name: annotations[KUBERNETES.name] ?? r.name,
        role,
        host: annotations[KUBERNETES.host] ?? "",
        ports: JSON.parse(annotations[KUBERNETES.ports] ?? "{}"),
        settings: Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)])),
      }];
    });
}
