import { ResourceLike, topologyView } from "../topology-view";
import { Violation } from "./placement";

const order = (where: string, e: number, w: number, a: number): string | undefined =>
  e >= w && w >= a && a >= 1 ? undefined : `${where}: ensemble ${e} >= write quorum ${w} >= ack quorum ${a} >= 1 does not hold`;

/** Ensemble >= write quorum >= ack quorum >= 1, on every broker default and namespace policy. */
export function quorumsInOrder(resources: readonly ResourceLike[]): Violation[] {
  const view = topologyView(resources);
  const violation = (urn: string, message: string | undefined): Violation[] => (message ? [{ urn, message }] : []);
  return [
    ...view.nodes
      .filter((n) => n.role === "broker")
      .flatMap((n) =>
        violation(
          n.urn,
          order(
            `broker ${n.name}`,
            Number(n.settings.managedLedgerDefaultEnsembleSize),
            Number(n.settings.managedLedgerDefaultWriteQuorum),
            Number(n.settings.managedLedgerDefaultAckQuorum),
          ),
        ),
      ),
    ...view.namespaces.flatMap((n) =>
      n.persistence ? violation(n.urn, order(n.namespace, n.persistence.ensembleSize, n.persistence.writeQuorum, n.persistence.ackQuorum)) : [],
    ),
  ];
}
