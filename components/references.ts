import * as pulumi from "../lib/pulumi";

/**
 * What one component needs from another. The components implement these, and a program may pass
 * plain objects instead, for parts it runs elsewhere (an existing configuration store, a cluster
 * someone else runs).
 */

export interface ConfigurationStoreRef {
  /** `host:port` the nodes use. */
  readonly connect: string;
  /** `host:port` the machine running Pulumi uses (the bookies' copy of the rack map, cookies). */
  readonly reachableConnect: string;
  /** What runs the store: whatever uses it waits for these, and what lives in it goes with them. */
  readonly ready: readonly pulumi.Resource[];
}

/** A bookie's affinity group and rack. */
export interface Placement {
  readonly group: string;
  readonly rack: string;
  /** The hostname filed with the rack (default: the host part of the bookie's id). */
  readonly hostname?: string;
}

export interface BookieRef {
  readonly name: string;
  /** `host:port`: the bookie's id in BookKeeper, in rack maps and in ledgers' ensembles. */
  readonly id: string;
  /** Where `NamespaceAffinity` files it; a bookie without one cannot be part of an isolation. */
  readonly placement?: Placement;
  /** Ready once the bookie is a writable member; a removed bookie's rack entries go before it. */
  readonly ready?: pulumi.Resource;
}

export interface BookKeeperRef {
  readonly bookies: readonly BookieRef[];
}

export interface ClusterRef {
  readonly clusterName: string;
  /** Admin URL(s) as the machine running Pulumi reaches them: every broker, comma-separated. */
  readonly adminUrl: string;
  /** What must run before admin calls: the brokers. */
  readonly ready: readonly pulumi.Resource[];
  /** The cluster's local store: what lives in it (affinity groups) goes with it. */
  readonly localStore?: pulumi.Resource;
  /** What its brokers give ledgers, for a cluster run elsewhere: the policy pack judges the groups by it. */
  readonly managedLedger?: { readonly ensembleSize: number; readonly writeQuorum: number; readonly ackQuorum: number };
}
