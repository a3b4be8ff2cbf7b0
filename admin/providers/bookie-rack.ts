import * as pulumi from "../../lib/pulumi";
import { BookieRackInfo } from "../pulsar-admin";
import { RackMapCopy, brokerRackMap, placementIn, zooKeeperRackMap, zooKeeperRackMapLocation } from "../rack-map";
import { ZooKeeperStore } from "../zookeeper";
import { AdminProvider } from "./admin-provider";
import { diffOn, liveResult, readOrKeep, requireState } from "../../lib/dynamic-provider";
import { LoadedDynamicResource, providerLoadedFrom } from "../../lib/loaded-provider";

/**
 * One bookie's placement (affinity group, rack, hostname), written to every copy of the rack map:
 * each Pulsar cluster's own (its brokers place new ledgers by it) and the configuration store's
 * (the bookies' autorecovery places re-replicated copies by it). `read` compares every copy.
 */
export interface BookieRackInputs {
  /** Bookie id, `host:port`. */
  readonly bookie: string;
  readonly group: string;
  readonly rack: string;
  readonly hostname: string;
  /** Admin URL of one broker of each cluster. */
  readonly adminUrls: string[];
  /** The configuration store (`host:port`) whose `/bookies` the bookies read; without it that copy is not kept. */
  readonly configurationStore?: string;
}

export interface BookieRackOutputs extends BookieRackInputs {
  /** The placement each copy holds, by its location (admin URL or `zk://…/bookies`); null where the bookie is missing. */
  readonly placements: Record<string, BookieRackInfo | null>;
  /**
   * True when every copy already held the placement before the stack filed it (clusters someone
   * else runs): deleting the resource then releases the entries instead of removing them.
   */
  readonly adopted?: boolean;
}

const DESIRED_KEYS = ["bookie", "group", "rack", "hostname", "adminUrls", "configurationStore"] as const;

/** Where the copies of the rack map live, as locations. */
export const copyLocations = (want: BookieRackInputs): string[] => [
  ...want.adminUrls,
  ...(want.configurationStore ? [zooKeeperRackMapLocation(want.configurationStore)] : []),
];

const samePlacement = (live: BookieRackInfo | null, want: BookieRackInputs) =>
  live !== null && live.group === want.group && live.rack === want.rack && live.hostname === want.hostname;

/** The copies (by location) that must be written to hold the wanted placement. */
export function copiesToWrite(want: BookieRackInputs, placements: Record<string, BookieRackInfo | null>): string[] {
  return copyLocations(want).filter((location) => !samePlacement(placements[location] ?? null, want));
}

/**
 * What the live copies say, as inputs: a field that every copy agrees on keeps its value, a field
 * they disagree on or miss becomes "" so that the next `pulumi up` writes it again.
 */
export function liveInputs(want: BookieRackInputs, placements: Record<string, BookieRackInfo | null>): BookieRackInputs {
  const agreed = (field: keyof BookieRackInfo) => {
    const values = new Set(copyLocations(want).map((location) => placements[location]?.[field] ?? ""));
    return values.size === 1 ? [...values][0] : "";
  };
  return { ...want, group: agreed("group"), rack: agreed("rack"), hostname: agreed("hostname") };
}

export class BookieRackProvider extends AdminProvider implements pulumi.dynamic.ResourceProvider<BookieRackInputs, BookieRackOutputs> {
  async check(_olds: BookieRackInputs, news: BookieRackInputs): Promise<pulumi.dynamic.CheckResult<BookieRackInputs>> {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!/^[^:\s]+:\d+$/.test(news.bookie ?? "")) failures.push({ property: "bookie", reason: `"${news.bookie}" is not a bookie id (host:port)` });
    if (!news.group) failures.push({ property: "group", reason: "a bookie needs an affinity group" });
    if (!news.rack) failures.push({ property: "rack", reason: "a bookie needs a rack" });
    if (!news.adminUrls?.length) failures.push({ property: "adminUrls", reason: "at least one cluster's admin URL is needed" });
    return { inputs: news, failures };
  }

  async diff(_id: string, olds: BookieRackOutputs, news: BookieRackInputs): Promise<pulumi.dynamic.DiffResult> {
    return diffOn(olds, news, DESIRED_KEYS, "bookie");
  }

  async create(inputs: BookieRackInputs): Promise<pulumi.dynamic.CreateResult<BookieRackOutputs>> {
    const live = await this.placements(inputs);
    const adopted = copiesToWrite(inputs, live).length === 0;
    return { id: inputs.bookie, outs: { ...(await this.apply(inputs, live)), adopted } };
  }

  async read(id: string, state?: BookieRackOutputs): Promise<pulumi.dynamic.ReadResult<BookieRackOutputs>> {
    const props = requireState(state, "BookieRack");
    const placements = await this.placements(props, props.placements);
    const inputs = liveInputs(props, placements);
    return liveResult(id, { ...inputs, placements, adopted: props.adopted }, inputs);
  }

  async update(_id: string, olds: BookieRackOutputs, news: BookieRackInputs): Promise<pulumi.dynamic.UpdateResult<BookieRackOutputs>> {
    // Copies dropped from the plan lose the entry; the rest are written only where they differ.
    const kept = new Set(copyLocations(news));
    await Promise.all(this.copies(olds).filter((c) => !kept.has(c.location)).map((c) => c.remove(olds.bookie)));
    return { outs: { ...(await this.apply(news, await this.placements(news))), adopted: olds.adopted } };
  }

  async delete(_id: string, props: BookieRackOutputs): Promise<void> {
    if (props.adopted) {
      await pulumi.log.info(`${props.bookie} was filed in ${props.group} before this stack, so its rack entries are released, not removed`);
      return;
    }
    await Promise.all(this.copies(props).map((c) => c.remove(props.bookie)));
  }

  private copies(want: BookieRackInputs): RackMapCopy[] {
    return [
      ...want.adminUrls.map((url) => brokerRackMap(this.admin(url))),
      ...(want.configurationStore ? [zooKeeperRackMap(new ZooKeeperStore({ connect: want.configurationStore }))] : []),
    ];
  }

  /** The bookie's placement in every copy; with `lastKnown`, a copy that cannot be reached keeps its last known placement. */
  private async placements(want: BookieRackInputs, lastKnown?: Record<string, BookieRackInfo | null>): Promise<Record<string, BookieRackInfo | null>> {
    const entries = await Promise.all(
      this.copies(want).map(async (c) => {
        const read = async () => placementIn(await c.read(), want.bookie);
        const placement = lastKnown ? await readOrKeep(`the rack map at ${c.location}`, lastKnown[c.location] ?? null, read) : await read();
        return [c.location, placement] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  private async apply(want: BookieRackInputs, live: Record<string, BookieRackInfo | null>): Promise<BookieRackOutputs> {
    const targets = new Set(copiesToWrite(want, live));
    const placement = { group: want.group, rack: want.rack, hostname: want.hostname };
    await Promise.all(this.copies(want).filter((c) => targets.has(c.location)).map((c) => c.place(want.bookie, placement)));
    const placements = { ...live, ...Object.fromEntries([...targets].map((location) => [location, placement])) };
    return { ...want, placements };
  }
}

export type BookieRackArgs = { [K in keyof BookieRackInputs]: pulumi.Input<BookieRackInputs[K]> };

/** One provider for every resource of the kind, loaded from this file in the engine's provider process. */
const bookieRackProvider = providerLoadedFrom(__filename, BookieRackProvider);

export class BookieRack extends LoadedDynamicResource {
  declare readonly bookie: pulumi.Output<string>;
  declare readonly group: pulumi.Output<string>;
  declare readonly rack: pulumi.Output<string>;
  declare readonly placements: pulumi.Output<Record<string, BookieRackInfo | null>>;

  constructor(name: string, args: BookieRackArgs, opts?: pulumi.CustomResourceOptions) {
    super(bookieRackProvider, name, { placements: undefined, adopted: undefined, configurationStore: undefined, ...args }, opts, "BookieRack");
  }
}
