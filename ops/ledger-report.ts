import { BookieAdmin } from "../admin/bookie-admin";
import { PulsarAdmin } from "../admin/pulsar-admin";
import { StackTopology, bookieHttpUrl, bookieId, clusterWebServiceUrl } from "../config";
import { GroupSet, brokerDefaultGroups, groupList } from "../rules/isolation";
import { LedgerAudit, NamespacePlacement, PlacementFacts, auditLedgers, ledgerOwner } from "./ledger-audit";

/**
 * `npm run ledgers`: reads every ledger from a bookie (one call), the rack maps and the brokers'
 * default groups from each cluster, and the clusters and groups of each namespace that owns a
 * ledger, then judges every ledger (./ledger-audit.ts).
 */

/** What the audit reads, and through which URLs. */
export interface AuditTarget {
  /** Bookies' HTTP APIs, tried in turn. */
  readonly bookieUrls: readonly string[];
  readonly clusters: readonly { readonly name: string; readonly adminUrl: string }[];
  /** The group the stack files each bookie in, for bookies no rack map lists yet. */
  readonly declaredGroups: Readonly<Record<string, string>>;
}

/** The token and CA a secured stack's brokers want (the stack's adminToken and adminCaFile). */
export interface AdminCredentials {
  readonly token?: string;
  readonly ca?: string;
}

/** How much the audit read: one bookie call lists every ledger (the bookie reads each ledger's metadata). */
export interface AuditReads {
  readonly ledgerMetadataReads: number;
  readonly bookieCalls: number;
  readonly adminCalls: number;
  readonly seconds: number;
}

export function auditTarget(topology: StackTopology): AuditTarget {
  if (topology.runtime === "external") {
    const bookieUrls = topology.bookies.flatMap((b) => (b.httpUrl ? [b.httpUrl] : []));
    if (bookieUrls.length === 0) {
      throw new Error("bookies[*].httpUrl = (missing): the ledger report reads the ledgers from a bookie's HTTP API; give at least one bookie its httpUrl (http://host:httpServerPort)");
    }
    return {
      bookieUrls,
      clusters: topology.clusters.map((c) => ({ name: c.name, adminUrl: c.adminUrl })),
      declaredGroups: Object.fromEntries(topology.bookies.map((b) => [b.id, b.group])),
    };
  }
  return {
    bookieUrls: topology.bookies.map((b) => bookieHttpUrl(topology, b)),
    clusters: topology.clusters.map((c) => ({ name: c.name, adminUrl: clusterWebServiceUrl(topology, c) })),
    declaredGroups: Object.fromEntries(topology.bookies.map((b) => [bookieId(topology, b), b.group])),
  };
}

const merged = (sets: readonly GroupSet[]): GroupSet => ({
  primary: [...new Set(sets.flatMap((s) => s.primary))],
  secondary: [...new Set(sets.flatMap((s) => s.secondary))],
});

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Admin requests at once per audit: the brokers answer them from their metadata caches. */
const ADMIN_REQUESTS_AT_ONCE = 16;

export async function liveLedgerAudit(target: AuditTarget, credentials: AdminCredentials = {}): Promise<{ audit: LedgerAudit; reads: AuditReads }> {
  const started = Date.now();
  let adminCalls = 0;
  const counted = <T>(call: Promise<T>): Promise<T> => {
    adminCalls++;
    return call;
  };
  const bookies = new BookieAdmin({ baseUrl: target.bookieUrls.join(",") });
  const admins = new Map(target.clusters.map((c) => [c.name, new PulsarAdmin({ baseUrl: c.adminUrl, token: credentials.token, ca: credentials.ca, cluster: c.name })]));
  // A cluster's brokers each run their own configuration: ask every one of them.
  const brokersOf = (cluster: { name: string; adminUrl: string }) =>
    cluster.adminUrl.split(",").map((url) => new PulsarAdmin({ baseUrl: url, token: credentials.token, ca: credentials.ca, cluster: cluster.name }));

  const [ledgers, underReplicated, rackMaps, defaults] = await Promise.all([
    bookies.ledgers(),
    bookies.underReplicatedLedgers(),
    Promise.all([...admins.values()].map((admin) => counted(admin.racksInfo()))),
    Promise.all(
      target.clusters.map(async (c) => {
        const configs = await Promise.all(brokersOf(c).map((broker) => counted(broker.brokerConfiguration())));
        return [c.name, merged(configs.map(brokerDefaultGroups))] as const;
      }),
    ),
  ]);

  const groupOfBookie: Record<string, string> = {};
  for (const racks of rackMaps) for (const [group, members] of Object.entries(racks)) for (const bookie of Object.keys(members)) groupOfBookie[bookie] ??= group;
  for (const [bookie, group] of Object.entries(target.declaredGroups)) groupOfBookie[bookie] ??= group;

  const owned = [...new Set(ledgers.flatMap((l) => ledgerOwner(l)?.namespace ?? []))];
  const anyCluster = [...admins.values()][0];
  const placements = await eachLimited(owned, ADMIN_REQUESTS_AT_ONCE, async (namespace): Promise<[string, NamespacePlacement | undefined]> => {
    const parts = namespace.split("/");
    // A broker's heartbeat namespace names its cluster; any other lists its clusters in the configuration store.
    const clusters = parts.length === 3 ? [parts[1]] : await counted(anyCluster.getReplicationClusters(namespace));
    if (!clusters) return [namespace, undefined];
    const known = clusters.filter((c) => admins.has(c));
    const otherClusters = clusters.filter((c) => !admins.has(c));
    const groups = await Promise.all(
      known.map(async (c) => {
        const affinity = await counted(admins.get(c)!.getBookieAffinityGroup(namespace));
        return [c, affinity && { primary: groupList(affinity.bookkeeperAffinityGroupPrimary), secondary: groupList(affinity.bookkeeperAffinityGroupSecondary) }] as const;
      }),
    );
    return [namespace, { clusters: known, ...(otherClusters.length ? { otherClusters } : {}), groups: Object.fromEntries(groups) }];
  });

  const facts: PlacementFacts = { groupOfBookie, clusterDefaults: Object.fromEntries(defaults), namespaces: Object.fromEntries(placements) };
  return {
    audit: auditLedgers(ledgers, underReplicated, facts),
    reads: { ledgerMetadataReads: ledgers.length, bookieCalls: 2, adminCalls, seconds: (Date.now() - started) / 1000 },
  };
}
