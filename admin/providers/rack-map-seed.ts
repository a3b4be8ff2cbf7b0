import * as pulumi from "../../lib/pulumi";
import { BookieRackInfo, RacksInfo } from "../pulsar-admin";
import { BOOKIES_PATH, placementIn, withPlacement } from "../rack-map";
import { ZooKeeperStore } from "../zookeeper";
import { diffOn } from "../../lib/dynamic-provider";
import { LoadedDynamicResource, providerLoadedFrom } from "../../lib/loaded-provider";

/**
 * The bookies' rack map (`/bookies` in the configuration store) as it must be before a bookie
 * starts. Pulsar 4.0.8's `IsolatedBookieEnsemblePlacementPolicy` reads the map once when the bookie
 * starts, and afterwards may place a copy with the map it read last: a bookie started before the map
 * existed can make a re-replicated copy with no group excluded at all. This writes the entries that
 * are missing, never changes or removes one: `BookieRack` keeps every copy of the map right.
 */
export interface RackMapSeedInputs {
  /** The configuration store (`host:port`) as this machine reaches it. */
  readonly configurationStore: string;
  /** Each bookie's placement, by bookie id (`host:port`). */
  readonly placements: Readonly<Record<string, BookieRackInfo>>;
}

/** The map with every planned placement it misses; the ones it holds stay as they are. */
export function seeded(current: RacksInfo, placements: Readonly<Record<string, BookieRackInfo>>): RacksInfo {
  return Object.entries(placements).reduce((map, [bookie, placement]) => (placementIn(map, bookie) ? map : withPlacement(map, bookie, placement)), current);
}

export class RackMapSeedProvider implements pulumi.dynamic.ResourceProvider<RackMapSeedInputs, RackMapSeedInputs> {
  async diff(_id: string, olds: RackMapSeedInputs, news: RackMapSeedInputs): Promise<pulumi.dynamic.DiffResult> {
    return diffOn(olds, news, ["configurationStore", "placements"], "configurationStore");
  }

  async create(inputs: RackMapSeedInputs): Promise<pulumi.dynamic.CreateResult<RackMapSeedInputs>> {
    await this.seed(inputs);
    return { id: "rack-map-seed", outs: inputs };
  }

  async update(_id: string, _olds: RackMapSeedInputs, news: RackMapSeedInputs): Promise<pulumi.dynamic.UpdateResult<RackMapSeedInputs>> {
    await this.seed(news);
    return { outs: news };
  }

  // No read and no delete: what the map holds once the bookies run is BookieRack's to read and remove.

  private async seed(inputs: RackMapSeedInputs): Promise<void> {
    await new ZooKeeperStore({ connect: inputs.configurationStore }).updateJson<RacksInfo>(BOOKIES_PATH, (current) => seeded(current ?? {}, inputs.placements));
  }
}

/** One provider for every resource of the kind, loaded from this file in the engine's provider process. */
const rackMapSeedProvider = providerLoadedFrom(__filename, RackMapSeedProvider);

export class RackMapSeed extends LoadedDynamicResource {
  constructor(name: string, args: { [K in keyof RackMapSeedInputs]: pulumi.Input<RackMapSeedInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
    super(rackMapSeedProvider, name, args, opts, "RackMapSeed");
  }
}
