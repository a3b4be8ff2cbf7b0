import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "../../lib/pulumi";
import { Topology, kubernetesImage } from "../../config";
import { KubernetesConfig } from "../../config/kubernetes";
import { NodeRunner } from "../runner";
import { keepsData } from "../container";
import { KubernetesOptions, bootstrapJob, dataClaimName, nodeObjects, podTemplateDigest } from "./object-spec";

/** The distribution's folder in the official image, and in the image the toolchain builds. */
export const IMAGE_PULSAR_HOME = "/pulsar";

/** How long `pulumi up` waits for a node's pod to be ready, or a bootstrap Job to finish. */
const READY_WITHIN = "10m";

export interface KubernetesRunnerArgs {
  readonly topology: Topology;
  /** The namespace of the stack's objects. */
  readonly namespace: string;
  /** The kubeconfig's content, a secret; undefined: the provider reads KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: pulumi.Output<string>;
}

export function kubernetesOptions(topology: Topology, namespace: string): KubernetesOptions {
  const k: KubernetesConfig = topology.kubernetes;
  return {
    namespace,
    image: kubernetesImage(topology),
    imagePullPolicy: k.imagePullPolicy,
    pulsarHome: IMAGE_PULSAR_HOME,
    ...(k.storageClass ? { storageClass: k.storageClass } : {}),
    volumeSize: k.volumeSize,
    jvmCompiler: k.jvmCompiler,
  };
}

/** The resources a registration waits for, whatever form the component gave them in. */
function dependencies(dependsOn: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (dependsOn === undefined) return [];
  return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}

/**
 * Nodes as Kubernetes objects with `@pulumi/kubernetes`: one provider (the stack's kubeconfig and
 * context) and one namespace; per node a headless Service, a NodePort Service for the ports the
 * machine running Pulumi reaches, and a StatefulSet whose readiness probe is the node spec's, so a
 * node is created once its pod is ready; per bootstrap command a Job, created once it has succeeded.
 * A bookie's StatefulSet is updated OnDelete: its membership restarts the pod, one bookie at a time.
 */
export function kubernetesRunner(args: KubernetesRunnerArgs): NodeRunner {
  const { topology } = args;
  const options = kubernetesOptions(topology, args.namespace);
  const provider = new k8s.Provider("kubernetes", {
    ...(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {}),
    ...(topology.kubernetes.context ? { context: topology.kubernetes.context } : {}),
  });
  const namespace = new k8s.core.v1.Namespace(
    "namespace",
    { metadata: { name: args.namespace, labels: { "app.kubernetes.io/managed-by": "pulsar-isolation" } } },
    { provider },
  );
  // Objects have fixed names: the old one goes before its replacement comes.
  const fixedName = { provider, deleteBeforeReplace: true };

  return {
    node(spec, opts) {
      const objects = nodeObjects(spec, options);
      const inComponent = { ...fixedName, parent: opts.parent, dependsOn: [namespace] };
      const services = [
        new k8s.core.v1.Service(`${spec.name}-service`, objects.service, inComponent),
        ...(objects.nodePorts ? [new k8s.core.v1.Service(`${spec.name}-nodeport`, objects.nodePorts, inComponent)] : []),
      ];
      return new k8s.apps.v1.StatefulSet(spec.name, objects.statefulSet, {
        ...opts,
        ...fixedName,
        // Its name resolves before its pod starts, so whatever waits for the node can reach it.
        dependsOn: [...dependencies(opts.dependsOn), namespace, ...services],
        customTimeouts: { create: READY_WITHIN, update: READY_WITHIN },
      });
    },
    control(spec) {
      return {
        kind: "kubernetes",
        namespace: args.namespace,
        statefulSet: spec.name,
        claims: keepsData(spec) ? [dataClaimName(spec.name)] : [],
        kubeconfigKey: topology.kubernetes.kubeconfigKey,
        ...(topology.kubernetes.context ? { context: topology.kubernetes.context } : {}),
      };
    },
    bookieRevision: (spec) => podTemplateDigest(spec, options),
    bootstrap(command, opts) {
      return new k8s.batch.v1.Job(command.name, bootstrapJob(command, options), {
        ...opts,
        ...fixedName,
        dependsOn: [...dependencies(opts.dependsOn), namespace],
        customTimeouts: { create: READY_WITHIN },
        // Run when created, never again: a changed command or image is recorded, not re-run.
        ignoreChanges: ["spec"],
      });
    },
  };
}
