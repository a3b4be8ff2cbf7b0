import * as pulumi from "@pulumi/pulumi";
import { AdminProvider } from "./admin-provider";
import { isUnreachable, requireState } from "../../lib/dynamic-provider";

/**
 * The right to administer one cluster, checked before any admin resource of it is planned or
 * changed: every admin resource of a secured cluster depends on it. It reads the rack map (a
 * super-user call) with the configured token and CA: on `preview` (in `diff`), on `refresh` and
 * on `up`. A missing or refused token (401), a role that may not (403), a certificate the
 * providers do not trust or that names another host stop the run with one message that names
 * the cluster, the URL and what to do, before any write. A broker that does not answer stops a
 * create; on `preview` and `refresh` it is a warning, as for every other admin resource.
 */
export interface AdminAccessInputs {
  readonly cluster: string;
  /** Admin URL(s) of the cluster's brokers, comma-separated. */
  readonly adminUrl: string;
}

export type AdminAccessOutputs = AdminAccessInputs;

/** A super-user read that every broker serves. */
const PROBE = "/admin/v2/bookies/racks-info";

export class AdminAccessProvider extends AdminProvider implements pulumi.dynamic.ResourceProvider<AdminAccessInputs, AdminAccessOutputs> {
  async diff(_id: string, olds: AdminAccessOutputs, news: AdminAccessInputs): Promise<pulumi.dynamic.DiffResult> {
    await this.probe(news, { unreachableOk: true });
    return { changes: olds.cluster !== news.cluster || olds.adminUrl !== news.adminUrl };
  }

  async create(inputs: AdminAccessInputs): Promise<pulumi.dynamic.CreateResult<AdminAccessOutputs>> {
    await this.probe(inputs, { unreachableOk: false });
    return { id: inputs.cluster, outs: inputs };
  }

  async read(id: string, state?: AdminAccessOutputs): Promise<pulumi.dynamic.ReadResult<AdminAccessOutputs>> {
    const props = requireState(state, "AdminAccess");
    await this.probe(props, { unreachableOk: true });
    return { id, props, inputs: props };
  }

  async update(_id: string, _olds: AdminAccessOutputs, news: AdminAccessInputs): Promise<pulumi.dynamic.UpdateResult<AdminAccessOutputs>> {
    await this.probe(news, { unreachableOk: false });
    return { outs: news };
  }

  async delete(): Promise<void> {
    // Checks only: nothing to remove.
  }

  private async probe(target: AdminAccessInputs, { unreachableOk }: { unreachableOk: boolean }): Promise<void> {
    try {
      await this.admin(target.adminUrl, target.cluster).http.request("GET", PROBE);
    } catch (err) {
      if (!(unreachableOk && isUnreachable(err))) throw err;
      await pulumi.log.warn(`the admin access to cluster ${target.cluster} could not be checked: ${(err as Error).message}`);
    }
  }
}

/** One provider for every resource of the kind: the engine serializes it once per run. */
const adminAccessProvider = new AdminAccessProvider();

export type AdminAccessArgs = { [K in keyof AdminAccessInputs]: pulumi.Input<AdminAccessInputs[K]> };

export class AdminAccess extends pulumi.dynamic.Resource {
  declare readonly cluster: pulumi.Output<string>;
  declare readonly adminUrl: pulumi.Output<string>;

  constructor(name: string, args: AdminAccessArgs, opts?: pulumi.CustomResourceOptions) {
    super(adminAccessProvider, name, args, opts, "pulsar-isolation", "AdminAccess");
  }
}
