import { z } from "zod";
import { NamespaceSchema, PersistenceSchema, nodeName, pulsarName } from "./schema";
import { TopologyDraft, checkTopology } from "./rules";

/**
 * `runtime: external`: clusters someone else runs (a Helm chart, an operator, VMs). The stack
 * starts no node; it keeps the isolation layer on them: every bookie's group and rack in every
 * copy of the rack map, tenants, namespaces and their affinity groups.
 */

const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;
const ADMIN_URLS = /^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/;

export const ExternalBookieSchema = z.object({
  name: nodeName("bookie"),
  /** The bookie's id in BookKeeper (`host:port`), as its ledgers' ensembles and the rack maps name it. */
  id: z.string().regex(HOST_PORT, "is not a bookie id (host:port, as `bookkeeper shell listbookies` prints it)"),
  /** Optional here only so that the isolation rules report a missing one with the policy pack's message. */
  group: nodeName("group").optional(),
  rack: nodeName("rack"),
  /** The hostname recorded with the rack (default: the id's host). */
  hostname: z.string().min(1).optional(),
  /** The bookie's HTTP API (httpServerPort) as this machine reaches it: where the ledger report reads every ledger's metadata. */
  httpUrl: z.string().regex(/^https?:\/\/[^\s,/]+$/, "is not a bookie's HTTP API URL (http://host:httpServerPort)").optional(),
});

export const ExternalClusterSchema = z.object({
  name: pulsarName("cluster"),
  /** The cluster's admin REST API as this machine reaches it; several brokers comma-separated. */
  adminUrl: z.string().regex(ADMIN_URLS, "is not an admin URL (http://host:port or https://host:port, several comma-separated)"),
  /**
   * The ensemble and quorums the cluster's brokers give new ledgers (managedLedgerDefault*): what
   * the isolation rules judge each group's size by. The stack does not change the brokers.
   */
  managedLedger: PersistenceSchema,
});

export const ExternalTopologySchema = z
  .object({
    runtime: z.literal("external"),
    /**
     * The configuration store (`host:port`, as this machine reaches it) whose `/bookies` the
     * bookies' autorecovery reads. Without it, only the clusters' own rack maps are kept.
     */
    configurationStore: z.object({ connect: z.string().regex(HOST_PORT, "is not host:port") }).optional(),
    bookies: z.array(ExternalBookieSchema).min(1, "at least one bookie is needed"),
    clusters: z.array(ExternalClusterSchema).min(1, "at least one cluster is needed"),
    namespaces: z.array(NamespaceSchema).default([]),
    unloadOnGroupChange: z.boolean({ error: "must be true or false" }).default(true),
  })
  // The topology's rules; those about nodes (ports, settings, placement) find none here.
  .superRefine((draft, ctx) => checkTopology(draft as TopologyDraft, ctx), { when: () => true })
  .superRefine(checkBookieIds, { when: () => true });

/** Two entries of one bookie id would be one bookie filed twice. */
function checkBookieIds(draft: { bookies?: unknown }, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  (Array.isArray(draft.bookies) ? draft.bookies : []).forEach((b: { id?: unknown }, i) => {
    if (typeof b?.id !== "string") return;
    const first = seen.get(b.id);
    if (first === undefined) seen.set(b.id, i);
    else ctx.addIssue({ code: "custom", path: ["bookies", i, "id"], message: `bookie id "${b.id}" is already used by bookies[${first}]` });
  });
}

export type ExternalBookieConfig = z.output<typeof ExternalBookieSchema> & { group: string };
export type ExternalClusterConfig = z.output<typeof ExternalClusterSchema>;
export type ExternalTopology = Omit<z.output<typeof ExternalTopologySchema>, "bookies"> & { bookies: ExternalBookieConfig[] };
