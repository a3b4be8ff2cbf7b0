import * as pulumi from "../../lib/pulumi";
import { changedKeys } from "../../lib/dynamic-provider";
import { BootstrapCommand } from "../bootstrap";
import { LocalPaths } from "./node-process";
import { runBootstrapCommand } from "./run-command";
import { LoadedDynamicResource, providerLoadedFrom } from "../../lib/loaded-provider";

/**
 * A one-time bootstrap command. It runs when the resource is created and never again: an
 * update, a refresh or a second `up` leaves existing metadata alone, and deleting does nothing.
 */
export interface BootstrapStepInputs {
  readonly command: BootstrapCommand;
  readonly paths: LocalPaths;
}

export interface BootstrapStepOutputs extends BootstrapStepInputs {
  /** False when the command found its work already done (metadata that existed before). */
  readonly changed: boolean;
}

export class BootstrapStepProvider implements pulumi.dynamic.ResourceProvider<BootstrapStepInputs, BootstrapStepOutputs> {
  async diff(_id: string, olds: BootstrapStepOutputs, news: BootstrapStepInputs): Promise<pulumi.dynamic.DiffResult> {
    // Recorded, never re-run: a changed command only updates what the state remembers.
    return { changes: changedKeys(olds, news, ["command", "paths"]).length > 0 };
  }

  async create(inputs: BootstrapStepInputs): Promise<pulumi.dynamic.CreateResult<BootstrapStepOutputs>> {
    const result = await runBootstrapCommand(inputs.command, inputs.paths);
    return { id: inputs.command.name, outs: { ...inputs, changed: result.changed } };
  }

  async update(_id: string, olds: BootstrapStepOutputs, news: BootstrapStepInputs): Promise<pulumi.dynamic.UpdateResult<BootstrapStepOutputs>> {
    return { outs: { ...news, changed: olds.changed } };
  }

  async delete(): Promise<void> {
    // Metadata outlives the command that created it.
  }
}

/** One provider for every resource of the kind, loaded from this file in the engine's provider process. */
const bootstrapStepProvider = providerLoadedFrom(__filename, BootstrapStepProvider);

export class BootstrapStep extends LoadedDynamicResource {
  declare readonly changed: pulumi.Output<boolean>;

  constructor(name: string, args: BootstrapStepInputs, opts?: pulumi.CustomResourceOptions) {
    super(bootstrapStepProvider, name, { ...args, changed: undefined }, opts, "BootstrapStep");
  }
}
