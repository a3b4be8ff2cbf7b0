import * as pulumi from "@pulumi/pulumi";
import { BookieRackInfo, RacksInfo } from "../pulsar-admin";
import { AdminProvider } from "./admin-provider";
import { diffOn, liveResult, requireState } from "../../lib/dynamic-provider";

/**
 * One bookie's placement (affinity group, rack, hostname), applied to the rack map of every
 * Pulsar cluster that shares the BookKeeper cluster: each cluster keeps its own map.
 */
export interface BookieRackInputs {
  /** Bookie id, `host:port`. */
  readonly bookie: string;
  readonly group: string;
  readonly rack: string;
  readonly hostname: string;
  /** Admin URL of one broker of each cluster. */
  readonly adminUrls: string[];
}

export interface BookieRackOutputs extends BookieRackInputs {
  /** The placement each cluster holds, by admin URL; null where the bookie is missing. */
  readonly placements: Record<string, BookieRackInfo | null>;
}

const DESIRED_KEYS = ["bookie", "group", "rack", "hostname", "adminUrls"] as const;

/** The bookie's entry in one cluster's rack map, whichever group it is filed under. */
export function placementIn(racks: RacksInfo, bookie: string): BookieRackInfo | null {
  for (const [group, bookies] of Object.entries(racks)) {
    const entry = bookies[bookie];
    if (entry) return { group, rack: entry.rack ?? "", hostname: entry.hostname ?? "" };
  }
  return null;
}

const samePlacement = (live: BookieRackInfo | null, want: BookieRackInputs) =>
  live !== null && live.group === want.group && live.rack === want.rack && live.hostname === want.hostname;

/** The clusters whose rack map must be written to hold the wanted placement. */
export function clustersToWrite(want: BookieRackInputs, placements: Record<string, BookieRackInfo | null>): string[] {
  return want.adminUrls.filter((url) => !samePlacement(placements[url] ?? null, want));
}

/**
 * What the live maps say, as inputs: a field that all clusters agree on keeps its value, a field
 * they disagree on or miss becomes "" so that the next `pulumi up` writes it again.
 */
export function liveInputs(want: BookieRackInputs, placements: Record<string, BookieRackInfo | null>): BookieRackInputs {
  const agreed = (field: keyof BookieRackInfo) => {
    const values = new Set(want.adminUrls.map((url) => placements[url]?.[field] ?? ""));
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
    return { id: inputs.bookie, outs: await this.apply(inputs, await this.placements(inputs.adminUrls, inputs.bookie)) };
  }

  async read(id: string, state?: BookieRackOutputs): Promise<pulumi.dynamic.ReadResult<BookieRackOutputs>> {
    const props = requireState(state, "BookieRack");
    const placements = await this.placements(props.adminUrls, props.bookie);
    const inputs = liveInputs(props, placements);
    return liveResult(id, { ...inputs, placements }, inputs);
  }

  async update(_id: string, olds: BookieRackOutputs, news: BookieRackInputs): Promise<pulumi.dynamic.UpdateResult<BookieRackOutputs>> {
    // Clusters dropped from the plan lose the entry; the rest are written only where they differ.
    const dropped = olds.adminUrls.filter((url) => !news.adminUrls.includes(url));
    await Promise.all(dropped.map((url) => this.admin(url).deleteBookieRack(olds.bookie)));
    return { outs: await this.apply(news, await this.placements(news.adminUrls, news.bookie)) };
  }

  async delete(_id: string, props: BookieRackOutputs): Promise<void> {
    await Promise.all(props.adminUrls.map((url) => this.admin(url).deleteBookieRack(props.bookie)));
  }

  private async placements(adminUrls: string[], bookie: string): Promise<Record<string, BookieRackInfo | null>> {
    const entries = await Promise.all(adminUrls.map(async (url) => [url, placementIn(await this.admin(url).racksInfo(), bookie)] as const));
    return Object.fromEntries(entries);
  }

  private async apply(want: BookieRackInputs, live: Record<string, BookieRackInfo | null>): Promise<BookieRackOutputs> {
    const targets = clustersToWrite(want, live);
    const placement = { group: want.group, rack: want.rack, hostname: want.hostname };
    await Promise.all(targets.map((url) => this.admin(url).setBookieRack(want.bookie, placement)));
    const placements = { ...live, ...Object.fromEntries(targets.map((url) => [url, placement])) };
    return { ...want, placements };
  }
}

export type BookieRackArgs = { [K in keyof BookieRackInputs]: pulumi.Input<BookieRackInputs[K]> };

export class BookieRack extends pulumi.dynamic.Resource {
  declare readonly bookie: pulumi.Output<string>;
  declare readonly group: pulumi.Output<string>;
  declare readonly rack: pulumi.Output<string>;
  declare readonly placements: pulumi.Output<Record<string, BookieRackInfo | null>>;

  constructor(name: string, args: BookieRackArgs, opts?: pulumi.CustomResourceOptions) {
    super(new BookieRackProvider(), name, { placements: undefined, ...args }, opts, "pulsar-isolation", "BookieRack");
  }
}
