import { z } from "zod";
import { JvmCompilerSchema } from "./jvm";
import { KubernetesSchema } from "./kubernetes";
import { checkKubernetesPlacement } from "./kubernetes-rules";
import { checkTopology } from "./rules";
import { checkSecurity } from "./security-rules";
import { DEFAULT_DECOMMISSION_TIMEOUT_SECONDS, DEFAULT_HOST } from "./derived";
import { PULSAR_NAME, isNamespaceName } from "../rules/names";

/** Names of bookies, brokers, groups and racks also become folder names and container names. */
export const NODE_NAME = /^[A-Za-z0-9][-.\w]*$/;
/** Retention size as `pulsar-admin namespaces set-retention -s` takes it: `-1`, `0`, `500M`, `1g`, `2T`. */
export const RETENTION_SIZE = /^(-1|\d+[kKmMgGtT]?)$/;
/** Retention time as `set-retention -t` takes it: `-1`, `0`, `90s`, `30m`, `12h`, `3d`, `2w`, `1y`. */
export const RETENTION_TIME = /^(-1|\d+[smhdwy]?)$/;

export const pulsarName = (what: string) =>
  z.string().regex(PULSAR_NAME, `is not a valid ${what} name (allowed: letters, digits and _ - = : .)`);
export const nodeName = (what: string) =>
  z.string().regex(NODE_NAME, `is not a valid ${what} name (allowed: letters, digits and _ - ., starting with a letter or digit)`);
const port = z
  .number({ error: "must be a port number" })
  .int("must be a whole number")
  .min(1, "is out of range (1-65535)")
  .max(65535, "is out of range (1-65535)");
const count = (what: string) => z.number({ error: `must be a number` }).int("must be a whole number").min(1, `${what} must be at least 1`);

/** Where a node runs. The local runtime needs 127.0.0.1 or another address of this machine. */
const hostField = z.string().min(1).optional().describe("address the node listens on and advertises (default: the topology's host)");
/** Docker runtime: the key in `docker.hosts` of the engine the node's container runs on. */
const dockerHostField = z.string().min(1).optional().describe("the Docker host the node's container runs on (a key of docker.hosts)");

export const ZooKeeperSchema = z.object({
  /** ZooKeeper client port (clientPort). */
  clientPort: port,
  /** ZooKeeper's embedded admin server port (admin.serverPort). */
  adminPort: port,
  host: hostField,
  dockerHost: dockerHostField,
});

export const ConfigurationStoreSchema = ZooKeeperSchema.extend({
  name: nodeName("node").default("configuration-store"),
});

export const BookieSchema = z.object({
  name: nodeName("bookie"),
  /** bookiePort: the port clients write ledgers to; with the host it is the bookie's identity. */
  bookiePort: port,
  /** httpServerPort: the bookie's admin HTTP API. */
  httpPort: port,
  /**
   * Affinity group the bookie belongs to. Optional here only so that the isolation rules report a
   * missing one (bookie-in-group) with the policy pack's message; a parsed topology always has it.
   */
  group: nodeName("group").optional(),
  rack: nodeName("rack"),
  host: hostField,
  dockerHost: dockerHostField,
});

export const BrokerSchema = z.object({
  name: nodeName("broker"),
  /** brokerServicePort: the binary protocol port (pulsar://). */
  servicePort: port,
  /** webServicePort: the admin REST API and HTTP lookups. */
  webPort: port,
  /** brokerServicePortTls (pulsar+ssl://); needed with `security`, refused without it. */
  servicePortTls: port.optional(),
  /** webServicePortTls (https://): the admin URL of a secured broker; needed with `security`, refused without it. */
  webPortTls: port.optional(),
  host: hostField,
  dockerHost: dockerHostField,
});

/** A whole number whose range the isolation rules judge (rules/isolation.ts: quorum-order). */
const quorumSize = z.number({ error: "must be a number" }).int("must be a whole number");

export const PersistenceSchema = z.object({
  ensembleSize: quorumSize,
  writeQuorum: quorumSize,
  ackQuorum: quorumSize,
});

export const ManagedLedgerSchema = PersistenceSchema.extend({
  /** managedLedgerMaxEntriesPerLedger: a ledger is closed and a new one opened after this many entries. */
  maxEntriesPerLedger: count("maxEntriesPerLedger").default(50000),
  /** managedLedgerMinLedgerRolloverTimeMinutes. */
  minLedgerRolloverMinutes: z.number().int().min(0, "must be 0 or more").default(10),
});

/** Extra `key=value` settings written into a node's configuration file, as Pulsar spells them. */
const extraSettings = z.record(z.string().regex(/^[\w.]+$/, "is not a config key"), z.union([z.string(), z.number(), z.boolean()])).default({});

/** One affinity group, or several. */
const groupList = z.union([nodeName("group"), z.array(nodeName("group")).min(1, "names no group")]);

/**
 * The groups a cluster's brokers give every ledger made outside namespace placement: schemas,
 * compacted topics, delayed-delivery buckets, namespaces without a group (also those made outside
 * the stack). Default: the groups the cluster's namespaces use.
 */
export const DefaultAffinitySchema = z.object({
  primary: groupList,
  /** Used when the primary groups hold fewer live bookies than the ensemble. */
  secondary: groupList.optional(),
});

export const ClusterSchema = z.object({
  name: pulsarName("cluster"),
  zookeeper: ZooKeeperSchema,
  brokers: z.array(BrokerSchema).min(1, "a cluster needs at least one broker"),
  managedLedger: ManagedLedgerSchema,
  /** bookkeeperClientIsolationGroups / bookkeeperClientSecondaryIsolationGroups of its brokers. */
  defaultAffinity: DefaultAffinitySchema.optional(),
  /** broker.conf settings for this cluster's brokers, on top of those the topology implies. */
  brokerSettings: extraSettings,
});

export const AffinitySchema = z.object({
  primary: nodeName("group"),
  secondary: nodeName("group").optional(),
});

export const RetentionSchema = z.object({
  size: z.string().regex(RETENTION_SIZE, "is not a retention size (use -1, 0, or a number with k, M, G or T, e.g. 1G)"),
  time: z.string().regex(RETENTION_TIME, "is not a retention time (use -1, 0, or a number with s, m, h, d, w or y, e.g. 3d)"),
});

export const NamespaceSchema = z.object({
  /** `tenant/namespace`. */
  name: z
    .string()
    .refine(isNamespaceName, "must be tenant/namespace, each part made of letters, digits and _ - = : ."),
  /** The cluster that owns the namespace (its only replication cluster). */
  cluster: pulsarName("cluster"),
  bundles: count("bundles").default(4),
  retention: RetentionSchema.optional(),
  /** Overrides the cluster's managed-ledger ensemble and quorums for this namespace. */
  persistence: PersistenceSchema.optional(),
  affinity: AffinitySchema,
});

/** How a bookie removed from the config leaves the BookKeeper cluster. */
export const DecommissionSchema = z.object({
  /** How long autorecovery may take to copy the leaving bookie's ledgers elsewhere before `pulumi up` gives up and keeps the bookie. */
  timeoutSeconds: count("timeoutSeconds").default(DEFAULT_DECOMMISSION_TIMEOUT_SECONDS),
});

/** Runtimes that run the topology's nodes; `external` (config/external.ts) runs none. */
export const RUNTIMES = ["local", "docker", "kubernetes"] as const;
const ALL_RUNTIMES = [...RUNTIMES, "external"];

/** A Docker engine that the docker runtime places containers on. */
export const DockerHostSchema = z.object({
  /** How the Docker client reaches the engine, as DOCKER_HOST takes it. */
  url: z.string().regex(/^(ssh|tcp|unix):\/\/\S+$/, "is not a Docker host URL (ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock)"),
  /** Where other hosts and this machine reach the ports the engine publishes (default: the URL's host name; 127.0.0.1 for unix://). */
  address: z.string().min(1).optional(),
});

export const DockerRegistrySchema = z.object({
  /** The registry the image is pulled from, e.g. registry.example.com. */
  server: z.string().min(1),
  username: z.string().min(1),
  /** The stack config key that holds the password, set with `pulumi config set --secret`; never the password itself. */
  passwordKey: z.string().min(1).default("dockerRegistryPassword"),
});

/** Options of the docker runtime; the local runtime ignores them. */
export const DockerSchema = z.object({
  /** The Pulsar image (default: apachepulsar/pulsar:<pulsarVersion>). */
  image: z.string().min(1).optional(),
  registry: DockerRegistrySchema.optional(),
  /** Docker hosts by name; none means the engine of this machine (DOCKER_HOST or its default socket). */
  hosts: z.record(nodeName("Docker host"), DockerHostSchema).default({}),
  /** The containers' JIT compilers (config/jvm.ts): `quick` where many of them start together on few cores. */
  jvmCompiler: JvmCompilerSchema,
});

/**
 * Secured brokers (local runtime): token authentication and authorization, TLS on each broker's
 * `webPortTls` and `servicePortTls`. The token key, the private CA and the brokers' certificates
 * are made once by `npm run secure:init -- <stack>` in the stack's folder (`<stack>/security/`).
 */
export const SecuritySchema = z.object({
  /** The role of the admin token (the `sub` of the JWT), made a super user of every broker. */
  superUserRole: pulsarName("role").default("admin"),
  /** The role of the token the brokers use for their own calls to each other, also a super user. */
  brokerRole: pulsarName("role").default("pulsar-broker"),
});

export const TopologySchema = z
  .object({
    pulsarVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "is not a Pulsar version (e.g. 4.0.8)").default("4.0.8"),
    runtime: z.enum(RUNTIMES, { error: `is not a runtime (one of: ${ALL_RUNTIMES.join(", ")})` }).default("local"),
    /** Default address of every node. */
    host: z.string().min(1).default(DEFAULT_HOST),
    configurationStore: ConfigurationStoreSchema,
    bookies: z.array(BookieSchema).min(1, "at least one bookie is needed"),
    /** bookkeeper.conf settings for every bookie, on top of those the topology implies. */
    bookieSettings: extraSettings,
    clusters: z.array(ClusterSchema).min(1, "at least one cluster is needed"),
    namespaces: z.array(NamespaceSchema).default([]),
    docker: DockerSchema.prefault({}),
    /** Options of the kubernetes runtime (config/kubernetes.ts); the other runtimes ignore them. */
    kubernetes: KubernetesSchema.prefault({}),
    decommission: DecommissionSchema.prefault({}),
    /** Unload a namespace when its groups' bookies change, so that new ledgers use the new membership at once. */
    unloadOnGroupChange: z.boolean({ error: "must be true or false" }).default(true),
    /** Token authentication and TLS for the brokers (config/security-rules.ts); none by default. */
    security: SecuritySchema.optional(),
  })
  // Runs even when fields failed their own checks, so that every problem is reported at once.
  .superRefine(checkTopology, { when: () => true })
  .superRefine(checkKubernetesPlacement, { when: () => true })
  .superRefine(checkSecurity, { when: () => true });

/** The whole topology as the stack config declares it, after defaults (every bookie in a group: the rules refuse others). */
export type Topology = Omit<z.output<typeof TopologySchema>, "bookies"> & { bookies: BookieConfig[] };
export type TopologyInput = z.input<typeof TopologySchema>;
export type ZooKeeperConfig = z.output<typeof ZooKeeperSchema>;
export type ConfigurationStoreConfig = z.output<typeof ConfigurationStoreSchema>;
export type BookieConfig = z.output<typeof BookieSchema> & { group: string };
export type BrokerConfig = z.output<typeof BrokerSchema>;
export type ClusterConfig = z.output<typeof ClusterSchema>;
export type DefaultAffinityConfig = z.output<typeof DefaultAffinitySchema>;
export type NamespaceConfig = z.output<typeof NamespaceSchema>;
export type PersistenceConfig = z.output<typeof PersistenceSchema>;
export type SecurityConfig = z.output<typeof SecuritySchema>;
export type Runtime = (typeof RUNTIMES)[number];
export type DockerConfig = z.output<typeof DockerSchema>;
export type DockerHostConfig = z.output<typeof DockerHostSchema>;
