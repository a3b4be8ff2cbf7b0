import * as pulumi from "../../lib/pulumi";
import { AdminProvider } from "./admin-provider";
import { changedKeys, diffOn, liveResult, readOrKeep, requireState } from "../../lib/dynamic-provider";
import { PULSAR_NAME } from "../../rules/names";
import { LoadedDynamicResource, providerLoadedFrom } from "../../lib/loaded-provider";

/** A tenant in the shared configuration store, allowed on the clusters whose namespaces it holds. */
export interface TenantInputs {
  readonly tenant: string;
  readonly allowedClusters: string[];
  readonly adminRoles: string[];
  /** Admin URL of any broker: tenants live in the configuration store that all clusters share. */
  readonly adminUrl: string;
}

export interface TenantOutputs extends TenantInputs {
  /**
   * True when the tenant existed before (as `public` does after cluster initialisation): it is
   * then never deleted, and the clusters and roles it already had stay; the stack only adds its own.
   */
  readonly adopted: boolean;
}

const COMPARED = ["tenant", "allowedClusters", "adminRoles", "adminUrl"] as const;
const sorted = (xs: string[]) => [...xs].sort();
const union = (a: string[], b: string[]) => sorted([...new Set([...a, ...b])]);
const covers = (live: string[], wanted: string[]) => wanted.every((x) => live.includes(x));

/** What an adopted tenant must hold: what it had, and what the stack asks for. */
const widened = (live: { allowedClusters: string[]; adminRoles: string[] }, want: TenantInputs) => ({
  allowedClusters: union(live.allowedClusters, want.allowedClusters),
  adminRoles: union(live.adminRoles, want.adminRoles),
});

export class TenantProvider extends AdminProvider implements pulumi.dynamic.ResourceProvider<TenantInputs, TenantOutputs> {
  async check(_olds: TenantInputs, news: TenantInputs): Promise<pulumi.dynamic.CheckResult<TenantInputs>> {
    const failures = PULSAR_NAME.test(news.tenant ?? "") ? [] : [{ property: "tenant", reason: `"${news.tenant}" is not a tenant name` }];
    return { inputs: { ...news, allowedClusters: sorted(news.allowedClusters ?? []), adminRoles: sorted(news.adminRoles ?? []) }, failures };
  }

  async diff(_id: string, olds: TenantOutputs, news: TenantInputs): Promise<pulumi.dynamic.DiffResult> {
    return diffOn(olds, news, COMPARED, "tenant");
  }

  async create(inputs: TenantInputs): Promise<pulumi.dynamic.CreateResult<TenantOutputs>> {
    const admin = this.admin(inputs.adminUrl);
    const existing = await admin.getTenant(inputs.tenant);
    if (existing) {
      const info = widened(existing, inputs);
      const had = { allowedClusters: sorted(existing.allowedClusters), adminRoles: sorted(existing.adminRoles) };
      if (changedKeys(had, info, ["allowedClusters", "adminRoles"]).length > 0) await admin.updateTenant(inputs.tenant, info);
    } else {
      await admin.createTenant(inputs.tenant, { allowedClusters: inputs.allowedClusters, adminRoles: inputs.adminRoles });
    }
    return { id: inputs.tenant, outs: { ...inputs, adopted: existing !== undefined } };
  }

  async read(id: string, state?: TenantOutputs): Promise<pulumi.dynamic.ReadResult<TenantOutputs>> {
    const props = requireState(state, "Tenant");
    return readOrKeep(`tenant ${props.tenant} at ${props.adminUrl}`, { id, props, inputs: props }, async () => {
      const live = await this.admin(props.adminUrl).getTenant(props.tenant);
      if (!live) return {};
      // An adopted tenant is as declared while it holds what the stack asks for, whatever else it holds.
      const asDeclared = (field: "allowedClusters" | "adminRoles") =>
        props.adopted && covers(live[field], props[field]) ? props[field] : sorted(live[field]);
      const inputs = { tenant: props.tenant, allowedClusters: asDeclared("allowedClusters"), adminRoles: asDeclared("adminRoles"), adminUrl: props.adminUrl };
      return liveResult(id, { ...inputs, adopted: props.adopted }, inputs);
    });
  }

  async update(_id: string, olds: TenantOutputs, news: TenantInputs): Promise<pulumi.dynamic.UpdateResult<TenantOutputs>> {
    const admin = this.admin(news.adminUrl);
    const live = olds.adopted ? await admin.getTenant(news.tenant) : undefined;
    await admin.updateTenant(news.tenant, live ? widened(live, news) : { allowedClusters: news.allowedClusters, adminRoles: news.adminRoles });
    return { outs: { ...news, adopted: olds.adopted } };
  }

  async delete(_id: string, props: TenantOutputs): Promise<void> {
    if (!props.adopted) await this.admin(props.adminUrl).deleteTenant(props.tenant);
  }
}

export type TenantArgs = { [K in keyof TenantInputs]: pulumi.Input<TenantInputs[K]> };

/** One provider for every resource of the kind, loaded from this file in the engine's provider process. */
const tenantProvider = providerLoadedFrom(__filename, TenantProvider);

export class Tenant extends LoadedDynamicResource {
  declare readonly tenant: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: TenantArgs, opts?: pulumi.CustomResourceOptions) {
    super(tenantProvider, name, { adopted: undefined, ...args }, opts, "Tenant");
  }
}
