import * as pulumi from "../../lib/pulumi";
import { PersistencePolicy, PulsarAdmin, RetentionPolicy } from "../pulsar-admin";
import { quorumsInOrder } from "../../rules/isolation";
import { isNamespaceName } from "../../rules/names";
import { AdminProvider } from "./admin-provider";
import { changedKeys, diffOn, liveResult, readOrKeep, requireState } from "../../lib/dynamic-provider";
import { LoadedDynamicResource, providerLoadedFrom } from "../../lib/loaded-provider";

/** A namespace owned by one cluster, with its retention and persistence (ensemble and quorums). */
export interface NamespaceInputs {
  /** `tenant/namespace`. */
  readonly namespace: string;
  /** The owning cluster, the namespace's only replication cluster. */
  readonly cluster: string;
  /** Bundles at creation. Bundles split as load grows, so the live number is not compared. */
  readonly bundles: number;
  readonly retention?: RetentionPolicy;
  readonly persistence?: { ensembleSize: number; writeQuorum: number; ackQuorum: number };
  /** Admin URL of a broker of the owning cluster. */
  readonly adminUrl: string;
  /**
   * The ensemble and quorums the cluster's brokers give ledgers, as a stack over clusters someone
   * else runs declares them: for the policy pack, which has no broker to read them from. Not written.
   */
  readonly clusterDefaults?: { ensembleSize: number; writeQuorum: number; ackQuorum: number };
}

export interface NamespaceOutputs extends NamespaceInputs {
  /** Live number of bundles. */
  readonly liveBundles: number;
  /**
   * True when the namespace existed before the stack took it over: removing it from the stack
   * then releases it (the stack forgets it, Pulsar keeps it) instead of deleting it.
   */
  readonly adopted: boolean;
}

const COMPARED = ["namespace", "cluster", "retention", "persistence", "adminUrl"] as const;

const toPolicy = (p: NonNullable<NamespaceInputs["persistence"]>): PersistencePolicy => ({
  bookkeeperEnsemble: p.ensembleSize,
  bookkeeperWriteQuorum: p.writeQuorum,
  bookkeeperAckQuorum: p.ackQuorum,
  managedLedgerMaxMarkDeleteRate: 0,
});

export function checkNamespace(news: NamespaceInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (!isNamespaceName(news.namespace ?? "")) {
    failures.push({ property: "namespace", reason: `"${news.namespace}" is not tenant/namespace` });
  }
  if (!(Number.isInteger(news.bundles) && news.bundles >= 1)) failures.push({ property: "bundles", reason: `${news.bundles} is not a bundle count (1 or more)` });
  const order = quorumsInOrder({ bookies: [], clusters: [], namespaces: [{ name: news.namespace, cluster: news.cluster, persistence: news.persistence }] });
  return [...failures, ...order.map((v) => ({ property: "persistence", reason: v.message }))];
}

export class NamespaceProvider extends AdminProvider implements pulumi.dynamic.ResourceProvider<NamespaceInputs, NamespaceOutputs> {
  async check(olds: NamespaceInputs, news: NamespaceInputs): Promise<pulumi.dynamic.CheckResult<NamespaceInputs>> {
    const failures = checkNamespace(news);
    if (failures.length === 0 && Object.keys(olds ?? {}).length === 0) await this.describeAdoption(news);
    return { inputs: news, failures };
  }

  async diff(_id: string, olds: NamespaceOutputs, news: NamespaceInputs): Promise<pulumi.dynamic.DiffResult> {
    // A namespace of another name is another namespace; everything else is updated in place.
    return diffOn(olds, news, COMPARED, "namespace");
  }

  async create(inputs: NamespaceInputs): Promise<pulumi.dynamic.CreateResult<NamespaceOutputs>> {
    const admin = this.admin(inputs.adminUrl, inputs.cluster);
    const existing = await admin.getNamespace(inputs.namespace);
    if (!existing) {
      await admin.createNamespace(inputs.namespace, inputs.bundles, [inputs.cluster]);
    } else if (!existing.replication_clusters.includes(inputs.cluster)) {
      throw new Error(
        `${inputs.namespace} already exists on cluster(s) ${existing.replication_clusters.join(", ")}, not ${inputs.cluster}; not taking it over`,
      );
    }
    // A namespace that exists on its cluster is taken over as it is: only the settings the stack declares change.
    await this.applyPolicies(admin, inputs, existing ? await this.livePolicies(admin, inputs) : {});
    const liveBundles = existing?.bundles.numBundles ?? inputs.bundles;
    return { id: inputs.namespace, outs: { ...inputs, liveBundles, adopted: existing !== undefined } };
  }

  async read(id: string, state?: NamespaceOutputs): Promise<pulumi.dynamic.ReadResult<NamespaceOutputs>> {
    const props = requireState(state, "Namespace");
    return readOrKeep(`namespace ${props.namespace} at ${props.adminUrl}`, { id, props, inputs: props }, async () => {
      const admin = this.admin(props.adminUrl, props.cluster);
      const policies = await admin.getNamespace(props.namespace);
      if (!policies) return {}; // gone: the engine will plan to create it again
      const inputs: NamespaceInputs = {
        namespace: props.namespace,
        cluster: policies.replication_clusters.length === 1 ? policies.replication_clusters[0] : policies.replication_clusters.join(","),
        bundles: props.bundles,
        ...(await this.livePolicies(admin, props)),
        adminUrl: props.adminUrl,
      };
      return liveResult(id, { ...inputs, liveBundles: policies.bundles.numBundles, adopted: props.adopted ?? false }, inputs);
    });
  }

  async update(_id: string, olds: NamespaceOutputs, news: NamespaceInputs): Promise<pulumi.dynamic.UpdateResult<NamespaceOutputs>> {
    const admin = this.admin(news.adminUrl, news.cluster);
    if (olds.cluster !== news.cluster) await admin.setReplicationClusters(news.namespace, [news.cluster]);
    await this.applyPolicies(admin, news, olds);
    return { outs: { ...news, liveBundles: olds.liveBundles, adopted: olds.adopted ?? false } };
  }

  /**
   * Deletes a namespace the stack created; Pulsar refuses while it holds topics, so their data
   * never goes with it. A namespace the stack adopted is released: left in Pulsar as it is.
   */
  async delete(_id: string, props: NamespaceOutputs): Promise<void> {
    if (props.adopted) {
      await pulumi.log.info(`${props.namespace} existed before this stack adopted it, so it is released, not deleted: it stays on ${props.cluster} as it is`);
      return;
    }
    await this.admin(props.adminUrl, props.cluster).deleteNamespace(props.namespace);
  }

  /**
   * A namespace new to the stack that already exists is adopted by `up`: says so in the preview,
   * with its current policies and those the stack will set. Says nothing when the cluster cannot
   * be reached yet (its brokers are part of this plan).
   */
  private async describeAdoption(want: NamespaceInputs): Promise<void> {
    const admin = this.admin(want.adminUrl, want.cluster, { attempts: 1, timeoutMs: 3_000 });
    const existing = await admin.getNamespace(want.namespace).catch(() => undefined);
    if (!existing) return;
    const [retention, persistence] = await Promise.all([admin.getRetention(want.namespace), admin.getPersistence(want.namespace)]);
    const now = describePolicies(retention, persistence && { ensembleSize: persistence.bookkeeperEnsemble, writeQuorum: persistence.bookkeeperWriteQuorum, ackQuorum: persistence.bookkeeperAckQuorum });
    const declared = [want.retention, want.persistence].filter(Boolean);
    await pulumi.log.info(
      `${want.namespace} already exists on ${existing.replication_clusters.join(", ")} (${existing.bundles.numBundles} bundles; ${now}); ` +
        `it will be adopted as it is${declared.length ? `, the stack setting ${describePolicies(want.retention, want.persistence)}` : ", no setting changed"}` +
        `; removing it from the stack later releases it instead of deleting it`,
    );
  }

  /** The live retention and persistence, of those the stack declares: an undeclared setting is the operator's, not compared. */
  private async livePolicies(admin: PulsarAdmin, want: NamespaceInputs): Promise<Pick<NamespaceInputs, "retention" | "persistence">> {
    const [retention, persistence] = await Promise.all([
      want.retention ? admin.getRetention(want.namespace) : undefined,
      want.persistence ? admin.getPersistence(want.namespace) : undefined,
    ]);
    return {
      retention: retention && { retentionTimeInMinutes: retention.retentionTimeInMinutes, retentionSizeInMB: retention.retentionSizeInMB },
      persistence: persistence && { ensembleSize: persistence.bookkeeperEnsemble, writeQuorum: persistence.bookkeeperWriteQuorum, ackQuorum: persistence.bookkeeperAckQuorum },
    };
  }

  private async applyPolicies(admin: PulsarAdmin, want: NamespaceInputs, had: Partial<NamespaceInputs>): Promise<void> {
    const changed = new Set(changedKeys(had, want, ["retention", "persistence"] as const));
    if (changed.has("retention")) {
      await (want.retention ? admin.setRetention(want.namespace, want.retention) : admin.removeRetention(want.namespace));
    }
    if (changed.has("persistence")) {
      await (want.persistence ? admin.setPersistence(want.namespace, toPolicy(want.persistence)) : admin.removePersistence(want.namespace));
    }
  }
}

function describePolicies(retention: RetentionPolicy | undefined, persistence: NamespaceInputs["persistence"] | undefined): string {
  const parts = [
    retention ? `retention ${retention.retentionSizeInMB} MB / ${retention.retentionTimeInMinutes} min` : "",
    persistence ? `ensemble ${persistence.ensembleSize}, write quorum ${persistence.writeQuorum}, ack quorum ${persistence.ackQuorum}` : "",
  ].filter(Boolean);
  return parts.join(", ") || "the cluster's defaults";
}

export type NamespaceArgs = { [K in keyof NamespaceInputs]: pulumi.Input<NamespaceInputs[K]> };

/** One provider for every resource of the kind, loaded from this file in the engine's provider process. */
const namespaceProvider = providerLoadedFrom(__filename, NamespaceProvider);

export class Namespace extends LoadedDynamicResource {
  declare readonly namespace: pulumi.Output<string>;
  declare readonly cluster: pulumi.Output<string>;
  declare readonly liveBundles: pulumi.Output<number>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: NamespaceArgs, opts?: pulumi.CustomResourceOptions) {
    super(namespaceProvider, name, { liveBundles: undefined, adopted: undefined, ...args }, opts, "Namespace");
  }
}
