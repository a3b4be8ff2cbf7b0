import { HttpClient, HttpClientOptions } from "./http";
import { groupList } from "../rules/isolation";

/** Typed calls of a bookie's HTTP API (`httpServerPort`, `/api/v1`) that this project uses. */

/** A ledger as the bookie's metadata service describes it. */
export interface LedgerMetadata {
  readonly ledgerId: number;
  readonly state: string;
  /** Every ensemble of the ledger: the bookie ids each fragment was written to. */
  readonly ensembles: string[][];
  /** The managed ledger (`tenant/namespace/persistent/topic`) that owns it, when Pulsar wrote it for a topic (data or cursor). */
  readonly managedLedger?: string;
  /** The cursor (subscription) whose position it keeps, when it is a cursor ledger. */
  readonly cursor?: string;
  /** The schema (`tenant/namespace/topic`) it stores, when Pulsar wrote it for a schema. */
  readonly schema?: string;
  /** The topic (`persistent://tenant/namespace/topic`) it holds the compacted copy of. */
  readonly compactedTopic?: string;
  /** The topic whose delayed messages' index bucket it stores. */
  readonly delayedIndexTopic?: string;
  /** The affinity groups the broker stamped it with; absent when it was written without isolation. */
  readonly isolation?: LedgerIsolation;
}

/** Groups from a ledger's `EnsemblePlacementPolicyConfig`: where its copies, and any re-replicated copy, may go. */
export interface LedgerIsolation {
  readonly primary: string[];
  readonly secondary: string[];
}

interface RawLedgerMetadata {
  readonly ledgerId: number;
  readonly state: string;
  readonly allEnsembles?: Record<string, { id: string }[]>;
  /** Values are base64. */
  readonly customMetadata?: Record<string, string>;
}

const fromBase64 = (value: string | undefined) => (value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8"));

/** The custom metadata key under which Pulsar stamps a ledger's placement policy and groups (JSON). */
const PLACEMENT_POLICY_KEY = "EnsemblePlacementPolicyConfig";

/** Reads the groups of a ledger's placement-policy stamp: `{"policyClass": …, "properties": {"isolationBookieGroups": "g1", …}}`. */
export function ledgerIsolation(stamp: string | undefined): LedgerIsolation | undefined {
  if (!stamp) return undefined;
  try {
    const properties = (JSON.parse(stamp) as { properties?: Record<string, unknown> }).properties ?? {};
    const primary = groupList(properties.isolationBookieGroups);
    return primary.length ? { primary, secondary: groupList(properties.secondaryIsolationBookieGroups) } : undefined;
  } catch {
    return undefined;
  }
}

/** A ledger's metadata as the bookie's HTTP API decodes it; Pulsar's owner keys are Pulsar's LedgerMetadataUtils'. */
function ledgerMetadataOf(ledgerId: number, raw: RawLedgerMetadata): LedgerMetadata {
  const ensembles = Object.entries(raw.allEnsembles ?? {})
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, bookies]) => bookies.map((b) => b.id));
  const meta = raw.customMetadata ?? {};
  return {
    ledgerId,
    state: raw.state,
    ensembles,
    managedLedger: fromBase64(meta["pulsar/managed-ledger"]),
    cursor: fromBase64(meta["pulsar/cursor"]),
    schema: fromBase64(meta["pulsar/schemaId"]),
    compactedTopic: fromBase64(meta["pulsar/compactedTopic"]),
    delayedIndexTopic: fromBase64(meta["pulsar/delayedIndexTopic"]),
    isolation: ledgerIsolation(fromBase64(meta[PLACEMENT_POLICY_KEY])),
  };
}

/** Ledger metadata requests at once when the ledgers are read one by one. */
const LEDGERS_AT_ONCE = 32;

export class BookieAdmin {
  private readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new HttpClient(options);
  }

  get url(): string {
    return this.http.baseUrl;
  }

  /**
   * Has this bookie's autorecovery re-replicate every ledger of a stopped bookie. It answers at
   * once and works in the background; the ledgers' metadata tells when it is done.
   */
  async decommission(bookie: string): Promise<void> {
    await this.http.request("PUT", "/api/v1/autorecovery/decommission", { bookie_src: bookie });
  }

  async setReadOnly(readOnly: boolean): Promise<void> {
    await this.http.request("PUT", "/api/v1/bookie/state/readonly", { readOnly });
  }

  /**
   * How long (s) the auditor waits before it re-replicates the ledgers of a bookie that left: one
   * value for the whole BookKeeper cluster, kept in the metadata store.
   */
  async lostBookieRecoveryDelay(): Promise<number> {
    const answer = String(await this.http.request<string>("GET", "/api/v1/autorecovery/lost_bookie_recovery_delay"));
    const seconds = /lostBookieRecoveryDelay value:\s*(-?\d+)/.exec(answer);
    if (!seconds) throw new Error(`${this.url} answered the lost bookie recovery delay with ${JSON.stringify(answer.slice(0, 200))}`);
    return Number(seconds[1]);
  }

  /** The id of the bookie whose autorecovery is the BookKeeper cluster's auditor, as this bookie sees it. */
  async auditor(): Promise<string> {
    const answer = String(await this.http.request<string>("GET", "/api/v1/autorecovery/who_is_auditor"));
    const id = /Auditor:\s*(\S+)/.exec(answer);
    if (!id) throw new Error(`${this.url} answered who the auditor is with ${JSON.stringify(answer.slice(0, 200))}`);
    return id[1];
  }

  /** Waits until this bookie lists `bookie` (its own id) among the writable bookies. */
  async waitUntilWritable(bookie: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const writable = await this.listBookies("rw").catch(() => [] as string[]);
      if (writable.includes(bookie)) return;
      if (Date.now() >= deadline) throw new Error(`${bookie} did not register as a writable bookie within ${Math.round(timeoutMs / 1000)} s (asked ${this.url})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Bookie ids registered as writable (`rw`) or read-only (`ro`). */
  async listBookies(type: "rw" | "ro"): Promise<string[]> {
    return Object.keys((await this.http.request<Record<string, unknown>>("GET", `/api/v1/bookie/list_bookies?type=${type}`)) ?? {}).sort();
  }

  /**
   * Every ledger with its metadata: in one call, in which the bookie reads them from the metadata
   * store a hundred at a time. That call fails (500) when a ledger goes while it runs, as ledgers
   * do on a live cluster (rolled over, trimmed): then one call per ledger, skipping those gone.
   */
  async ledgers(): Promise<LedgerMetadata[]> {
    const all = await this.http
      .request<Record<string, RawLedgerMetadata>>("GET", "/api/v1/ledger/list/?print_metadata=true&decode_meta=true")
      .catch((err: { status?: number }) => (err.status === 500 ? undefined : Promise.reject(err)));
    if (all) return Object.entries(all).map(([id, raw]) => ledgerMetadataOf(Number(id), raw)).sort((a, b) => a.ledgerId - b.ledgerId);
    const ids = await this.ledgerIds();
    const found: LedgerMetadata[] = [];
    for (let i = 0; i < ids.length; i += LEDGERS_AT_ONCE) {
      const batch = await Promise.all(ids.slice(i, i + LEDGERS_AT_ONCE).map((id) => this.ledgerMetadata(id)));
      found.push(...batch.filter((l): l is LedgerMetadata => l !== undefined));
    }
    return found;
  }

  async ledgerIds(): Promise<number[]> {
    const ids = (await this.http.request<Record<string, unknown>>("GET", "/api/v1/ledger/list/")) ?? {};
    return Object.keys(ids).map(Number).sort((a, b) => a - b);
  }

  /** A ledger's metadata; undefined once the ledger is deleted. */
  async ledgerMetadata(ledgerId: number): Promise<LedgerMetadata | undefined> {
    const answer = await this.http.request<Record<string, RawLedgerMetadata>>("GET", `/api/v1/ledger/metadata/?ledger_id=${ledgerId}`, undefined, {
      notFoundOk: true,
    });
    const raw = answer?.[String(ledgerId)];
    return raw && ledgerMetadataOf(ledgerId, raw);
  }

  /** Ledgers with a fragment on the bookie. */
  async ledgersOn(bookieId: string): Promise<number[]> {
    return (await this.ledgers()).filter((l) => l.ensembles.some((e) => e.includes(bookieId))).map((l) => l.ledgerId);
  }

  /**
   * Ledgers the auditor has marked under-replicated, all of them or those missing a copy on one
   * bookie (the bookie answers 404 when there are none).
   */
  async underReplicatedLedgers(missingReplica?: string): Promise<number[]> {
    const filter = missingReplica ? `?missingreplica=${encodeURIComponent(missingReplica)}` : "";
    const answer = await this.http.request<unknown>("GET", `/api/v1/autorecovery/list_under_replicated_ledger${filter}`, undefined, { notFoundOk: true });
    if (Array.isArray(answer)) return answer.map(Number).sort((a, b) => a - b);
    if (answer && typeof answer === "object") return Object.keys(answer).map(Number).sort((a, b) => a - b);
    return [];
  }
}
