import { z } from "zod";
import { JvmCompilerSchema } from "./jvm";

/**
 * The kubernetes runtime's options. Each node is a StatefulSet of one pod that the other pods find
 * under a Service named after its `host`; the ports the machine running Pulumi needs (brokers'
 * service and admin ports, bookies' HTTP API) are NodePorts at the same numbers.
 */

/** The NodePort range of a default API server: exposed ports must lie in it. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/**
 * The named ports (as runtime/node-spec.ts names them) of each role that the machine running Pulumi
 * reaches: brokers' admin API (and service port), bookies' HTTP API (decommission), and the
 * configuration store's client port (the bookies' copy of the rack map, cookies).
 */
export const EXPOSED_PORTS: Readonly<Record<string, readonly string[]>> = {
  "configuration-store": ["client"],
  broker: ["service", "web"],
  bookie: ["http"],
};

/** A Service's name is a DNS-1035 label. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const SERVICE_NAME_MAX = 63;
/** A StatefulSet's name leaves room for the pod's ordinal and the revision label's hash. */
export const STATEFUL_SET_NAME_MAX = 52;

export const KubernetesSchema = z.object({
  /** The kubeconfig context to use (default: the kubeconfig's current context). */
  context: z.string().min(1).optional(),
  /**
   * The secret stack config key holding the kubeconfig's content (`pulumi config set --secret kubeconfig …`);
   * when that key is unset, the provider reads KUBECONFIG or ~/.kube/config.
   */
  kubeconfigKey: z.string().min(1).default("kubeconfig"),
  /** The namespace of the stack's objects (default: pulsar-<stack>). */
  namespace: z
    .string()
    .max(SERVICE_NAME_MAX, `is longer than ${SERVICE_NAME_MAX} characters`)
    .regex(DNS_LABEL, "is not a namespace name (lowercase letters, digits and -, starting with a letter)")
    .optional(),
  /** The Pulsar image (default: apachepulsar/pulsar:<pulsarVersion>). */
  image: z.string().min(1).optional(),
  /** `Never` for an image loaded into the nodes' container runtime, which no registry serves. */
  imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).default("IfNotPresent"),
  /** Where the machine running Pulumi reaches the NodePort Services: the address of a node. */
  nodeAddress: z.string().min(1).default("127.0.0.1"),
  /** The storage class of the nodes' volumes (default: the cluster's default class). */
  storageClass: z.string().min(1).optional(),
  /** The size of the volume each configuration store, ZooKeeper and bookie keeps its data on. */
  volumeSize: z.string().regex(/^\d+(Mi|Gi|Ti)$/, "is not a volume size (e.g. 512Mi, 2Gi)").default("1Gi"),
  /** The pods' JIT compilers (config/jvm.ts): `quick` where many of them start together on few cores. */
  jvmCompiler: JvmCompilerSchema,
});

export type KubernetesConfig = z.output<typeof KubernetesSchema>;

/** The namespace of a stack's objects. */
export const kubernetesNamespace = (config: KubernetesConfig, stack: string): string => config.namespace ?? `pulsar-${stack}`;
