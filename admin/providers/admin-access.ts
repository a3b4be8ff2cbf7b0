import * as pulumi from "../../lib/pulumi";
import { AdminProvider } from "./admin-provider";
import { isUnreachable } from "../../lib/dynamic-provider";
import { LoadedDynamicResource, providerLoadedFrom } from "../../lib/loaded-provider";

/**
 * The right to administer one cluster, checked before any admin resource of it is planned or
 * changed: every admin resource of a secured cluster depends on it. It reads the rack map (a
 * super-user call) with the configured token and CA. A missing or refused token (401), a role
 * that may not (403), a certificate the providers do not trust or that names another host stop
 * `preview` and `up` with one message that names the cluster, the URL and what to do, before any
 * write; a broker that does not answer stops its create or update.
 *
 * The check runs in `check`, against the advice to keep I/O out of it: `check` is the one step of
 * a preview whose failures the engine prints once, as they are; an error thrown from `diff` or
 * `read` is printed a second time, with a stack trace, by the SDK's dynamic provider host. It is
 * one GET per cluster and run, and it fails only on an answer about access: a cluster that does
 * not answer (not started yet on a first preview, or down) passes, and `create` says so.
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
  async check(_olds: AdminAccessInputs, news: AdminAccessInputs): Promise<pulumi.dynamic.CheckResult<AdminAccessInputs>> {
    // One quick attempt: a cluster that does not answer yet passes here.
    const problem = await this.probe(news, { attempts: 1, timeoutMs: 5_000 });
    return { inputs: news, failures: problem && !isUnreachable(problem) ? [{ property: "adminUrl", reason: problem.message }] : [] };
  }

  async diff(_id: string, olds: AdminAccessOutputs, news: AdminAccessInputs): Promise<pulumi.dynamic.DiffResult> {
    return { changes: olds.cluster !== news.cluster || olds.adminUrl !== news.adminUrl };
  }

  async create(inputs: AdminAccessInputs): Promise<pulumi.dynamic.CreateResult<AdminAccessOutputs>> {
    const problem = await this.probe(inputs);
    if (problem) throw problem;
    return { id: inputs.cluster, outs: inputs };
  }

  async update(_id: string, _olds: AdminAccessOutputs, news: AdminAccessInputs): Promise<pulumi.dynamic.UpdateResult<AdminAccessOutputs>> {
    const problem = await this.probe(news);
    if (problem) throw problem;
    return { outs: news };
  }

  async delete(): Promise<void> {
    // Checks only: nothing to remove.
  }

  /** The failure of a super-user read with the configured token and CA, or undefined when it succeeds. */
  private async probe(target: AdminAccessInputs, limits: { attempts?: number; timeoutMs?: number } = {}): Promise<Error | undefined> {
    try {
      await this.admin(target.adminUrl, target.cluster, limits).http.request("GET", PROBE);
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }
}

/** One provider for every resource of the kind, loaded from this file in the engine's provider process. */
const adminAccessProvider = providerLoadedFrom(__filename, AdminAccessProvider);

export type AdminAccessArgs = { [K in keyof AdminAccessInputs]: pulumi.Input<AdminAccessInputs[K]> };

export class AdminAccess extends LoadedDynamicResource {
  declare readonly cluster: pulumi.Output<string>;
  declare readonly adminUrl: pulumi.Output<string>;

  constructor(name: string, args: AdminAccessArgs, opts?: pulumi.CustomResourceOptions) {
    super(adminAccessProvider, name, args, opts, "AdminAccess");
  }
}
