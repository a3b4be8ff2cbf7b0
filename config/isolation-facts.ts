import { BookieFacts, GroupSet, IsolationFacts, NamespaceFacts, Quorum, Subject, Verdict, checkIsolation, defaultGroupsOf } from "../rules/isolation";
import { bookieIdOf } from "../rules/names";
import { DEFAULT_HOST } from "./derived";

/**
 * The schema's side of the isolation rules: the facts of a stack config (read defensively: the
 * rules run even when fields failed their own checks, so that every problem shows at once) and
 * where in the config each verdict points.
 */

type Path = (string | number)[];

interface Draft {
  runtime?: unknown;
  host?: unknown;
  bookies?: unknown;
  clusters?: unknown;
  namespaces?: unknown;
}

const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null) : [];
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);
const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;

function quorum(value: unknown): Partial<Quorum> | undefined {
  const q = record(value);
  if (!q) return undefined;
  return { ensembleSize: num(q.ensembleSize), writeQuorum: num(q.writeQuorum), ackQuorum: num(q.ackQuorum) };
}

/** One group or a list of them, as `defaultAffinity` takes them. */
const groups = (value: unknown): string[] => (typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((g): g is string => typeof g === "string") : []);

/** The default groups a cluster declares (`defaultAffinity`), if it declares any. */
export function declaredDefaultGroups(cluster: { defaultAffinity?: unknown }): Partial<GroupSet> | undefined {
  const declared = record(cluster.defaultAffinity);
  return declared && { primary: groups(declared.primary), secondary: groups(declared.secondary) };
}

/** The isolation facts a stack config declares. */
export function configIsolationFacts(draft: Draft): IsolationFacts {
  const defaultHost = text(draft.host) ?? DEFAULT_HOST;
  const bookies = list(draft.bookies).flatMap((b): BookieFacts[] => {
    const name = text(b.name);
    if (name === undefined) return [];
    // An external bookie is declared by its id; a bookie the stack runs, by its address and port.
    const id = text(b.id) ?? bookieIdOf(text(b.host) ?? defaultHost, num(b.bookiePort) ?? "?");
    return [{ name, id, group: text(b.group) }];
  });
  const namespaces = list(draft.namespaces).flatMap((ns): NamespaceFacts[] => {
    const name = text(ns.name);
    const affinity = record(ns.affinity);
    if (name === undefined) return [];
    return [{
      name,
      cluster: text(ns.cluster) ?? "",
      primary: text(affinity?.primary),
      secondary: text(affinity?.secondary),
      persistence: quorum(ns.persistence),
    }];
  });
  // The stack sets the default groups only on brokers it runs.
  const runsBrokers = draft.runtime !== "external";
  const clusters = list(draft.clusters).flatMap((c) => {
    const name = text(c.name);
    if (name === undefined) return [];
    const defaultGroups = runsBrokers ? defaultGroupsOf(name, declaredDefaultGroups(c), namespaces, bookies) : undefined;
    return [{ name, defaults: quorum(c.managedLedger), ...(defaultGroups ? { defaultGroups } : {}) }];
  });
  return { bookies, clusters, namespaces };
}

/** The groups a cluster's brokers give ledgers made outside namespace placement (broker.conf's isolation groups). */
export function clusterDefaultGroups(
  topology: { namespaces: readonly { cluster: string; affinity: { primary: string; secondary?: string } }[]; bookies: readonly { name: string; group: string }[] },
  cluster: { name: string; defaultAffinity?: unknown },
): GroupSet {
  const namespaces = topology.namespaces.map((ns) => ({ cluster: ns.cluster, primary: ns.affinity.primary, secondary: ns.affinity.secondary }));
  const bookies = topology.bookies.map((b) => ({ name: b.name, id: b.name, group: b.group }));
  return defaultGroupsOf(cluster.name, declaredDefaultGroups(cluster), namespaces, bookies);
}

/** Where in the stack config a verdict points. */
export function subjectPath(draft: Draft, subject: Subject): Path {
  const indexOf = (entries: unknown) => list(entries).findIndex((e) => e.name === subject.name);
  switch (subject.kind) {
    case "bookie":
      return ["bookies", indexOf(draft.bookies), subject.field];
    case "cluster":
      return subject.field === "defaultAffinity"
        ? ["clusters", indexOf(draft.clusters), "defaultAffinity"]
        : ["clusters", indexOf(draft.clusters), "managedLedger", subject.field];
    case "namespace":
      return subject.field === "primary" || subject.field === "secondary"
        ? ["namespaces", indexOf(draft.namespaces), "affinity", subject.field]
        : ["namespaces", indexOf(draft.namespaces), "persistence", subject.field];
  }
}

/** The isolation rules' verdicts on a stack config, each with its path. */
export function isolationProblems(draft: Draft): { path: Path; message: string; verdict: Verdict }[] {
  return checkIsolation(configIsolationFacts(draft)).map((verdict) => ({ path: subjectPath(draft, verdict.subject), message: verdict.message, verdict }));
}
