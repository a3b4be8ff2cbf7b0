/**
 * Names and identities that several layers must spell alike. No imports: the policy pack and the
 * dynamic providers load this file on its own.
 */

/** Pulsar's rule for cluster, tenant and namespace names (NamedEntity): letters, digits and `_ - = : .`. */
export const PULSAR_NAME = /^[-=:.\w]+$/;

/** `tenant/namespace`, each part a Pulsar name. */
export const isNamespaceName = (name: string): boolean => {
  const parts = name.split("/");
  return parts.length === 2 && parts.every((p) => PULSAR_NAME.test(p));
};

/** A bookie's identity in BookKeeper, in rack maps and in ledgers' ensembles. */
export const bookieIdOf = (host: string, bookiePort: number | string): string => `${host}:${bookiePort}`;

/** The hostname filed with a bookie's rack: the one given, else the host part of its id. */
export const filedHostname = (bookieId: string, hostname?: string): string => hostname ?? bookieId.slice(0, bookieId.lastIndexOf(":"));

/** The node name of a cluster's own ZooKeeper, unless a program names it otherwise. */
export const localZooKeeperName = (cluster: string): string => `${cluster}-zookeeper`;
