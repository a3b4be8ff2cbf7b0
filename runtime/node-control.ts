import { execFile } from "node:child_process";
import { NodeSpec } from "./node-spec";
import { LocalPaths, removeNodeFiles, startNode, stopNode } from "./local/node-process";
import { KubernetesControl, statefulSetActions } from "./kubernetes/statefulset-control";

/**
 * How an operation that outlives the program (a bookie's decommission) stops and starts one node,
 * whatever runs it. It is data, so it travels in resource state; `nodeActions` turns it into calls.
 */
export type NodeControl =
  /** A process of the Pulsar distribution on this machine. */
  | { readonly kind: "local"; readonly spec: NodeSpec; readonly paths: LocalPaths }
  /** A container on a Docker engine (DOCKER_HOST form; absent for this machine's engine). */
  | { readonly kind: "docker"; readonly container: string; readonly dockerHost?: string }
  /** A StatefulSet of one pod in a Kubernetes cluster. */
  | KubernetesControl;

/** Reads a stack config value (a secret such as a kubeconfig) when the provider is configured; never from state. */
export type ConfigReader = (key: string) => string | undefined;

export interface NodeActions {
  /** Stops the node and waits until it is gone. Its data stays. */
  stop(): Promise<void>;
  /** Starts the node again on its data and waits until it serves. */
  start(): Promise<void>;
  /** Removes the node's data, once nothing needs it. */
  discardData(): Promise<void>;
}

export function nodeActions(control: NodeControl, config: ConfigReader = () => undefined): NodeActions {
  switch (control.kind) {
    case "local":
      return {
        stop: () => stopNode(control.spec, control.paths),
        start: async () => void (await startNode(control.spec, control.paths)),
        discardData: () => removeNodeFiles(control.paths, control.spec.name),
      };
    case "docker": {
      const docker = (...args: string[]) => runDocker(args, control.dockerHost);
      return {
        stop: async () => void (await docker("stop", "--time", "30", control.container)),
        start: async () => {
          await docker("start", control.container);
          await waitHealthy(control.container, control.dockerHost);
        },
        // The container's volume is kept, as for every node of the docker runtime (retainOnDelete).
        discardData: async () => undefined,
      };
    }
    case "kubernetes":
      return statefulSetActions(control, config(control.kubeconfigKey));
  }
}

function runDocker(args: string[], dockerHost: string | undefined): Promise<string> {
  const env = dockerHost ? { ...process.env, DOCKER_HOST: dockerHost } : process.env;
  return new Promise((resolve, reject) =>
    execFile("docker", args, { env, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`docker ${args.join(" ")} failed: ${(stderr || err.message).trim()}`)) : resolve(stdout.trim()),
    ),
  );
}

async function waitHealthy(container: string, dockerHost: string | undefined, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await runDocker(["inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}", container], dockerHost);
    if (status === "healthy" || status === "running") return;
    if (Date.now() >= deadline) throw new Error(`${container} is ${status}, not healthy, after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
