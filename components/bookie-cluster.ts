import * as pulumi from "../lib/pulumi";
import { RackMapSeed, RackMapSeedInputs } from "../admin";
import { ledgersServiceUri } from "../config/derived";
import { BookieMembership, BookieNode, BookieRollout, NodeRunner, NodeSpec, bookieNode, bookkeeperInit, configuredRecoveryDelay } from "../runtime";
import { BookKeeperRef, BookieRef, ConfigurationStoreRef, Placement } from "./references";
import { bookieIdOf, filedHostname } from "../rules/names";

export interface BookieArgs extends BookieNode {
  /** The bookie's HTTP API as the machine running Pulumi reaches it (default: `http://host:httpPort`). */
  readonly httpUrl?: string;
  /**
   * Its group and rack, written to the bookies' rack map before any bookie starts, so that no
   * bookie's placement policy starts without them (admin/providers/rack-map-seed.ts). The bookie's
   * ref carries it to `NamespaceAffinity`, whose `BookieRack` keeps the map right afterwards.
   */
  readonly placement?: Placement;
}

export interface BookieClusterArgs {
  /** Runs the bookies and the metadata bootstrap. */
  readonly runner: NodeRunner;
  /** Holds BookKeeper's metadata (`/ledgers`) and the bookies' copy of the rack map. */
  readonly configurationStore: ConfigurationStoreRef;
  readonly bookies: readonly BookieArgs[];
  /** Extra bookkeeper.conf settings for every bookie. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
}

/** The bookies as other components see them: name, id and placement. */
export const bookieRefsOf = (bookies: readonly BookieArgs[]): BookieRef[] =>
  bookies.map((b) => ({ name: b.name, id: bookieIdOf(b.host, b.bookiePort), ...(b.placement ? { placement: b.placement } : {}) }));

/** The bookies' rack map as it must be before they start: the placements of those that have one. */
export function rackMapSeedInputs(bookies: readonly BookieArgs[], configurationStore: string): RackMapSeedInputs | undefined {
  const placed = bookieRefsOf(bookies).flatMap(({ id, placement }) => (placement ? [{ id, placement }] : []));
  if (!placed.length) return undefined;
  return {
    configurationStore,
    placements: Object.fromEntries(placed.map(({ id, placement }) => [id, { ...placement, hostname: filedHostname(id, placement.hostname) }])),
  };
}

/** What the bookie's membership restarts it on, where its node's resource does not. */
function rolloutOf(runner: NodeRunner, spec: NodeSpec): { rollout?: BookieRollout } {
  const revision = runner.bookieRevision?.(spec);
  return revision === undefined ? {} : { rollout: { revision, recoveryDelay: configuredRecoveryDelay(spec.settings) } };
}

/** The one BookKeeper cluster that every Pulsar cluster writes its ledgers to. */
export class BookieCluster extends pulumi.ComponentResource implements BookKeeperRef {
  readonly bookies: readonly BookieRef[];
  readonly metadataServiceUri: pulumi.Output<string>;
  /** Bookie ids (`host:port`) by bookie name. */
  readonly bookieIds: pulumi.Output<Record<string, string>>;
  /**
   * Each bookie's membership of the cluster, by bookie name: ready once the bookie is writable,
   * and deleted (decommissioning a removed bookie) after its rack entries and before its node.
   */
  readonly memberOf: Record<string, BookieMembership>;

  constructor(name: string, args: BookieClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("pulsar:index:BookieCluster", name, {}, opts);
    const { runner, configurationStore } = args;
    const metadata = runner.bootstrap(bookkeeperInit(configurationStore.connect), { parent: this, dependsOn: [...configurationStore.ready] });
    const seed = rackMapSeedInputs(args.bookies, configurationStore.reachableConnect);
    const rackMap = seed ? [new RackMapSeed(`${name}-rack-map`, seed, { parent: this, dependsOn: [...configurationStore.ready] })] : [];
    const httpUrlOf = (b: BookieArgs) => b.httpUrl ?? `http://${b.host}:${b.httpPort}`;
    this.memberOf = {};
    for (const b of args.bookies) {
      const spec = bookieNode(b, { configurationStore: configurationStore.connect, settings: args.settings });
      const node = runner.node(spec, { parent: this, dependsOn: [metadata, ...rackMap] });
      this.memberOf[b.name] = new BookieMembership(
        `${b.name}-membership`,
        {
          name: b.name,
          bookie: bookieIdOf(b.host, b.bookiePort),
          httpUrl: httpUrlOf(b),
          peerUrls: args.bookies.filter((other) => other.name !== b.name).map(httpUrlOf),
          metadataStore: configurationStore.reachableConnect,
          control: runner.control(spec),
          ...rolloutOf(runner, spec),
        },
        { parent: this, dependsOn: [node] },
      );
    }
    this.bookies = bookieRefsOf(args.bookies).map((ref) => ({ ...ref, ready: this.memberOf[ref.name] }));
    this.metadataServiceUri = pulumi.output(ledgersServiceUri(configurationStore.connect));
    this.bookieIds = pulumi.output(Object.fromEntries(this.bookies.map((b) => [b.name, b.id])));
    this.registerOutputs({ metadataServiceUri: this.metadataServiceUri, bookieIds: this.bookieIds });
  }
}
