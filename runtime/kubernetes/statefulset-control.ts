import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NodeActions } from "../node-control";

/**
 * How an operation outside the program (a bookie's decommission) stops and starts a node of the
 * kubernetes runtime: its StatefulSet is scaled to 0 and back to 1 with kubectl. It is data, so it
 * travels in resource state; the kubeconfig does not: it is read from the secret stack config key
 * named here when the provider is configured.
 */
export interface KubernetesControl {
  readonly kind: "kubernetes";
  readonly namespace: string;
  readonly statefulSet: string;
  /** The claims the node keeps its data on, deleted (their volumes with them) when its data is discarded. */
  readonly claims: readonly string[];
  /** The stack config key that holds the kubeconfig; unset or empty there: KUBECONFIG or ~/.kube/config. */
  readonly kubeconfigKey: string;
  readonly context?: string;
}

/** How long a pod may take to stop, and to be ready again. */
const STOPPED_WITHIN_S = 120;
const READY_WITHIN_S = 300;

type Kubectl = (...args: string[]) => Promise<string>;

/** Runs kubectl (from PATH, or KUBECTL) against the node's namespace, with a private copy of the kubeconfig if one is given. */
async function withKubectl<T>(control: KubernetesControl, kubeconfig: string | undefined, use: (kubectl: Kubectl) => Promise<T>): Promise<T> {
  const dir = kubeconfig ? await fs.mkdtemp(path.join(os.tmpdir(), "pulsar-isolation-kube-")) : undefined;
  try {
    const file = dir ? path.join(dir, "config") : undefined;
    if (file) await fs.writeFile(file, kubeconfig!, { mode: 0o600 });
    const base = [...(file ? ["--kubeconfig", file] : []), ...(control.context ? ["--context", control.context] : []), "--namespace", control.namespace];
    const kubectl: Kubectl = (...args) =>
      new Promise((resolve, reject) =>
        execFile(process.env.KUBECTL ?? "kubectl", [...base, ...args], { timeout: (READY_WITHIN_S + 60) * 1000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`kubectl ${args.join(" ")} failed: ${(stderr || err.message).trim()}`)) : resolve(stdout.trim()),
        ),
      );
    return await use(kubectl);
  } finally {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Waits for the pod's Ready condition; the pod itself may not exist yet when the wait begins. */
async function waitUntilReady(kubectl: Kubectl, pod: string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_S * 1000;
  for (;;) {
    const left = Math.max(1, Math.round((deadline - Date.now()) / 1000));
    try {
      await kubectl("wait", "--for=condition=Ready", pod, `--timeout=${left}s`);
      return;
    } catch (err) {
      if (!/not ?found/i.test((err as Error).message) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

export function statefulSetActions(control: KubernetesControl, kubeconfig: string | undefined): NodeActions {
  const set = `statefulset/${control.statefulSet}`;
  const pod = `pod/${control.statefulSet}-0`;
  const run = <T>(use: (kubectl: Kubectl) => Promise<T>) => withKubectl(control, kubeconfig || undefined, use);
  return {
    stop: () =>
      run(async (kubectl) => {
        await kubectl("scale", set, "--replicas=0");
        await kubectl("wait", "--for=delete", pod, `--timeout=${STOPPED_WITHIN_S}s`).catch((err: Error) => {
          if (!/not ?found/i.test(err.message)) throw err;
        });
      }),
    start: () =>
      run(async (kubectl) => {
        await kubectl("scale", set, "--replicas=1");
        // Not `rollout status`, which refuses a StatefulSet updated OnDelete (every bookie's).
        await waitUntilReady(kubectl, pod);
      }),
    discardData: () =>
      run(async (kubectl) => {
        if (control.claims.length) await kubectl("delete", "persistentvolumeclaim", ...control.claims, "--ignore-not-found", `--timeout=${STOPPED_WITHIN_S}s`);
      }),
  };
}
