import { BookieRackInfo, PulsarAdmin, RacksInfo } from "./pulsar-admin";
import { ZooKeeperStore } from "./zookeeper";

/**
 * The rack map (group → bookie id → rack and hostname) exists in several copies, each read by
 * someone else: every Pulsar cluster's local store (its brokers place new ledgers with it; written
 * through the broker's REST API) and `/bookies` in the configuration store (the bookies'
 * autorecovery places re-replicated copies with it; no REST API, so written with ZooKeeper).
 */
export interface RackMapCopy {
  /** Names the copy in state, diffs and errors: an admin URL, or `zk://host:port/bookies`. */
  readonly location: string;
  read(): Promise<RacksInfo>;
  place(bookie: string, placement: BookieRackInfo): Promise<void>;
  remove(bookie: string): Promise<void>;
}

/** The bookie's entry in a rack map, whichever group it is filed under. */
export function placementIn(racks: RacksInfo, bookie: string): BookieRackInfo | null {
  for (const [group, bookies] of Object.entries(racks)) {
    const entry = bookies[bookie];
    if (entry) return { group, rack: entry.rack ?? "", hostname: entry.hostname ?? "" };
  }
  return null;
}

/** The map with the bookie filed under its group only (or nowhere, for null); groups left empty go. */
export function withPlacement(racks: RacksInfo, bookie: string, placement: BookieRackInfo | null): RacksInfo {
  const next: RacksInfo = {};
  for (const [group, bookies] of Object.entries(racks)) {
    const kept = Object.fromEntries(Object.entries(bookies).filter(([id]) => id !== bookie));
    if (Object.keys(kept).length > 0) next[group] = kept;
  }
  if (placement) next[placement.group] = { ...next[placement.group], [bookie]: { rack: placement.rack, hostname: placement.hostname } };
  return next;
}

/** A cluster's copy, kept in its local metadata store, through any of its brokers. */
export function brokerRackMap(admin: PulsarAdmin): RackMapCopy {
  return {
    location: admin.url,
    read: () => admin.racksInfo(),
    place: (bookie, placement) => admin.setBookieRack(bookie, placement),
    remove: (bookie) => admin.deleteBookieRack(bookie),
  };
}

export const BOOKIES_PATH = "/bookies";

export const zooKeeperRackMapLocation = (connect: string) => `zk://${connect}${BOOKIES_PATH}`;

/** The bookies' copy, at `/bookies` of the configuration store, in the brokers' JSON form; compare-and-set on each change. */
export function zooKeeperRackMap(store: ZooKeeperStore): RackMapCopy {
  return {
    location: zooKeeperRackMapLocation(store.connect),
    read: async () => (await store.readJson<RacksInfo>(BOOKIES_PATH))?.value ?? {},
    place: async (bookie, placement) => {
      await store.updateJson<RacksInfo>(BOOKIES_PATH, (current) => withPlacement(current ?? {}, bookie, placement));
    },
    remove: async (bookie) => {
      if (await store.exists(BOOKIES_PATH)) await store.updateJson<RacksInfo>(BOOKIES_PATH, (current) => withPlacement(current ?? {}, bookie, null));
    },
  };
}
