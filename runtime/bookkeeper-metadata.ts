// Where BookKeeper keeps what the stack reads or changes in the ledgers' metadata store (the configuration store).
import { ZooKeeperStore } from "../admin/zookeeper";
import { LEDGERS_ROOT } from "../config/derived";
import { NodeSpec } from "./node-spec";

/** The ledgers' metadata store as a bookie's own settings name it (`zkServers`). */
export const metadataStoreOf = (bookie: NodeSpec, timeoutMs: number): ZooKeeperStore =>
  new ZooKeeperStore({ connect: String(bookie.settings.zkServers), timeoutMs });

/** Where a live bookie registers itself: ephemeral nodes of its ZooKeeper session, writable or read-only. */
export const registrationPaths = (bookie: string): string[] => [`${LEDGERS_ROOT}/available/${bookie}`, `${LEDGERS_ROOT}/available/readonly/${bookie}`];

/** Where BookKeeper keeps a bookie's cookie: a bookie whose cookie is gone can never join with its old data. */
export const cookiePath = (bookie: string) => `${LEDGERS_ROOT}/cookies/${bookie}`;

/** The lock a replication worker holds on an under-replicated ledger (BookKeeper's `urL%010d`). */
export const underReplicationLockPath = (ledgerId: number): string => `${LEDGERS_ROOT}/underreplication/locks/urL${String(ledgerId).padStart(10, "0")}`;

/**
 * The node whose presence switches off every replication worker of the BookKeeper cluster
 * (`bookkeeper shell autorecovery -disable` creates it, `-enable` removes it).
 */
export const REPLICATION_DISABLED_PATH = `${LEDGERS_ROOT}/underreplication/disable`;

/**
 * How long (s, as text) the auditor waits before it has a lost bookie's ledgers copied: one value for
 * the whole cluster. The auditor creates it from its `lostBookieRecoveryDelay` setting only when it
 * is missing, and watches it.
 */
export const LOST_BOOKIE_RECOVERY_DELAY_PATH = `${LEDGERS_ROOT}/underreplication/lostBookieRecoveryDelay`;
