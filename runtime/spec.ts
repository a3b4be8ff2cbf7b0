import * as os from "node:os";
import {
  BookieConfig,
  BrokerConfig,
  ClusterConfig,
  Topology,
  LEDGERS_ROOT,
  bookkeeperMetadataServiceUri,
  configurationStoreConnect,
  hostOf,
  localZooKeeperConnect,
} from "../config";

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

/** Small heaps: a whole topology of nine JVMs fits on a 2-core laptop. */
const JVM: Record<NodeRole, Record<string, string>> = {
  "configuration-store": { PULSAR_MEM: "-Xms64m -Xmx256m", PULSAR_GC: "-XX:+UseSerialGC" },
  zookeeper: { PULSAR_MEM: "-Xms64m -Xmx256m", PULSAR_GC: "-XX:+UseSerialGC" },
  bookie: { PULSAR_MEM: "-Xms128m -Xmx512m -XX:MaxDirectMemorySize=512m", PULSAR_GC: "-XX:+UseSerialGC" },
  broker: { PULSAR_MEM: "-Xms256m -Xmx768m -XX:MaxDirectMemorySize=512m", PULSAR_GC: "-XX:+UseSerialGC" },
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

/** A standalone ZooKeeper: the configuration store and each cluster's local metadata store differ only in name and script. */
function zookeeperNode(
  name: string,
  role: "configuration-store" | "zookeeper",
  files: { configFile: string; configFileEnv: string },
  zk: { clientPort: number; adminPort: number },
  host: string,
): NodeSpec {
  return {
    name,
    role,
    host,
    command: [role],
    ...files,
    settings: zookeeperSettings(host, zk.clientPort, zk.adminPort),
    env: JVM[role],
    ports: { client: zk.clientPort, admin: zk.adminPort },
    readiness: { port: zk.adminPort, path: "/commands/ruok" },
  };
}

export function configurationStoreSpec(topology: Topology): NodeSpec {
  const store = topology.configurationStore;
  return zookeeperNode(
    store.name,
    "configuration-store",
    { configFile: "conf/global_zookeeper.conf", configFileEnv: "PULSAR_CONFIGURATION_STORE_CONF" },
    store,
    hostOf(topology, store),
  );
}

export function zookeeperSpec(topology: Topology, cluster: ClusterConfig): NodeSpec {
  return zookeeperNode(
    `${cluster.name}-zookeeper`,
    "zookeeper",
    { configFile: "conf/zookeeper.conf", configFileEnv: "PULSAR_ZK_CONF" },
    cluster.zookeeper,
    hostOf(topology, cluster.zookeeper),
  );
}

export function bookieSpec(topology: Topology, bookie: BookieConfig): NodeSpec {
  const host = hostOf(topology, bookie);
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
      ...bookieMetadataSettings(topology),
      ...isolatedRecoverySettings,
      journalDirectory: `${DATA_DIR}/journal`,
      ledgerDirectories: `${DATA_DIR}/ledgers`,
      httpServerEnabled: "true",
      httpServerPort: String(bookie.httpPort),
      httpServerHost: host,
      // The distribution's Prometheus endpoint listens on 8000 for every bookie on the host.
      enableStatistics: "false",
      ...stringify(topology.bookieSettings),
    },
    env: JVM.bookie,
    ports: { bookie: bookie.bookiePort, http: bookie.httpPort },
    readiness: { port: bookie.httpPort, path: "/api/v1/bookie/is_ready" },
    // A bookie whose rack resolver did not start sees no groups: its autorecovery would copy
    // ledgers into any group. It serves all the same, so only its log tells.
    failureMarkers: ["Failed to initialize DNS Resolver"],
  };
}

export function brokerSpec(topology: Topology, cluster: ClusterConfig, broker: BrokerConfig): NodeSpec {
  const host = hostOf(topology, broker);
  const ledgers = cluster.managedLedger;
  return {
    name: broker.name,
    role: "broker",
    host,
    command: ["broker"],
    configFile: "conf/broker.conf",
    configFileEnv: "PULSAR_BROKER_CONF",
    settings: {
      clusterName: cluster.name,
      metadataStoreUrl: `zk:${localZooKeeperConnect(topology, cluster)}`,
      configurationMetadataStoreUrl: `zk:${configurationStoreConnect(topology)}`,
      // Every cluster stores its ledgers in the one shared BookKeeper cluster.
      bookkeeperMetadataServiceUri: bookkeeperMetadataServiceUri(topology),
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
      functionsWorkerEnabled: "false",
      ...stringify(cluster.brokerSettings),
    },
    env: JVM.broker,
    ports: { service: broker.servicePort, web: broker.webPort },
    readiness: { port: broker.webPort, path: "/admin/v2/brokers/ready" },
  };
}

/**
 * Where a bookie finds the ledgers: the same root as the brokers' `zk://…/ledgers`, named by
 * `zkServers` and `zkLedgersRootPath`, because the rack resolver opens its own store from these
 * settings and cannot parse a `zk://` metadataServiceUri (it falls back to no racks at all).
 */
export function bookieMetadataSettings(topology: Topology): Record<string, string> {
  return { metadataServiceUri: "", zkServers: configurationStoreConnect(topology), zkLedgersRootPath: LEDGERS_ROOT };
}

/**
 * Autorecovery inside the bookies places each re-replicated copy in the groups its ledger was
 * stamped with by the broker (primary, then secondary, never another group). The policy reads the
 * rack map only when `isolationBookieGroups` is set; `*` (Pulsar's system-topic group) leaves a
 * ledger without that stamp (schema ledgers, ledgers written before the namespace had affinity)
 * free to go anywhere, so that it can still be re-replicated.
 */
export const isolatedRecoverySettings: Readonly<Record<string, string>> = {
  autoRecoveryDaemonEnabled: "true",
  ensemblePlacementPolicy: "org.apache.pulsar.bookie.rackawareness.IsolatedBookieEnsemblePlacementPolicy",
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
export function topologyNodes(topology: Topology): NodeSpec[] {
  return [
    configurationStoreSpec(topology),
    ...topology.clusters.map((c) => zookeeperSpec(topology, c)),
    ...topology.bookies.map((b) => bookieSpec(topology, b)),
    ...topology.clusters.flatMap((c) => c.brokers.map((b) => brokerSpec(topology, c, b))),
  ];
}
