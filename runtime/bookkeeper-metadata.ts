import { LEDGERS_ROOT } from "../config/derived";

/** Where BookKeeper keeps what the stack reads or changes in the ledgers' metadata store (the configuration store). */

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
