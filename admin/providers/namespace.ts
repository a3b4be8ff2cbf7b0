import * as pulumi from "@pulumi/pulumi";
import { PersistencePolicy, PulsarAdmin, RetentionPolicy } from "../pulsar-admin";
import { quorumsInOrder } from "../../rules/isolation";
import { isNamespaceName } from "../../rules/names";
import { AdminProvider } from "./admin-provider";
import { changedKeys, diffOn, liveResult, readOrKeep, requireState } from "../../lib/dynamic-provider";

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
}

export interface NamespaceOutputs extends NamespaceInputs {
  /** Live number of bundles. */
  readonly liveBundles: number;
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
  async check(_olds: NamespaceInputs, news: NamespaceInputs): Promise<pulumi.dynamic.CheckResult<NamespaceInputs>> {
    return { inputs: news, failures: checkNamespace(news) };
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
    // A namespace that exists on its cluster (kept in a store that outlived a destroy) is taken over as it is.
    await this.applyPolicies(admin, inputs, {});
    return { id: inputs.namespace, outs: { ...inputs, liveBundles: inputs.bundles } };
  }

  async read(id: string, state?: NamespaceOutputs): Promise<pulumi.dynamic.ReadResult<NamespaceOutputs>> {
    const props = requireState(state, "Namespace");
    return readOrKeep(`namespace ${props.namespace} at ${props.adminUrl}`, { id, props, inputs: props }, async () => {
      const admin = this.admin(props.adminUrl, props.cluster);
      const policies = await admin.getNamespace(props.namespace);
      if (!policies) return {}; // gone: the engine will plan to create it again
      const [retention, persistence] = await Promise.all([admin.getRetention(props.namespace), admin.getPersistence(props.namespace)]);
      const inputs: NamespaceInputs = {
        namespace: props.namespace,
        cluster: policies.replication_clusters.length === 1 ? policies.replication_clusters[0] : policies.replication_clusters.join(","),
        bundles: props.bundles,
        retention: retention && { retentionTimeInMinutes: retention.retentionTimeInMinutes, retentionSizeInMB: retention.retentionSizeInMB },
        persistence: persistence && {
          ensembleSize: persistence.bookkeeperEnsemble,
          writeQuorum: persistence.bookkeeperWriteQuorum,
          ackQuorum: persistence.bookkeeperAckQuorum,
        },
        adminUrl: props.adminUrl,
      };
      return liveResult(id, { ...inputs, liveBundles: policies.bundles.numBundles }, inputs);
    });
  }

  async update(_id: string, olds: NamespaceOutputs, news: NamespaceInputs): Promise<pulumi.dynamic.UpdateResult<NamespaceOutputs>> {
    const admin = this.admin(news.adminUrl, news.cluster);
    if (olds.cluster !== news.cluster) await admin.setReplicationClusters(news.namespace, [news.cluster]);
    await this.applyPolicies(admin, news, olds);
    return { outs: { ...news, liveBundles: olds.liveBundles } };
  }

  /** Refuses to delete a namespace that still holds topics: their data would go with it. */
  async delete(_id: string, props: NamespaceOutputs): Promise<void> {
    await this.admin(props.adminUrl).deleteNamespace(props.namespace);
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

export type NamespaceArgs = { [K in keyof NamespaceInputs]: pulumi.Input<NamespaceInputs[K]> };

/** One provider for every resource of the kind: the engine serializes it once per run. */
const namespaceProvider = new NamespaceProvider();

export class Namespace extends pulumi.dynamic.Resource {
  declare readonly namespace: pulumi.Output<string>;
  declare readonly cluster: pulumi.Output<string>;
  declare readonly liveBundles: pulumi.Output<number>;

  constructor(name: string, args: NamespaceArgs, opts?: pulumi.CustomResourceOptions) {
    super(namespaceProvider, name, { liveBundles: undefined, ...args }, opts, "pulsar-isolation", "Namespace");
  }
}
