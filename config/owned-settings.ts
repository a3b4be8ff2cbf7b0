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
