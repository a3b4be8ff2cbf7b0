import * as pulumi from "../lib/pulumi";
import { BookieAdmin } from "../admin/bookie-admin";
import { restartBookie } from "./bookie-restart";
import { changedKeys, requireState } from "../lib/dynamic-provider";
import { DecommissionSettings, DecommissionTarget, decommissionBookie, decommissionSettings } from "./decommission";
import { ConfigReader, NodeControl, nodeActions } from "./node-control";
import { LoadedDynamicResource, providerLoadedFrom } from "../lib/loaded-provider";

/**
 * A bookie's membership of the BookKeeper cluster, apart from the node that runs it, so that every
 * runtime leaves the cluster the same safe way. Created once the bookie is registered and
 * writable. Deleted before its node (it depends on the node, and the bookie's rack entries depend
 * on it): when the stack config no longer declares the bookie, the delete decommissions it; when
 * the config still declares it (`pulumi destroy`) or cannot be read, the bookie keeps its data.
 * Where the node's resource leaves restarts to it, an update restarts the bookie on a new revision.
 */
export interface BookieMembershipInputs extends DecommissionTarget {
  /** How the decommission stops the node, and starts it again when copying falls short. */
  readonly control: NodeControl;
  /**
   * Set when the node's resource does not restart the bookie on a change (the runner's
   * `bookieRevision`): a new revision restarts the bookie through its control, one bookie at a time.
   */
  readonly rollout?: BookieRollout;
}

export interface BookieRollout {
  /** A digest of what the bookie's node runs. */
  readonly revision: string;
  /** The bookies' own lost-bookie recovery delay (s), put back after the restart. */
  readonly recoveryDelay: number;
}

export type BookieMembershipOutputs = BookieMembershipInputs;

/** How long a new bookie may take to register as writable. */
const REGISTERED_WITHIN_MS = 180_000;

export class BookieMembershipProvider implements pulumi.dynamic.ResourceProvider<BookieMembershipInputs, BookieMembershipOutputs> {
  private settings: DecommissionSettings = { readable: false, why: "the provider was not configured" };
  /** The stack config, for the credentials a node's control needs (a kubeconfig): never in inputs or state. */
  private config: ConfigReader = () => undefined;

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.settings = decommissionSettings(req.config.get("topology"));
    this.config = (key) => req.config.get(key);
  }

  async diff(_id: string, olds: BookieMembershipOutputs, news: BookieMembershipInputs): Promise<pulumi.dynamic.DiffResult> {
    const changed = changedKeys(olds, news, ["name", "bookie", "httpUrl", "peerUrls", "metadataStore", "control", "rollout"]);
    // Another bookie id is another member: the old one leaves through its own delete.
    return { changes: changed.length > 0, replaces: changed.includes("bookie") ? ["bookie"] : [] };
  }

  async create(inputs: BookieMembershipInputs): Promise<pulumi.dynamic.CreateResult<BookieMembershipOutputs>> {
    await new BookieAdmin({ baseUrl: inputs.httpUrl, attempts: 1, timeoutMs: 5_000 }).waitUntilWritable(inputs.bookie, REGISTERED_WITHIN_MS);
    return { id: inputs.bookie, outs: inputs };
  }

  async read(id: string, state?: BookieMembershipOutputs): Promise<pulumi.dynamic.ReadResult<BookieMembershipOutputs>> {
    // Whether the bookie runs is its node's to report; membership changes only through this resource.
    const props = requireState(state, "BookieMembership");
    return { id, props, inputs: props };
  }

  async update(_id: string, olds: BookieMembershipOutputs, news: BookieMembershipInputs): Promise<pulumi.dynamic.UpdateResult<BookieMembershipOutputs>> {
    if (news.rollout && rolloutNeeded(olds.rollout, news.rollout)) {
      const node = nodeActions(news.control, this.config);
      await restartBookie({ ...news, recoveryDelay: news.rollout.recoveryDelay }, async () => {
        await node.stop();
        await node.start();
      });
    }
    return { outs: news };
  }

  async delete(_id: string, props: BookieMembershipOutputs): Promise<void> {
    const decision = decommissionDecision(this.settings, props.name);
    if (decision.decommission) {
      await decommissionBookie(props, nodeActions(props.control, this.config), decision.timeoutMs);
    } else if (decision.warning) {
      await pulumi.log.warn(decision.warning);
    }
  }
}

/** A bookie restarts when what its node runs changed; one that had no revision yet runs what it was created with. */
export const rolloutNeeded = (old: BookieRollout | undefined, now: BookieRollout): boolean => old !== undefined && old.revision !== now.revision;

export type DecommissionDecision = { decommission: true; timeoutMs: number } | { decommission: false; warning?: string };

/** Decommission only a bookie the readable stack config no longer declares; anything else keeps its data. */
export function decommissionDecision(settings: DecommissionSettings, bookieName: string): DecommissionDecision {
  if (!settings.readable) {
    return {
      decommission: false,
      warning:
        `${bookieName} is not decommissioned, because ${settings.why}: it is stopped with all its data. ` +
        `To take it out of the BookKeeper cluster, remove it from a readable stack config and run \`pulumi up\`.`,
    };
  }
  if (settings.declaredBookies.includes(bookieName)) return { decommission: false };
  return { decommission: true, timeoutMs: settings.timeoutMs };
}

export type BookieMembershipArgs = { [K in keyof BookieMembershipInputs]: pulumi.Input<BookieMembershipInputs[K]> };

/** One provider for every resource of the kind, loaded from this file in the engine's provider process. */
const bookieMembershipProvider = providerLoadedFrom(__filename, BookieMembershipProvider);

export class BookieMembership extends LoadedDynamicResource {
  declare readonly bookie: pulumi.Output<string>;

  constructor(name: string, args: BookieMembershipArgs, opts?: pulumi.CustomResourceOptions) {
    super(bookieMembershipProvider, name, args, opts, "BookieMembership");
  }
}
