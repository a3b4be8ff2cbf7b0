import { HttpClient, HttpClientOptions } from "./http";

/** Typed calls of the broker's REST admin API (`/admin/v2`) that this project uses. */

export interface BookieRackInfo {
  readonly group: string;
  readonly rack: string;
  readonly hostname: string;
}

/** `GET /bookies/racks-info`: group → bookie id → placement. */
export type RacksInfo = Record<string, Record<string, { rack?: string; hostname?: string }>>;

export interface TenantInfo {
  readonly adminRoles: string[];
  readonly allowedClusters: string[];
}

export interface RetentionPolicy {
  readonly retentionTimeInMinutes: number;
  readonly retentionSizeInMB: number;
}

export interface PersistencePolicy {
  readonly bookkeeperEnsemble: number;
  readonly bookkeeperWriteQuorum: number;
  readonly bookkeeperAckQuorum: number;
  readonly managedLedgerMaxMarkDeleteRate: number;
}

export interface NamespacePolicies {
  readonly replication_clusters: string[];
  readonly bundles: { numBundles: number; boundaries: string[] };
  readonly deleted?: boolean;
}

export interface BookieAffinityGroup {
  readonly bookkeeperAffinityGroupPrimary: string;
  readonly bookkeeperAffinityGroupSecondary?: string;
}

export interface LedgerInfo {
  readonly ledgerId: number;
  readonly entries: number;
  readonly size: number;
  readonly metadata?: string;
}

export interface TopicInternalStats {
  readonly entriesAddedCounter: number;
  readonly numberOfEntries: number;
  readonly currentLedgerEntries: number;
  readonly ledgers: LedgerInfo[];
}

const enc = encodeURIComponent;
/** `tenant/namespace`, or a cluster's own `tenant/cluster/namespace` (the brokers' heartbeat namespaces), through the API of its version. */
const nsPath = (namespace: string) => {
  const parts = namespace.split("/");
  return parts.length === 3 ? `/admin/namespaces/${parts.map(enc).join("/")}` : `/admin/v2/namespaces/${enc(parts[0])}/${enc(parts[1])}`;
};
const topicPath = (topic: string) => {
  const [tenant, ns, name] = topic.replace(/^persistent:\/\//, "").split("/");
  return `/admin/v2/persistent/${enc(tenant)}/${enc(ns)}/${enc(name)}`;
};

export class PulsarAdmin {
  readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new HttpClient(options);
  }

  get url(): string {
    return this.http.baseUrl;
  }

  // Bookies and racks. The rack map lives in each Pulsar cluster's local metadata store.

  async listBookies(): Promise<string[]> {
    const res = await this.http.request<{ bookies: { bookieId: string }[] }>("GET", "/admin/v2/bookies/all");
    return (res?.bookies ?? []).map((b) => b.bookieId).sort();
  }

  async racksInfo(): Promise<RacksInfo> {
    return (await this.http.request<RacksInfo>("GET", "/admin/v2/bookies/racks-info")) ?? {};
  }

  async setBookieRack(bookie: string, info: BookieRackInfo): Promise<void> {
    await this.http.request("POST", `/admin/v2/bookies/racks-info/${enc(bookie)}?group=${enc(info.group)}`, {
      rack: info.rack,
      hostname: info.hostname,
    });
  }

  async deleteBookieRack(bookie: string): Promise<void> {
    await this.http.request("DELETE", `/admin/v2/bookies/racks-info/${enc(bookie)}`, undefined, { notFoundOk: true });
  }

  // Tenants, in the shared configuration store.

  async getTenant(name: string): Promise<TenantInfo | undefined> {
    return this.http.request<TenantInfo>("GET", `/admin/v2/tenants/${enc(name)}`, undefined, { notFoundOk: true });
  }

  async createTenant(name: string, info: TenantInfo): Promise<void> {
    await this.http.request("PUT", `/admin/v2/tenants/${enc(name)}`, info);
  }

  async updateTenant(name: string, info: TenantInfo): Promise<void> {
    await this.http.request("POST", `/admin/v2/tenants/${enc(name)}`, info);
  }

  async deleteTenant(name: string): Promise<void> {
    await this.http.request("DELETE", `/admin/v2/tenants/${enc(name)}`, undefined, { notFoundOk: true });
  }

  // Namespaces.

  async getNamespace(namespace: string): Promise<NamespacePolicies | undefined> {
    return this.http.request<NamespacePolicies>("GET", nsPath(namespace), undefined, { notFoundOk: true });
  }

  async createNamespace(namespace: string, bundles: number, clusters: string[]): Promise<void> {
    await this.http.request("PUT", nsPath(namespace), { bundles: { numBundles: bundles }, replication_clusters: clusters });
  }

  async deleteNamespace(namespace: string, force = false): Promise<void> {
    await this.http.request("DELETE", `${nsPath(namespace)}${force ? "?force=true" : ""}`, undefined, { notFoundOk: true });
  }

  /** The clusters the namespace lives in, from the shared configuration store; undefined when it does not exist. */
  async getReplicationClusters(namespace: string): Promise<string[] | undefined> {
    return this.http.request<string[]>("GET", `${nsPath(namespace)}/replication`, undefined, { notFoundOk: true });
  }

  async setReplicationClusters(namespace: string, clusters: string[]): Promise<void> {
    await this.http.request("POST", `${nsPath(namespace)}/replication`, clusters);
  }

  async getRetention(namespace: string): Promise<RetentionPolicy | undefined> {
    return (await this.http.request<RetentionPolicy>("GET", `${nsPath(namespace)}/retention`)) || undefined;
  }

  async setRetention(namespace: string, policy: RetentionPolicy): Promise<void> {
    await this.http.request("POST", `${nsPath(namespace)}/retention`, policy);
  }

  async removeRetention(namespace: string): Promise<void> {
    await this.http.request("DELETE", `${nsPath(namespace)}/retention`, undefined, { notFoundOk: true });
  }

  async getPersistence(namespace: string): Promise<PersistencePolicy | undefined> {
    return (await this.http.request<PersistencePolicy>("GET", `${nsPath(namespace)}/persistence`)) || undefined;
  }

  async setPersistence(namespace: string, policy: PersistencePolicy): Promise<void> {
    await this.http.request("POST", `${nsPath(namespace)}/persistence`, policy);
  }

  async removePersistence(namespace: string): Promise<void> {
    await this.http.request("DELETE", `${nsPath(namespace)}/persistence`, undefined, { notFoundOk: true });
  }

  /** The namespace's affinity groups, kept in the owning cluster's local policies. */
  async getBookieAffinityGroup(namespace: string): Promise<BookieAffinityGroup | undefined> {
    const res = await this.http.request<BookieAffinityGroup>("GET", `${nsPath(namespace)}/persistence/bookieAffinity`, undefined, {
      notFoundOk: true,
    });
    return res?.bookkeeperAffinityGroupPrimary ? res : undefined;
  }

  async setBookieAffinityGroup(namespace: string, group: BookieAffinityGroup): Promise<void> {
    await this.http.request("POST", `${nsPath(namespace)}/persistence/bookieAffinity`, group);
  }

  async deleteBookieAffinityGroup(namespace: string): Promise<void> {
    await this.http.request("DELETE", `${nsPath(namespace)}/persistence/bookieAffinity`, undefined, { notFoundOk: true });
  }

  /** Closes the namespace's topics so they reopen with the current policies (affinity among them). */
  async unloadNamespace(namespace: string): Promise<void> {
    await this.http.request("PUT", `${nsPath(namespace)}/unload`);
  }

  // Brokers.

  /** The broker's configuration as it runs (broker.conf and dynamic settings), every value a string. */
  async brokerConfiguration(): Promise<Record<string, string>> {
    return (await this.http.request<Record<string, string>>("GET", "/admin/v2/brokers/configuration/runtime")) ?? {};
  }

  // Topics.

  async internalStats(topic: string): Promise<TopicInternalStats> {
    return (await this.http.request<TopicInternalStats>("GET", `${topicPath(topic)}/internalStats?metadata=true`))!;
  }
}
