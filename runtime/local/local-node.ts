import * as pulumi from "../../lib/pulumi";
import { changedKeys, liveResult, requireState } from "../../lib/dynamic-provider";
import { NodeSpec } from "../node-spec";
import { RestartedBookie, restartBookie } from "../bookie-restart";
import { restartBroker } from "../broker-restart";
import { configuredRecoveryDelay } from "../recovery-deferral";
import { LocalPaths, nodeStatus, startNode, stopNode } from "./node-process";
import { bookieIdOf } from "../../rules/names";
import { LoadedDynamicResource, providerLoadedFrom } from "../../lib/loaded-provider";

/**
 * A node of the topology as a local process. Created means started and ready; `read` reports a
 * dead process as `state: "stopped"`, so `pulumi refresh` shows it and `pulumi up` starts it
 * again. A change of the node's spec restarts that node only (bookies one at a time, brokers one at a time). Deleting stops the process and
 * keeps its data folder (a removed bookie's BookieMembership has decommissioned it before).
 */
export interface LocalNodeInputs {
  readonly spec: NodeSpec;
  readonly paths: LocalPaths;
  /** Always "running" in the plan; "stopped" when read finds the process dead. */
  readonly state: "running" | "stopped";
}

export interface LocalNodeOutputs extends LocalNodeInputs {
  readonly pid: number;
}

export class LocalNodeProvider implements pulumi.dynamic.ResourceProvider<LocalNodeInputs, LocalNodeOutputs> {
  async diff(_id: string, olds: LocalNodeOutputs, news: LocalNodeInputs): Promise<pulumi.dynamic.DiffResult> {
    const changed = changedKeys(olds, news, ["spec", "paths", "state"]);
    // A node of another name is another node (another folder): replace it, the old one stops first.
    const renamed = olds.spec.name !== news.spec.name;
    return { changes: changed.length > 0, replaces: renamed ? ["spec"] : [], deleteBeforeReplace: renamed };
  }

  async create(inputs: LocalNodeInputs): Promise<pulumi.dynamic.CreateResult<LocalNodeOutputs>> {
    const pid = await startNode(inputs.spec, inputs.paths);
    return { id: inputs.spec.name, outs: { ...inputs, state: "running", pid } };
  }

  async read(id: string, last?: LocalNodeOutputs): Promise<pulumi.dynamic.ReadResult<LocalNodeOutputs>> {
    const { spec, paths } = requireState(last, "LocalNode");
    const status = await nodeStatus(paths, spec.name);
    const inputs: LocalNodeInputs = { spec, paths, state: status.running ? "running" : "stopped" };
    return liveResult(id, { ...inputs, pid: status.pid ?? 0 }, inputs);
  }

  async update(_id: string, olds: LocalNodeOutputs, news: LocalNodeInputs): Promise<pulumi.dynamic.UpdateResult<LocalNodeOutputs>> {
    if (changedKeys(olds, news, ["spec", "paths"]).length === 0) {
      return { outs: { ...news, state: "running", pid: await startNode(news.spec, news.paths) } };
    }
    const restart = async () => {
      await stopNode(olds.spec, olds.paths);
      return startNode(news.spec, news.paths);
    };
    const pid =
      news.spec.role === "bookie"
        ? await restartBookie(restartedBookie(news.spec), restart)
        : news.spec.role === "broker"
          ? await restartBroker(String(news.spec.settings.configurationMetadataStoreUrl), restart)
          : await restart();
    return { outs: { ...news, state: "running", pid } };
  }

  async delete(_id: string, props: LocalNodeOutputs): Promise<void> {
    await stopNode(props.spec, props.paths);
  }
}

/** A local bookie as `restartBookie` reaches it: its own host and ports, the metadata store its settings name. */
const restartedBookie = (spec: NodeSpec): RestartedBookie => ({
  bookie: bookieIdOf(spec.host, spec.ports.bookie),
  httpUrl: `http://${spec.host}:${spec.ports.http}`,
  metadataStore: String(spec.settings.zkServers),
  recoveryDelay: configuredRecoveryDelay(spec.settings),
});

/** One provider for every resource of the kind, loaded from this file in the engine's provider process. */
const localNodeProvider = providerLoadedFrom(__filename, LocalNodeProvider);

export class LocalNode extends LoadedDynamicResource {
  declare readonly pid: pulumi.Output<number>;
  declare readonly state: pulumi.Output<string>;

  constructor(name: string, args: { spec: NodeSpec; paths: LocalPaths }, opts?: pulumi.CustomResourceOptions) {
    super(localNodeProvider, name, { ...args, state: "running", pid: undefined }, opts, "LocalNode");
  }
}
