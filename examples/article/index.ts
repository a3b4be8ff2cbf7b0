import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { BookieCluster, ConfigurationStore, NamespaceAffinity, PulsarCluster } from "../../components";
import { localPaths, localRunner } from "../../runtime";

/**
 * StreamNative's "Pulsar Isolation Part III" topology, composed from the components directly:
 * one configuration store, four bookies in two affinity groups, two clusters of one broker and
 * one ZooKeeper each, and a namespace per cluster pinned to its group. Nodes run as local
 * processes of the Pulsar distribution the project's toolchain fetched.
 *
 * There is no schema here: the policy pack (`--policy-pack ../../policy`) is what judges the
 * plan. `pulumi config set ensembleSize 3` makes the brokers' ledgers wider than the groups.
 */
const config = new pulumi.Config();
const host = "127.0.0.1";
const projectRoot = path.resolve(__dirname, "..", "..");
const runner = localRunner(localPaths(projectRoot, `example-${pulumi.getStack()}`, "4.0.8"));
const managedLedger = {
  ensembleSize: config.getNumber("ensembleSize") ?? 2,
  writeQuorum: 2,
  ackQuorum: 2,
  maxEntriesPerLedger: 100,
  minLedgerRolloverMinutes: 0,
};

const store = new ConfigurationStore("configuration-store", {
  runner,
  zookeeper: { name: "configuration-store", host, clientPort: 2181, adminPort: 9991 },
});

/** Each bookie's affinity group and rack: bk1 and bk2 in one, bk3 and bk4 in the other. The bookies' refs carry it to the isolation. */
const placementOf = (i: number) => (i <= 2 ? { group: "group-bookie1", rack: "rack1" } : { group: "group-bookie2", rack: "rack2" });

const bookkeeper = new BookieCluster("bookkeeper", {
  runner,
  configurationStore: store,
  bookies: [1, 2, 3, 4].map((i) => ({ name: `bk${i}`, host, bookiePort: 3180 + i, httpPort: 8010 + i, placement: placementOf(i) })),
});

const cluster1 = new PulsarCluster("cluster1", {
  runner,
  configurationStore: store,
  bookkeeper,
  zookeeper: { host, clientPort: 2182, adminPort: 9992 },
  brokers: [{ name: "broker1", host, servicePort: 6650, webPort: 8080 }],
  managedLedger,
  // Schemas and namespaces without a group stay on the cluster's own bookies.
  defaultGroups: { primary: ["group-bookie1"], secondary: [] },
});

const cluster2 = new PulsarCluster("cluster2", {
  runner,
  configurationStore: store,
  bookkeeper,
  zookeeper: { host, clientPort: 2183, adminPort: 9993 },
  brokers: [{ name: "broker2", host, servicePort: 6651, webPort: 8081 }],
  managedLedger,
  defaultGroups: { primary: ["group-bookie2"], secondary: [] },
  // Cluster initialisations both update the shared `public` tenant: one after the other.
  initialiseAfter: [cluster1.metadata],
});

const retention = { retentionSizeInMB: 1024, retentionTimeInMinutes: 3 * 24 * 60 };

const isolation = new NamespaceAffinity("isolation", {
  clusters: [cluster1, cluster2],
  configurationStore: store,
  bookies: bookkeeper.bookies,
  namespaces: [
    { name: "public/c1-ns1", cluster: "cluster1", bundles: 30, retention, affinity: { primary: "group-bookie1" } },
    { name: "public/c2-ns1", cluster: "cluster2", bundles: 30, retention, affinity: { primary: "group-bookie2" } },
  ],
});

export const adminUrls = { cluster1: cluster1.adminUrls, cluster2: cluster2.adminUrls };
export const rackMap = isolation.groups;
