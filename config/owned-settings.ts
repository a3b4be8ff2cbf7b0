/**
 * Settings that the topology itself writes into the nodes' configuration files (runtime/node-spec.ts),
 * each with what sets it. `brokerSettings` and `bookieSettings` may add any other setting, but not
 * these: the schema checked the values they carry (an ensemble against its groups, the shared
 * metadata, the isolation of recovery), and an override would change them behind its back.
 */

/** broker.conf keys, with the field of the cluster (or of the topology, from the top) that sets them. */
export const BROKER_OWNED_SETTINGS: Readonly<Record<string, string>> = {
  clusterName: "name",
  metadataStoreUrl: "zookeeper",
  configurationMetadataStoreUrl: "configurationStore (top level)",
  bookkeeperMetadataServiceUri: "configurationStore (top level)",
  brokerServicePort: "brokers[].servicePort",
  webServicePort: "brokers[].webPort",
  advertisedAddress: "brokers[].host",
  bindAddress: "brokers[].host",
  managedLedgerDefaultEnsembleSize: "managedLedger.ensembleSize",
  managedLedgerDefaultWriteQuorum: "managedLedger.writeQuorum",
  managedLedgerDefaultAckQuorum: "managedLedger.ackQuorum",
  managedLedgerMaxEntriesPerLedger: "managedLedger.maxEntriesPerLedger",
  managedLedgerMinLedgerRolloverTimeMinutes: "managedLedger.minLedgerRolloverMinutes",
  bookkeeperClientRackawarePolicyEnabled: "the affinity groups (always on)",
  bookkeeperClientIsolationGroups: "defaultAffinity.primary (default: the groups of the cluster's namespaces)",
  bookkeeperClientSecondaryIsolationGroups: "defaultAffinity.secondary (default: the secondary groups of the cluster's namespaces)",
  // On, it sends namespaces without a group past the cluster's default groups (README, "Every ledger inside its group").
  strictBookieAffinityEnabled: "defaultAffinity (always off)",
};

/** bookkeeper.conf keys, with the field of a bookie (or of the topology) that sets them. */
export const BOOKIE_OWNED_SETTINGS: Readonly<Record<string, string>> = {
  bookiePort: "bookies[].bookiePort",
  advertisedAddress: "bookies[].host",
  listeningInterface: "bookies[].host",
  metadataServiceUri: "configurationStore",
  zkServers: "configurationStore",
  zkLedgersRootPath: "configurationStore",
  httpServerEnabled: "bookies[].httpPort",
  httpServerPort: "bookies[].httpPort",
  httpServerHost: "bookies[].host",
  journalDirectory: "the bookie's data folder",
  ledgerDirectories: "the bookie's data folder",
  autoRecoveryDaemonEnabled: "the affinity groups (recovery inside them)",
  ensemblePlacementPolicy: "the affinity groups (recovery inside them)",
  reppDnsResolverClass: "the affinity groups (recovery inside them)",
  isolationBookieGroups: "the affinity groups (recovery inside them)",
};

/** broker.conf keys that `security` (top level) writes; with `security` set, brokerSettings cannot change them. */
export const BROKER_SECURITY_OWNED_SETTINGS: Readonly<Record<string, string>> = {
  authenticationEnabled: "security (top level)",
  authorizationEnabled: "security (top level)",
  authenticationProviders: "security (top level)",
  tokenSecretKey: "security (top level): the key made by secure:init",
  superUserRoles: "security.superUserRole and security.brokerRole",
  brokerClientAuthenticationPlugin: "security (top level)",
  brokerClientAuthenticationParameters: "security.brokerRole",
  brokerServicePortTls: "brokers[].servicePortTls",
  webServicePortTls: "brokers[].webPortTls",
  tlsCertificateFilePath: "security (top level): the broker's certificate made by secure:init",
  tlsKeyFilePath: "security (top level): the broker's key made by secure:init",
  tlsTrustCertsFilePath: "security (top level): the stack's CA",
  brokerClientTlsEnabled: "security (top level)",
  brokerClientTrustCertsFilePath: "security (top level): the stack's CA",
  statusFilePath: "security (top level): the readiness check without a token",
};
