import { createHash } from "node:crypto";
import type { types } from "@pulumi/kubernetes";
import { EXPOSED_PORTS } from "../../config/kubernetes";
import { BootstrapCommand } from "../bootstrap";
import { ContainerOptions, bootstrapProcess, dataPath, keepsData, nodeProcess } from "../container";
import { NodeSpec } from "../node-spec";

/**
 * A node of the topology as Kubernetes objects, as plain data: what the Pulumi runner registers.
 * Rendered from the same NodeSpec the local runtime runs, with the same container process as the
 * docker runtime. Each node is a StatefulSet of one pod, so that a pod that is replaced gets the
 * same volume back (a bookie keeps its cookie and ledgers, hence its identity), found by the others
 * under a headless Service named after the address it advertises.
 */
export interface KubernetesOptions extends ContainerOptions {
  readonly namespace: string;
  readonly image: string;
  readonly imagePullPolicy: "Always" | "IfNotPresent" | "Never";
  /** Unset: the cluster's default storage class. */
  readonly storageClass?: string;
  readonly volumeSize: string;
}

type ObjectMeta = types.input.meta.v1.ObjectMeta;
export interface StatefulSetObject {
  readonly metadata: ObjectMeta;
  readonly spec: types.input.apps.v1.StatefulSetSpec;
}
export interface ServiceObject {
  readonly metadata: ObjectMeta;
  readonly spec: types.input.core.v1.ServiceSpec;
}
export interface JobObject {
  readonly metadata: ObjectMeta;
  readonly spec: types.input.batch.v1.JobSpec;
}

export interface NodeObjects {
  readonly statefulSet: StatefulSetObject;
  /** Headless, named after the node's advertised host: the pod's address, as soon as it has one. */
  readonly service: ServiceObject;
  /** The ports the machine running Pulumi reaches, at the same numbers on every node. */
  readonly nodePorts?: ServiceObject;
}

/** Annotations that give the policy pack a node's facts (policy/plan-view.ts reads them). */
export const ANNOTATIONS = {
  name: "pulsar-isolation/node",
  role: "pulsar-isolation/role",
  host: "pulsar-isolation/host",
  ports: "pulsar-isolation/ports",
} as const;

/** The label that selects a node's pod. */
export const NODE_LABEL = "pulsar-isolation/node";

const CONTAINER = "pulsar";
const DATA_VOLUME = "data";

const labelsOf = (name: string, role: string): Record<string, string> => ({
  "app.kubernetes.io/name": "pulsar",
  "app.kubernetes.io/component": role,
  "app.kubernetes.io/managed-by": "pulsar-isolation",
  [NODE_LABEL]: name,
});

const envList = (env: Readonly<Record<string, string>>): types.input.core.v1.EnvVar[] =>
  Object.entries(env).map(([name, value]) => ({ name, value }));

export function nodeObjects(spec: NodeSpec, options: KubernetesOptions): NodeObjects {
  const labels = labelsOf(spec.name, spec.role);
  const selector = { [NODE_LABEL]: spec.name };
  const run = nodeProcess(spec, options);
  const ports = Object.entries(spec.ports).map(([name, port]) => ({ name, port }));
  const exposed = ports.filter((p) => (EXPOSED_PORTS[spec.role] ?? []).includes(p.name));
  const volume = keepsData(spec);

  const service: ServiceObject = {
    metadata: { name: spec.host, namespace: options.namespace, labels },
    spec: {
      clusterIP: "None",
      selector,
      // The name resolves while the node starts: ZooKeeper and bookies are reached before they are ready.
      publishNotReadyAddresses: true,
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
    },
  };
  const nodePorts: ServiceObject | undefined = exposed.length
    ? {
        metadata: { name: `${spec.name}-nodeport`, namespace: options.namespace, labels },
        spec: { type: "NodePort", selector, ports: exposed.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, nodePort: p.port })) },
      }
    : undefined;

  const statefulSet: StatefulSetObject = {
    metadata: {
      name: spec.name,
      namespace: options.namespace,
      labels,
      annotations: {
        [ANNOTATIONS.name]: spec.name,
        [ANNOTATIONS.role]: spec.role,
        [ANNOTATIONS.host]: spec.host,
        [ANNOTATIONS.ports]: JSON.stringify(spec.ports),
      },
    },
    spec: {
      replicas: 1,
      serviceName: spec.host,
      selector: { matchLabels: selector },
      // Claims outlive the pod and the StatefulSet: data goes only with the namespace, or by a decommission.
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      // A changed bookie is restarted by its membership, one bookie at a time; the controller would
      // replace every changed bookie's pod at once.
      ...(spec.role === "bookie" ? { updateStrategy: { type: "OnDelete" } } : {}),
      template: {
        metadata: { labels },
        spec: {
          enableServiceLinks: false,
          containers: [
            {
              name: CONTAINER,
              image: options.image,
              imagePullPolicy: options.imagePullPolicy,
              workingDir: options.pulsarHome,
              command: [...run.entrypoint],
              args: [...run.command],
              env: envList(run.env),
              ports: ports.map((p) => ({ name: p.name, containerPort: p.port })),
              readinessProbe: {
                httpGet: { path: spec.readiness.path, port: spec.readiness.port },
                initialDelaySeconds: 5,
                periodSeconds: 5,
                timeoutSeconds: 3,
                failureThreshold: 3,
              },
              volumeMounts: volume ? [{ name: DATA_VOLUME, mountPath: dataPath(options) }] : [],
            },
          ],
        },
      },
      volumeClaimTemplates: volume
        ? [
            {
              metadata: { name: DATA_VOLUME },
              spec: {
                accessModes: ["ReadWriteOnce"],
                ...(options.storageClass ? { storageClassName: options.storageClass } : {}),
                resources: { requests: { storage: options.volumeSize } },
              },
            },
          ]
        : [],
    },
  };
  return { statefulSet, service, ...(nodePorts ? { nodePorts } : {}) };
}

/** A digest of what a node's pod runs (its template): a bookie is restarted when it changes. */
export const podTemplateDigest = (spec: NodeSpec, options: KubernetesOptions): string =>
  createHash("sha256").update(JSON.stringify(nodeObjects(spec, options).statefulSet.spec.template)).digest("hex").slice(0, 16);

/** The claim a node's pod keeps its data on (the StatefulSet's template name, the set's name, ordinal 0). */
export const dataClaimName = (node: string): string => `${DATA_VOLUME}-${node}-0`;

/** A bootstrap command as a Job: one pod that runs it to the end, retried while what it talks to starts. */
export function bootstrapJob(command: BootstrapCommand, options: KubernetesOptions): JobObject {
  const run = bootstrapProcess(command, options);
  return {
    metadata: {
      name: command.name,
      namespace: options.namespace,
      labels: labelsOf(command.name, "bootstrap"),
      annotations: { [ANNOTATIONS.name]: command.name, [ANNOTATIONS.role]: "bootstrap" },
    },
    spec: {
      backoffLimit: 6,
      activeDeadlineSeconds: 900,
      template: {
        metadata: { labels: labelsOf(command.name, "bootstrap") },
        spec: {
          restartPolicy: "Never",
          enableServiceLinks: false,
          containers: [
            {
              name: CONTAINER,
              image: options.image,
              imagePullPolicy: options.imagePullPolicy,
              workingDir: options.pulsarHome,
              command: [...run.entrypoint],
              args: [...run.command],
              env: envList(run.env),
            },
          ],
        },
      },
    },
  };
}
