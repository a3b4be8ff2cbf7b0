import * as pulumi from "../../lib/pulumi";
import { PulsarAdmin } from "../pulsar-admin";
import { affinityGroupMissing, namespaceGroups } from "../../rules/isolation";
import { AdminProvider } from "./admin-provider";
import { changedKeys, diffOn, liveResult, readOrKeep, requireState } from "../../lib/dynamic-provider";
import { LoadedDynamicResource, providerLoadedFrom } from "../../lib/loaded-provider";

/**
 * A namespace's bookie affinity groups. The broker accepts any group name and reads the group
 * only when a topic's ledger configuration is built, so this resource checks that the groups
 * hold bookies before it sets them, and unloads the namespace after a change so that new
 * ledgers follow it. A change of the groups' members (a bookie added or removed) unloads it too.
 * Ledgers written before stay where they are.
 */
export interface AffinityGroupInputs {
  readonly namespace: string;
  readonly primary: string;
  readonly secondary?: string;
  /** Admin URL of a broker of the cluster that owns the namespace (affinity is a local policy). */
  readonly adminUrl: string;
  /** Groups the plan declares; a group outside this list is refused before any call. */
  readonly knownGroups: string[];
  /** Bookie ids of the primary and secondary groups, sorted: when they change, the namespace is unloaded. */
  readonly members: string[];
  /** Unload the namespace after a change of group or of the groups' members (default true). */
  readonly unloadOnChange?: boolean;
  /** The namespace existed before the stack adopted it: removing the groups from the stack leaves them set. */
  readonly adoptedNamespace?: boolean;
}

export type AffinityGroupOutputs = AffinityGroupInputs;

const COMPARED = ["namespace", "primary", "secondary", "adminUrl", "members", "unloadOnChange"] as const;

/** The groups must be ones the plan declares (rules/isolation.ts: affinity-group-exists). */
export function checkAffinity(news: AffinityGroupInputs): pulumi.dynamic.CheckFailure[] {
  const missing = namespaceGroups(news)
    .filter(({ group }) => !news.knownGroups.includes(group))
    .map(({ role, group }) => ({ property: role, reason: affinityGroupMissing(news.namespace, group, news.knownGroups.join(", ") || "none") }));
  return [...missing, ...(news.primary ? [] : [{ property: "primary", reason: `${news.namespace}: a primary affinity group is required` }])];
}

/** Refuses groups that hold no bookie in the cluster's live rack map. */
async function requireLiveGroups(admin: PulsarAdmin, want: AffinityGroupInputs): Promise<void> {
  const racks = await admin.racksInfo();
  const missing = [want.primary, want.secondary].filter((g): g is string => !!g && Object.keys(racks[g] ?? {}).length === 0);
  if (missing.length) {
    throw new Error(
      `${want.namespace}: affinity group ${missing.map((g) => `"${g}"`).join(", ")} holds no bookie in the rack map of ${admin.url} ` +
        `(groups there: ${Object.keys(racks).join(", ") || "none"}); not setting it`,
    );
  }
}

export class AffinityGroupProvider extends AdminProvider implements pulumi.dynamic.ResourceProvider<AffinityGroupInputs, AffinityGroupOutputs> {
  async check(_olds: AffinityGroupInputs, news: AffinityGroupInputs): Promise<pulumi.dynamic.CheckResult<AffinityGroupInputs>> {
    return { inputs: news, failures: checkAffinity(news) };
  }

  async diff(_id: string, olds: AffinityGroupOutputs, news: AffinityGroupInputs): Promise<pulumi.dynamic.DiffResult> {
    return diffOn(olds, news, COMPARED, "namespace");
  }

  async create(inputs: AffinityGroupInputs): Promise<pulumi.dynamic.CreateResult<AffinityGroupOutputs>> {
    // Groups already set as declared (a namespace adopted with them) are taken over without a write.
    const live = await this.admin(inputs.adminUrl).getBookieAffinityGroup(inputs.namespace);
    const same = live?.bookkeeperAffinityGroupPrimary === inputs.primary && (live?.bookkeeperAffinityGroupSecondary || undefined) === inputs.secondary;
    if (!same) await this.apply(inputs);
    return { id: inputs.namespace, outs: inputs };
  }

  async read(id: string, state?: AffinityGroupOutputs): Promise<pulumi.dynamic.ReadResult<AffinityGroupOutputs>> {
    const props = requireState(state, "AffinityGroup");
    return readOrKeep(`affinity groups of ${props.namespace} at ${props.adminUrl}`, { id, props, inputs: props }, async () => {
      const live = await this.admin(props.adminUrl).getBookieAffinityGroup(props.namespace);
      const inputs: AffinityGroupInputs = {
        ...props,
        primary: live?.bookkeeperAffinityGroupPrimary ?? "",
        secondary: live?.bookkeeperAffinityGroupSecondary || undefined,
      };
      return liveResult(id, inputs, inputs);
    });
  }

  async update(_id: string, olds: AffinityGroupOutputs, news: AffinityGroupInputs): Promise<pulumi.dynamic.UpdateResult<AffinityGroupOutputs>> {
    const changed = changedKeys(olds, news, COMPARED);
    if (changed.some((k) => k === "primary" || k === "secondary" || k === "adminUrl")) {
      await this.apply(news);
    } else if (changed.includes("members") && news.unloadOnChange !== false) {
      await this.admin(news.adminUrl).unloadNamespace(news.namespace);
    }
    return { outs: news };
  }

  async delete(_id: string, props: AffinityGroupOutputs): Promise<void> {
    if (props.adoptedNamespace) return; // released with its namespace, as it is
    const admin = this.admin(props.adminUrl);
    if (!(await admin.getNamespace(props.namespace))) return;
    await admin.deleteBookieAffinityGroup(props.namespace);
    if (props.unloadOnChange !== false) await admin.unloadNamespace(props.namespace);
  }

  private async apply(want: AffinityGroupInputs): Promise<void> {
    const admin = this.admin(want.adminUrl);
    await requireLiveGroups(admin, want);
    await admin.setBookieAffinityGroup(want.namespace, {
      bookkeeperAffinityGroupPrimary: want.primary,
      ...(want.secondary ? { bookkeeperAffinityGroupSecondary: want.secondary } : {}),
    });
    if (want.unloadOnChange !== false) await admin.unloadNamespace(want.namespace);
  }
}

export type AffinityGroupArgs = { [K in keyof AffinityGroupInputs]: pulumi.Input<AffinityGroupInputs[K]> };

/** One provider for every resource of the kind, loaded from this file in the engine's provider process. */
const affinityGroupProvider = providerLoadedFrom(__filename, AffinityGroupProvider);

export class AffinityGroup extends LoadedDynamicResource {
  declare readonly namespace: pulumi.Output<string>;
  declare readonly primary: pulumi.Output<string>;
  declare readonly secondary: pulumi.Output<string | undefined>;

  constructor(name: string, args: AffinityGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(affinityGroupProvider, name, { secondary: undefined, unloadOnChange: true, adoptedNamespace: false, ...args }, opts, "AffinityGroup");
  }
}
