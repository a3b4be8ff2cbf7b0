import * as os from "node:os";
import {
  BookieConfig,
  BrokerConfig,
  ClusterConfig,
  Topology,
  LEDGERS_ROOT,
  ledgersServiceUri,
  configurationStoreConnect,
  hostOf,
  localZooKeeperConnect,
  JvmCompiler,
  clusterDefaultGroups,
} from "../config";
import { localZooKeeperName } from "../rules/names";
import type { GroupSet } from "../rules/isolation";
import { BrokerSecurity, securityDir, securityFiles } from "./security-files";

/**
 * What a node needs to run, whatever runs it: the `bin/pulsar` command, the configuration
 * file it reads with our settings over the distribution's, its ports and how to tell it is
 * ready. Runtimes (local processes, containers) only differ in how they run a spec.
 */
export interface NodeSpec {
  /** Unique in the topology: the node's folder, process and container name. */
  readonly name: string;
  readonly role: NodeRole;
  readonly host: string;
  /** Arguments of `bin/pulsar`. */
  readonly command: readonly string[];
  /** The distribution's configuration file the settings are applied over, relative to PULSAR_HOME. */
  readonly configFile: string;
  /** The environment variable through which `bin/pulsar` takes the configuration file. */
  readonly configFileEnv: string;
  /** Settings written over the configuration file. `{{data}}` stands for the node's data folder. */
  readonly settings: Readonly<Record<string, string>>;
  /** Extra environment for `bin/pulsar` (JVM memory and GC). */
  readonly env: Readonly<Record<string, string>>;
  readonly ports: Readonly<Record<string, number>>;
  /** An HTTP GET that answers 200 once the node serves. */
  readonly readiness: { readonly port: number; readonly path: string };
  /** Text in the node's log that means it started wrong, even though it may answer its readiness check. */
  readonly failureMarkers?: readonly string[];
}

export type NodeRole = "configuration-store" | "zookeeper" | "bookie" | "broker";

/** The token a runtime replaces with the node's own data folder. */
export const DATA_DIR = "{{data}}";

/** JVM options the runtimes share (bin/pulsar reads them from PULSAR_MEM and PULSAR_GC). */
export const JVM_OPTIONS = {
  smallHeap: "-Xms64m -Xmx256m",
  serialGc: "-XX:+UseSerialGC",
  /**
   * The quick (C1) compiler alone: a JVM starts with far less compiling, for a lower peak
   * throughput. For short-lived commands, and for nodes that start together on one machine.
   */
  quickJit: "-XX:TieredStopAtLevel=1",
} as const;

/** A node's environment with the given JIT compilers: `bin/pulsar` takes JIT options along with the GC's. */
export function jvmEnv(env: Readonly<Record<string, string>>, compiler: JvmCompiler): Readonly<Record<string, string>> {
  return compiler === "quick" ? { ...env, PULSAR_GC: [env.PULSAR_GC, JVM_OPTIONS.quickJit].filter(Boolean).join(" ") } : env;
}

/** Small heaps: a whole topology of nine JVMs fits on a 2-core laptop. */
const JVM: Record<NodeRole, Record<string, string>> = {
  "configuration-store": { PULSAR_MEM: JVM_OPTIONS.smallHeap, PULSAR_GC: JVM_OPTIONS.serialGc },
  zookeeper: { PULSAR_MEM: JVM_OPTIONS.smallHeap, PULSAR_GC: JVM_OPTIONS.serialGc },
  bookie: { PULSAR_MEM: "-Xms128m -Xmx512m -XX:MaxDirectMemorySize=512m", PULSAR_GC: JVM_OPTIONS.serialGc },
  broker: { PULSAR_MEM: "-Xms256m -Xmx768m -XX:MaxDirectMemorySize=512m", PULSAR_GC: JVM_OPTIONS.serialGc },
};

const stringify = (settings: Record<string, string | number | boolean>): Record<string, string> =>
  Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));

function zookeeperSettings(host: string, clientPort: number, adminPort: number): Record<string, string> {
  return {
    dataDir: `${DATA_DIR}/zookeeper`,
    clientPort: String(clientPort),
    clientPortAddress: host,
    "admin.enableServer": "true",
    "admin.serverAddress": host,
    "admin.serverPort": String(adminPort),
    // The distribution's metrics endpoint listens on 8000 for every ZooKeeper on the host.
    "metricsProvider.className": "org.apache.zookeeper.metrics.impl.NullMetricsProvider",
  };
}

/** A ZooKeeper node: its name, the address it listens on and advertises, and its ports. */
export interface ZooKeeperNode {
  readonly name: string;
  readonly host: string;
  /** clientPort. */
  readonly clientPort: number;
  /** admin.serverPort. */
  readonly adminPort: number;
}

/** A standalone ZooKeeper: the configuration store and each cluster's local metadata store differ only in role and script. */
function zookeeperNode(zk: ZooKeeperNode, role: "configuration-store" | "zookeeper", files: { configFile: string; configFileEnv: string }): NodeSpec {
  return {
    name: zk.name,
    role,
    host: zk.host,
    command: [role],
    ...files,
    settings: zookeeperSettings(zk.host, zk.clientPort, zk.adminPort),
    env: JVM[role],
    ports: { client: zk.clientPort, admin: zk.adminPort },
    readiness: { port: zk.adminPort, path: "/commands/ruok" },
  };
}

/** The ZooKeeper every cluster shares: cluster registrations, tenants, namespace policies, BookKeeper's metadata. */
export const configurationStoreNode = (zk: ZooKeeperNode): NodeSpec =>
  zookeeperNode(zk, "configuration-store", { configFile: "conf/global_zookeeper.conf", configFileEnv: "PULSAR_CONFIGURATION_STORE_CONF" });

/** A cluster's own ZooKeeper: its local policies, rack map and managed ledgers' metadata. */
export const localZooKeeperNode = (zk: ZooKeeperNode): NodeSpec =>
  zookeeperNode(zk, "zookeeper", { configFile: "conf/zookeeper.conf", configFileEnv: "PULSAR_ZK_CONF" });

/** A bookie: its name, the address it listens on and advertises (its id is `host:bookiePort`), its ports. */
export interface BookieNode {
  readonly name: string;
  readonly host: string;
  readonly bookiePort: number;
  /** httpServerPort: the bookie's HTTP API. */
  readonly httpPort: number;
}

/** What every bookie of one BookKeeper cluster shares. */
export interface BookKeeperSettings {
  /** The configuration store (`host:port`) that holds the ledgers' metadata and the bookies' copy of the rack map. */
  readonly configurationStore: string;
  /** Extra bookkeeper.conf settings, on top of those the topology implies. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
}

export function bookieNode(bookie: BookieNode, bookkeeper: BookKeeperSettings): NodeSpec {
  const host = bookie.host;
  return {
    name: bookie.name,
    role: "bookie",
    host,
    command: ["bookie"],
    configFile: "conf/bookkeeper.conf",
    configFileEnv: "PULSAR_BOOKKEEPER_CONF",
    settings: {
      bookiePort: String(bookie.bookiePort),
      // The bookie id, `host:port`, is what racks, groups and ledger ensembles refer to.
      advertisedAddress: host,
      // Set at all, it makes the bookie bind its port to the advertised address, not to every interface.
      listeningInterface: interfaceOf(host),
      allowLoopback: "true",
      ...bookieMetadataSettings(bookkeeper.configurationStore),
      ...isolatedRecoverySettings,
      journalDirectory: `${DATA_DIR}/journal`,
      ledgerDirectories: `${DATA_DIR}/ledgers`,
      httpServerEnabled: "true",
      httpServerPort: String(bookie.httpPort),
      httpServerHost: host,
      // The distribution's Prometheus endpoint listens on 8000 for every bookie on the host.
      enableStatistics: "false",
      ...stringify(bookkeeper.settings ?? {}),
    },
    env: JVM.bookie,
    ports: { bookie: bookie.bookiePort, http: bookie.httpPort },
    readiness: { port: bookie.httpPort, path: "/api/v1/bookie/is_ready" },
    // A bookie whose rack resolver did not start sees no groups: its autorecovery would copy
    // ledgers into any group. It serves all the same, so only its log tells.
    failureMarkers: ["Failed to initialize DNS Resolver"],
  };
}

/** A broker: its name, the address it binds and advertises, its ports. */
export interface BrokerNode {
  readonly name: string;
  readonly host: string;
  /** brokerServicePort (pulsar://). */
  readonly servicePort: number;
  /** webServicePort: the admin REST API. */
  readonly webPort: number;
  /** brokerServicePortTls (pulsar+ssl://), for a secured broker. */
  readonly servicePortTls?: number;
  /** webServicePortTls (https://), for a secured broker. */
  readonly webPortTls?: number;
}

/** The ledgers' default ensemble, quorums and rollover of a cluster's brokers. */
export interface ManagedLedgerDefaults {
  readonly ensembleSize: number;
  readonly writeQuorum: number;
  readonly ackQuorum: number;
  readonly maxEntriesPerLedger: number;
  readonly minLedgerRolloverMinutes: number;
}

/** What every broker of one Pulsar cluster shares. */
export interface BrokerClusterSettings {
  readonly clusterName: string;
  /** The cluster's own ZooKeeper, `host:port`. */
  readonly localStore: string;
  /** The shared configuration store, `host:port`, which also holds BookKeeper's metadata. */
  readonly configurationStore: string;
  readonly managedLedger: ManagedLedgerDefaults;
  /** The groups of every ledger made outside namespace placement (schemas, namespaces without a group); none when absent. */
  readonly defaultGroups?: GroupSet;
  /** Extra broker.conf settings, on top of those the topology implies. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /** Token authentication and authorization, TLS on the broker's TLS ports; none when absent. */
  readonly security?: BrokerSecurity;
}

/**
 * The broker's BookKeeper client places every ledger that carries no namespace placement (schemas,
 * compacted topics, delayed-delivery buckets, namespaces without a group) in the default groups.
 * Strict affinity stays off: on, it gives a namespace without a group the empty group (no bookie
 * when every bookie has a group) and its system topics every bookie, past the default groups.
 */
export function defaultGroupSettings(groups: GroupSet | undefined): Record<string, string> {
  return {
    strictBookieAffinityEnabled: "false",
    ...(groups?.primary.length ? { bookkeeperClientIsolationGroups: groups.primary.join(",") } : {}),
    ...(groups?.primary.length && groups.secondary.length ? { bookkeeperClientSecondaryIsolationGroups: groups.secondary.join(",") } : {}),
  };
}

/**
 * A secured broker's settings: tokens checked with the stack's key, the two roles as super users,
 * its own calls made with the brokers' token over TLS, its certificate on both TLS ports.
 * The readiness check reads `/status.html`, which needs no token: it answers once the broker has
 * started and the status file (here the broker's own configuration file) exists.
 */
export function brokerSecuritySettings(broker: BrokerNode, security: BrokerSecurity): Record<string, string> {
  const files = securityFiles(security.dir);
  if (broker.webPortTls === undefined || broker.servicePortTls === undefined) {
    throw new Error(`${broker.name}: a secured broker needs its webPortTls and servicePortTls`);
  }
  return {
    authenticationEnabled: "true",
    authorizationEnabled: "true",
    authenticationProviders: "org.apache.pulsar.broker.authentication.AuthenticationProviderToken",
    tokenSecretKey: `file://${files.tokenKey}`,
    superUserRoles: `${security.superUserRole},${security.brokerRole}`,
    brokerClientAuthenticationPlugin: "org.apache.pulsar.client.impl.auth.AuthenticationToken",
    brokerClientAuthenticationParameters: `file://${files.brokerToken}`,
    brokerServicePortTls: String(broker.servicePortTls),
    webServicePortTls: String(broker.webPortTls),
    tlsCertificateFilePath: files.brokerCert(broker.name),
    tlsKeyFilePath: files.brokerKey(broker.name),
    tlsTrustCertsFilePath: files.caCert,
    brokerClientTlsEnabled: "true",
    brokerClientTrustCertsFilePath: files.caCert,
    statusFilePath: `${DATA_DIR}/../conf/broker.conf`,
  };
}

export function brokerNode(broker: BrokerNode, cluster: BrokerClusterSettings): NodeSpec {
  const host = broker.host;
  const ledgers = cluster.managedLedger;
  return {
    name: broker.name,
    role: "broker",
    host,
    command: ["broker"],
    configFile: "conf/broker.conf",
    configFileEnv: "PULSAR_BROKER_CONF",
    settings: {
      clusterName: cluster.clusterName,
      metadataStoreUrl: `zk:${cluster.localStore}`,
      configurationMetadataStoreUrl: `zk:${cluster.configurationStore}`,
      // Every cluster stores its ledgers in the one shared BookKeeper cluster.
      bookkeeperMetadataServiceUri: ledgersServiceUri(cluster.configurationStore),
      brokerServicePort: String(broker.servicePort),
      webServicePort: String(broker.webPort),
      advertisedAddress: host,
      bindAddress: host,
      managedLedgerDefaultEnsembleSize: String(ledgers.ensembleSize),
      managedLedgerDefaultWriteQuorum: String(ledgers.writeQuorum),
      managedLedgerDefaultAckQuorum: String(ledgers.ackQuorum),
      managedLedgerMaxEntriesPerLedger: String(ledgers.maxEntriesPerLedger),
      managedLedgerMinLedgerRolloverTimeMinutes: String(ledgers.minLedgerRolloverMinutes),
      // Affinity groups are read from the rack map by the rack-aware placement policy.
      bookkeeperClientRackawarePolicyEnabled: "true",
      ...defaultGroupSettings(cluster.defaultGroups),
      functionsWorkerEnabled: "false",
      ...(cluster.security ? brokerSecuritySettings(broker, cluster.security) : {}),
      ...stringify(cluster.settings ?? {}),
    },
    env: JVM.broker,
    ports: {
      service: broker.servicePort,
      web: broker.webPort,
      ...(cluster.security ? { serviceTls: broker.servicePortTls!, webTls: broker.webPortTls! } : {}),
    },
    readiness: { port: broker.webPort, path: cluster.security ? "/status.html" : "/admin/v2/brokers/ready" },
  };
}

// The topology's nodes, as the stack config declares them.

export const configurationStoreSpec = (topology: Topology): NodeSpec =>
  configurationStoreNode({ ...topology.configurationStore, host: hostOf(topology, topology.configurationStore) });

export const zookeeperSpec = (topology: Topology, cluster: ClusterConfig): NodeSpec =>
  localZooKeeperNode({ ...cluster.zookeeper, name: localZooKeeperName(cluster.name), host: hostOf(topology, cluster.zookeeper) });

export const bookieSpec = (topology: Topology, bookie: BookieConfig): NodeSpec =>
  bookieNode({ ...bookie, host: hostOf(topology, bookie) }, { configurationStore: configurationStoreConnect(topology), settings: topology.bookieSettings });

/** `stateDir`: the stack's folder, which holds a secured topology's `security/` folder (local runtime). */
export const brokerSpec = (topology: Topology, cluster: ClusterConfig, broker: BrokerConfig, stateDir?: string): NodeSpec =>
  brokerNode(
    { ...broker, host: hostOf(topology, broker) },
    {
      clusterName: cluster.name,
      localStore: localZooKeeperConnect(topology, cluster),
      configurationStore: configurationStoreConnect(topology),
      managedLedger: cluster.managedLedger,
      defaultGroups: clusterDefaultGroups(topology, cluster),
      settings: cluster.brokerSettings,
      security: brokerSecurityOf(topology, stateDir),
    },
  );

/** A secured topology's broker security, with its files in the stack's folder. */
export function brokerSecurityOf(topology: Topology, stateDir: string | undefined): BrokerSecurity | undefined {
  if (!topology.security) return undefined;
  if (stateDir === undefined) throw new Error("a secured topology's brokers need the stack's folder, where its security files are");
  return { dir: securityDir(stateDir), superUserRole: topology.security.superUserRole, brokerRole: topology.security.brokerRole };
}

/**
 * Where a bookie finds the ledgers: the same root as the brokers' `zk://…/ledgers`, named by
 * `zkServers` and `zkLedgersRootPath`, because the rack resolver opens its own store from these
 * settings and cannot parse a `zk://` metadataServiceUri (it falls back to no racks at all).
 */
export function bookieMetadataSettings(configurationStore: string): Record<string, string> {
  return { metadataServiceUri: "", zkServers: configurationStore, zkLedgersRootPath: LEDGERS_ROOT };
}

/**
 * Autorecovery inside the bookies places each re-replicated copy in the groups its ledger was
 * stamped with by the broker (primary, then secondary, never another group), and a ledger without
 * that stamp (schemas, ledgers of namespaces without a group) in the groups its copies are in
 * (runtime/bookie-placement/, which the toolchain compiles into the distribution). The policy
 * reads the rack map only when `isolationBookieGroups` is set; `*` excludes no group by itself.
 */
export const isolatedRecoverySettings: Readonly<Record<string, string>> = {
  autoRecoveryDaemonEnabled: "true",
  ensemblePlacementPolicy: "pulsarisolation.placement.GroupKeepingPlacementPolicy",
  reppDnsResolverClass: "org.apache.pulsar.bookie.rackawareness.BookieRackAffinityMapping",
  isolationBookieGroups: "*",
};

/** The name of this machine's network interface that holds `address`; BookKeeper's "default" when none does. */
export function interfaceOf(address: string): string {
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    if (addresses?.some((a) => a.address === address)) return name;
  }
  return "default";
}

/** Every node of the topology, in start order: configuration store, local ZooKeepers, bookies, brokers. */
export function topologyNodes(topology: Topology, stateDir?: string): NodeSpec[] {
  return [
    configurationStoreSpec(topology),
    ...topology.clusters.map((c) => zookeeperSpec(topology, c)),
    ...topology.bookies.map((b) => bookieSpec(topology, b)),
    ...topology.clusters.flatMap((c) => c.brokers.map((b) => brokerSpec(topology, c, b, stateDir))),
  ];
}
