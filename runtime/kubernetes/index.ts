import * as pulumi from "../../lib/pulumi";
import { Topology } from "../../config";
import { kubernetesNamespace } from "../../config/kubernetes";
import { NodeRunner } from "../runner";
import { kubernetesRunner } from "./kubernetes-runner";

export * from "./object-spec";
export * from "./kubernetes-runner";

/** The stack's kubernetes runner; the kubeconfig comes from the secret stack config, never from the topology. */
export function kubernetesStackRunner(topology: Topology, stack: string, config = new pulumi.Config()): NodeRunner {
  const kubeconfig = config.getSecret(topology.kubernetes.kubeconfigKey);
  return kubernetesRunner({ topology, namespace: kubernetesNamespace(topology.kubernetes, stack), ...(kubeconfig ? { kubeconfig } : {}) });
}
