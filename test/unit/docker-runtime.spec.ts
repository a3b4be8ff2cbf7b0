import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseTopology } from "../../config";
import { policies } from "../../policy/policies";
import { ResourceLike, topologyView } from "../../policy/plan-view";
import { bookieSpec, bookkeeperInitCommand, brokerSpec, configurationStoreSpec, topologyNodes, zookeeperSpec } from "../../runtime";
import {
  BOOTSTRAP_ENTRY_SCRIPT,
  ENTRY_ENV,
  LISTEN_SETTINGS,
  NODE_ENTRY_SCRIPT,
  bootstrapContainer,
  dockerRunArgs,
  nodeContainer,
  toExtendedRegex,
} from "../../runtime/docker";
import { applySettings } from "../../runtime/local";
import { ProgramRun, RecordedResource, runProgram } from "../support/program-under-mocks";
import { promiseOf } from "../support/mocks";
import { stackConfig, stackTopology } from "../support/stack-config";
import { settingsIn } from "../support/container-settings";

const CONTAINER = "docker:index/container:Container";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const PASSWORD_KEY = "pulsar-isolation:dockerRegistryPassword";

const named = (run: ProgramRun, type: string, name: string): RecordedResource => {
  const found = run.resources.find((r) => r.type === type && r.name === name);
  assert.ok(found, `no ${type} named ${name}`);
  return found;
};
const container = (run: ProgramRun, name: string) => named(run, CONTAINER, name).inputs;
const envOf = (inputs: Record<string, any>): Record<string, string> =>
  Object.fromEntries((inputs.envs as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
const settingsOf = (inputs: Record<string, any>): Record<string, string> => settingsIn(envOf(inputs)[ENTRY_ENV.settings]);
const dependsOn = (run: ProgramRun, name: string) => [...named(run, CONTAINER, name).dependsOn].sort();

/** The recorded resources as the policy engine sees them. */
const asPolicyResources = (run: ProgramRun): ResourceLike[] =>
  run.resources.map((r) => ({ type: r.type, name: r.name, urn: `urn:${r.type}::${r.name}`, props: structuredClone(r.inputs) }));

function violations(resources: ResourceLike[]): string[] {
  const messages: string[] = [];
  const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => { throw new Error("n/a"); } };
  for (const policy of policies) policy.validateStack(args as any, (message: string) => messages.push(`${policy.name}: ${message}`));
  return messages;
}

describe("docker runtime: container specs", () => {
  const topology = parseTopology(stackTopology("docker-local"));
  const options = { prefix: "pulsar-test", image: "pulsar-image", pulsarHome: "/pulsar", dockerHosts: [], jvmCompiler: "full" as const };

  it("writes settings over a configuration file in the container as the local runtime does (sh + awk)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulsar-isolation-merge-"));
    try {
      const original = "# BookKeeper\nbookiePort=3181\n  journalDirectory = data/journal\n#advertisedAddress=\nledgerDirectories=data/ledgers\nbookiePort=3999\n";
      const settings = { bookiePort: "13181", advertisedAddress: "bk1", ledgerDirectories: "/pulsar/data/ledgers", "a.b": "x=y&z\\1" };
      fs.writeFileSync(path.join(dir, "in.conf"), original);
      const env = {
        PATH: process.env.PATH,
        [ENTRY_ENV.settings]: Object.entries(settings).map(([k, v]) => `${k}=${v}`).join("\n"),
        [ENTRY_ENV.from]: path.join(dir, "in.conf"),
        [ENTRY_ENV.to]: path.join(dir, "out", "out.conf"),
      };
      // The node script ends by exec'ing bin/pulsar; run only what comes before.
      const merge = NODE_ENTRY_SCRIPT.replace(/\nexec bin\/pulsar "\$@"$/, "");
      execFileSync("sh", ["-c", merge], { env });
      const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");
      assert.deepEqual(lines(fs.readFileSync(path.join(dir, "out", "out.conf"), "utf8")), lines(applySettings(original, settings)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("recognises initnewcluster's 'already exists' in the container as the local runtime does", () => {
    const command = bookkeeperInitCommand(topology);
    const ere = toExtendedRegex(command.alreadyDone!);
    const message = "ERROR Ledger root path: /ledgers already exists";
    assert.ok(new RegExp(command.alreadyDone!).test(message));
    const script = BOOTSTRAP_ENTRY_SCRIPT;
    const run = (out: string, code: number) =>
      execFileSync("sh", ["-c", script, "test", "sh", "-c", `echo '${out}'; exit ${code}`], {
        env: { PATH: process.env.PATH, [ENTRY_ENV.to]: "", [ENTRY_ENV.settings]: "", [ENTRY_ENV.alreadyDone]: ere },
        encoding: "utf8",
      });
    assert.match(run(message, 1), /already done/);
    assert.throws(() => run("ERROR something else", 1));
    assert.throws(() => toExtendedRegex(String.raw`a\bb`), /no grep -E equivalent/);
  });

  it("listens on every interface in a container and keeps the advertised address", () => {
    for (const spec of topologyNodes(topology)) {
      const settings = Object.fromEntries(nodeContainer(spec, options).env[ENTRY_ENV.settings].split("\n").map((l) => l.split("=")));
      const listening = LISTEN_SETTINGS.filter((k) => k in spec.settings);
      assert.ok(listening.length > 0, `${spec.name} sets none of ${LISTEN_SETTINGS.join(", ")}`);
      // Every setting spec.ts gives the node's own address is either a listen setting or the advertised address.
      const ownAddress = Object.keys(spec.settings).filter((k) => spec.settings[k] === spec.host);
      assert.deepEqual(ownAddress.filter((k) => !listening.includes(k as never) && k !== "advertisedAddress"), [], spec.name);
      for (const key of listening) assert.equal(settings[key], "0.0.0.0", `${spec.name} ${key}`);
      if ("advertisedAddress" in spec.settings) assert.equal(settings.advertisedAddress, spec.host);
    }
  });

  it("runs the containers' JVMs with the JVM's own compilers, or the quick one alone when the stack asks for it", () => {
    for (const spec of topologyNodes(topology)) {
      assert.equal(nodeContainer(spec, options).env.PULSAR_GC, spec.env.PULSAR_GC, spec.name);
      assert.equal(nodeContainer(spec, { ...options, jvmCompiler: "quick" }).env.PULSAR_GC, `${spec.env.PULSAR_GC} -XX:TieredStopAtLevel=1`, spec.name);
    }
  });

  it("renders the same spec as `docker run` arguments", () => {
    const args = dockerRunArgs(nodeContainer(bookieSpec(topology, topology.bookies[0]), options));
    const after = (flag: string) => args.filter((_, i) => args[i - 1] === flag);
    assert.deepEqual(args.slice(0, 4), ["run", "--detach", "--name", "pulsar-test-bk1"]);
    assert.deepEqual(after("--network"), ["pulsar-test"]);
    assert.deepEqual(after("--network-alias"), ["bk1"]);
    assert.deepEqual(after("--publish"), ["127.0.0.1:13181:13181", "127.0.0.1:18011:18011"]);
    assert.deepEqual(after("--volume"), ["pulsar-test-bk1-data:/pulsar/data"]);
    assert.deepEqual(after("--restart"), ["unless-stopped"]);
    assert.ok(after("--env").includes("PULSAR_BOOKKEEPER_CONF=/tmp/pulsar-isolation/bookkeeper.conf"));
    assert.match(after("--health-cmd")[0], /^bash -c 'exec 3<>\/dev\/tcp\/127\.0\.0\.1\/18011 .*is_ready/);
    assert.deepEqual(args.slice(args.indexOf("--entrypoint")), ["--entrypoint", "sh", "pulsar-image", "-c", NODE_ENTRY_SCRIPT, "pulsar-isolation", "bookie"]);
    const oneShot = dockerRunArgs(bootstrapContainer(bookkeeperInitCommand(topology), options));
    assert.deepEqual(oneShot.slice(0, 2), ["run", "--rm"]);
    assert.deepEqual(oneShot.slice(-3), ["bin/bookkeeper", "shell", "initnewcluster"]);
    assert.ok(!oneShot.includes("--health-cmd") && !oneShot.includes("--publish"));
  });

  it("keeps data in a named volume exactly for the nodes whose settings name the data folder", () => {
    const withVolume = topologyNodes(topology).filter((s) => nodeContainer(s, options).volumes.length > 0).map((s) => s.role);
    assert.deepEqual([...new Set(withVolume)], ["configuration-store", "zookeeper", "bookie"]);
    assert.deepEqual(nodeContainer(brokerSpec(topology, topology.clusters[0], topology.clusters[0].brokers[0]), options).volumes, []);
    assert.deepEqual(nodeContainer(zookeeperSpec(topology, topology.clusters[1]), options).volumes, [
      { volume: "pulsar-test-cluster2-zookeeper-data", containerPath: "/pulsar/data" },
    ]);
    assert.equal(nodeContainer(configurationStoreSpec(topology), options).env[ENTRY_ENV.settings].includes("{{data}}"), false);
  });

});

describe("docker runtime: the docker-local stack under Pulumi's mocks", function () {
  this.timeout(60_000);
  let run: ProgramRun;

  before(async () => {
    run = await runProgram("docker-local", stackConfig("docker-local"));
  });

  it("registers one network, one image, seven data volumes, nine node containers and three one-shots, on the default engine", () => {
    const ofType = (t: string) => run.resources.filter((r) => r.type === t).map((r) => r.name).sort();
    assert.deepEqual(ofType("docker:index/network:Network"), ["network"]);
    assert.deepEqual(named(run, "docker:index/network:Network", "network").inputs, { name: "pulsar-docker-local", driver: "bridge" });
    assert.deepEqual(named(run, "docker:index/remoteImage:RemoteImage", "image").inputs, { name: "apachepulsar/pulsar:4.0.8", keepLocally: true });
    assert.deepEqual(ofType("docker:index/volume:Volume"), [
      "bk1-data", "bk2-data", "bk3-data", "bk4-data", "cluster1-zookeeper-data", "cluster2-zookeeper-data", "configuration-store-data",
    ]);
    assert.deepEqual(ofType(CONTAINER), [
      "bk1", "bk2", "bk3", "bk4", "bookkeeper-init", "broker1", "broker2", "cluster1-metadata", "cluster1-zookeeper", "cluster2-metadata",
      "cluster2-zookeeper", "configuration-store",
    ]);
    assert.deepEqual(ofType("pulumi:providers:docker"), []);
    assert.ok(run.resources.every((r) => r.provider === ""), "every resource uses the default provider");
    assert.equal(run.resources.filter((r) => r.type.endsWith(":LocalNode") || r.type.endsWith(":BootstrapStep")).length, 0);
  });

  it("the configuration store: ZooKeeper in the image, its settings, ports, volume, network and health check", () => {
    const c = container(run, "configuration-store");
    assert.equal(c.name, "pulsar-docker-local-configuration-store");
    assert.equal(c.hostname, "configuration-store");
    assert.equal(c.image, "apachepulsar/pulsar:4.0.8");
    assert.equal(c.workingDir, "/pulsar");
    assert.deepEqual(c.entrypoints, ["sh", "-c", NODE_ENTRY_SCRIPT, "pulsar-isolation"]);
    assert.deepEqual(c.command, ["configuration-store"]);
    const env = envOf(c);
    assert.equal(env.PULSAR_CONFIGURATION_STORE_CONF, "/tmp/pulsar-isolation/global_zookeeper.conf");
    assert.equal(env[ENTRY_ENV.from], "/pulsar/conf/global_zookeeper.conf");
    assert.equal(env[ENTRY_ENV.to], "/tmp/pulsar-isolation/global_zookeeper.conf");
    assert.equal(env.PULSAR_MEM, "-Xms64m -Xmx256m");
    assert.deepEqual(settingsOf(c), {
      dataDir: "/pulsar/data/zookeeper",
      clientPort: "12181",
      clientPortAddress: "0.0.0.0",
      "admin.enableServer": "true",
      "admin.serverAddress": "0.0.0.0",
      "admin.serverPort": "19991",
      "metricsProvider.className": "org.apache.zookeeper.metrics.impl.NullMetricsProvider",
    });
    assert.deepEqual(c.ports, [{ internal: 12181, external: 12181, ip: "127.0.0.1" }, { internal: 19991, external: 19991, ip: "127.0.0.1" }]);
    assert.deepEqual(c.volumes, [{ volumeName: "pulsar-docker-local-configuration-store-data", containerPath: "/pulsar/data" }]);
    assert.deepEqual(c.networksAdvanced, [{ name: "pulsar-docker-local", aliases: ["configuration-store"] }]);
    assert.equal(c.healthcheck.tests[0], "CMD");
    assert.match(c.healthcheck.tests[3], /\/dev\/tcp\/127\.0\.0\.1\/19991 .*GET \/commands\/ruok /);
    assert.equal(c.restart, "unless-stopped");
    assert.equal(c.wait, true);
    assert.deepEqual(dependsOn(run, "configuration-store"), ["configuration-store-data", "image", "network"]);
    assert.equal(named(run, "docker:index/volume:Volume", "configuration-store-data").inputs.name, "pulsar-docker-local-configuration-store-data");
  });

  it("a bookie: advertised by its container name, the shared metadata, its ports and volume, after the BookKeeper metadata", () => {
    const c = container(run, "bk3");
    assert.deepEqual(c.command, ["bookie"]);
    assert.equal(c.hostname, "bk3");
    assert.equal(envOf(c).PULSAR_BOOKKEEPER_CONF, "/tmp/pulsar-isolation/bookkeeper.conf");
    assert.deepEqual(settingsOf(c), {
      bookiePort: "13183",
      advertisedAddress: "bk3",
      allowLoopback: "true",
      metadataServiceUri: "",
      zkServers: "configuration-store:12181",
      zkLedgersRootPath: "/ledgers",
      autoRecoveryDaemonEnabled: "true",
      ensemblePlacementPolicy: "pulsarisolation.placement.GroupKeepingPlacementPolicy",
      reppDnsResolverClass: "org.apache.pulsar.bookie.rackawareness.BookieRackAffinityMapping",
      isolationBookieGroups: "*",
      journalDirectory: "/pulsar/data/journal",
      ledgerDirectories: "/pulsar/data/ledgers",
      httpServerEnabled: "true",
      httpServerPort: "18013",
      httpServerHost: "0.0.0.0",
      enableStatistics: "false",
    });
    assert.deepEqual(c.ports, [{ internal: 13183, external: 13183, ip: "127.0.0.1" }, { internal: 18013, external: 18013, ip: "127.0.0.1" }]);
    assert.deepEqual(c.volumes, [{ volumeName: "pulsar-docker-local-bk3-data", containerPath: "/pulsar/data" }]);
    assert.deepEqual(c.networksAdvanced, [{ name: "pulsar-docker-local", aliases: ["bk3"] }]);
    assert.match(c.healthcheck.tests[3], /127\.0\.0\.1\/18013 .*\/api\/v1\/bookie\/is_ready/);
    assert.deepEqual(dependsOn(run, "bk3"), ["bk3-data", "bookkeeper-init", "bookkeeper-rack-map", "image", "network"]);
  });

  it("a cluster's ZooKeeper: its own script, settings, ports and volume, independent of the store", () => {
    const c = container(run, "cluster2-zookeeper");
    assert.deepEqual(c.command, ["zookeeper"]);
    assert.equal(envOf(c).PULSAR_ZK_CONF, "/tmp/pulsar-isolation/zookeeper.conf");
    assert.equal(envOf(c)[ENTRY_ENV.from], "/pulsar/conf/zookeeper.conf");
    assert.equal(settingsOf(c).clientPort, "12183");
    assert.equal(settingsOf(c)["admin.serverPort"], "19993");
    assert.deepEqual(c.ports, [{ internal: 12183, external: 12183, ip: "127.0.0.1" }, { internal: 19993, external: 19993, ip: "127.0.0.1" }]);
    assert.deepEqual(c.volumes, [{ volumeName: "pulsar-docker-local-cluster2-zookeeper-data", containerPath: "/pulsar/data" }]);
    assert.deepEqual(c.networksAdvanced, [{ name: "pulsar-docker-local", aliases: ["cluster2-zookeeper"] }]);
    assert.deepEqual(dependsOn(run, "cluster2-zookeeper"), ["cluster2-zookeeper-data", "image", "network"]);
  });

  it("a broker: its cluster's ZooKeeper, the shared store and BookKeeper, no volume, after its metadata and every bookie", () => {
    const c = container(run, "broker1");
    assert.deepEqual(c.command, ["broker"]);
    assert.equal(envOf(c).PULSAR_BROKER_CONF, "/tmp/pulsar-isolation/broker.conf");
    assert.equal(envOf(c).PULSAR_MEM, "-Xms256m -Xmx768m -XX:MaxDirectMemorySize=512m");
    const settings = settingsOf(c);
    assert.equal(settings.clusterName, "cluster1");
    assert.equal(settings.metadataStoreUrl, "zk:cluster1-zookeeper:12182");
    assert.equal(settings.configurationMetadataStoreUrl, "zk:configuration-store:12181");
    assert.equal(settings.bookkeeperMetadataServiceUri, "zk://configuration-store:12181/ledgers");
    assert.equal(settings.advertisedAddress, "broker1");
    assert.equal(settings.bindAddress, "0.0.0.0");
    assert.equal(settings.brokerServicePort, "16650");
    // Containers look it up by name; clients on this machine name the external listener.
    assert.equal(settings.advertisedListeners, "internal:pulsar://broker1:16650,external:pulsar://127.0.0.1:16650");
    assert.equal(settings.internalListenerName, "internal");
    assert.equal(settings.webServicePort, "18080");
    assert.equal(settings.managedLedgerDefaultEnsembleSize, "2");
    assert.equal(settings.bookkeeperClientRackawarePolicyEnabled, "true");
    assert.deepEqual(c.ports, [{ internal: 16650, external: 16650, ip: "127.0.0.1" }, { internal: 18080, external: 18080, ip: "127.0.0.1" }]);
    assert.deepEqual(c.volumes, []);
    assert.deepEqual(c.networksAdvanced, [{ name: "pulsar-docker-local", aliases: ["broker1"] }]);
    assert.match(c.healthcheck.tests[3], /127\.0\.0\.1\/18080 .*\/admin\/v2\/brokers\/ready/);
    assert.deepEqual(dependsOn(run, "broker1"), ["bk1-membership", "bk2-membership", "bk3-membership", "bk4-membership", "cluster1-metadata", "image", "network"]);
  });

  it("bootstraps with one-shot containers on the network, in the local runtime's order", () => {
    const init = container(run, "bookkeeper-init");
    assert.deepEqual(init.command, ["bin/bookkeeper", "shell", "initnewcluster"]);
    assert.deepEqual(init.entrypoints, ["sh", "-c", BOOTSTRAP_ENTRY_SCRIPT, "pulsar-isolation"]);
    assert.equal(envOf(init).BOOKIE_CONF, "/tmp/pulsar-isolation/bookkeeper-init.conf");
    assert.equal(envOf(init)[ENTRY_ENV.settings], "metadataServiceUri=zk://configuration-store:12181/ledgers");
    assert.equal(envOf(init)[ENTRY_ENV.alreadyDone], "Ledger root path: [^[:space:]]+ already exists");
    assert.deepEqual([init.mustRun, init.attach, init.logs, init.restart], [false, true, true, "no"]);
    assert.equal(init.healthcheck, undefined);
    assert.deepEqual(init.ports, []);
    assert.deepEqual(init.networksAdvanced, [{ name: "pulsar-docker-local", aliases: [] }]);
    assert.deepEqual(dependsOn(run, "bookkeeper-init"), ["configuration-store", "image", "network"]);

    const c2 = container(run, "cluster2-metadata");
    assert.ok(c2.command.includes("--web-service-url=http://broker2:18081"), "registers the broker's advertised address");
    assert.ok(c2.command.includes("--metadata-store=zk:cluster2-zookeeper:12183"));
    assert.deepEqual(dependsOn(run, "cluster2-metadata"), ["cluster1-metadata", "cluster2-zookeeper", "configuration-store", "image", "network"]);
    assert.ok(!JSON.stringify(run.resources).includes("metaformat"));
  });

  it("points the admin providers at the published ports on this machine, and keeps bookie ids by container name", () => {
    const racks = run.resources.filter((r) => r.type.endsWith(":BookieRack")).map((r) => `${r.inputs.bookie}=${r.inputs.group}@${r.inputs.adminUrls.join("+")}`);
    assert.deepEqual(racks, [
      "bk1:13181=group-bookie1@http://127.0.0.1:18080+http://127.0.0.1:18081",
      "bk2:13182=group-bookie1@http://127.0.0.1:18080+http://127.0.0.1:18081",
      "bk3:13183=group-bookie2@http://127.0.0.1:18080+http://127.0.0.1:18081",
      "bk4:13184=group-bookie2@http://127.0.0.1:18080+http://127.0.0.1:18081",
    ]);
    const groups = run.resources.filter((r) => r.type.endsWith(":AffinityGroup")).map((r) => `${r.inputs.namespace}->${r.inputs.primary}@${r.inputs.adminUrl}`);
    assert.deepEqual(groups, ["public/c1-ns1->group-bookie1@http://127.0.0.1:18080", "public/c2-ns1->group-bookie2@http://127.0.0.1:18081"]);
    assert.deepEqual(run.program.adminUrls, { cluster1: "http://127.0.0.1:18080", cluster2: "http://127.0.0.1:18081" });
    assert.deepEqual(run.program.serviceUrls, { cluster1: "pulsar://broker1:16650", cluster2: "pulsar://broker2:16651" });
  });

  it("decommissions a removed bookie before its container goes: rack entries, then the membership that stops the container, then the container", () => {
    const membership = named(run, "pulumi-nodejs:dynamic/pulsar-isolation:BookieMembership", "bk3-membership");
    assert.deepEqual(membership.dependsOn, ["bk3"]);
    assert.ok(named(run, "pulumi-nodejs:dynamic/pulsar-isolation:BookieRack", "bk3-rack").dependsOn.includes("bk3-membership"));
    assert.deepEqual(membership.inputs.control, { kind: "docker", container: "pulsar-docker-local-bk3" });
    assert.equal(membership.inputs.httpUrl, "http://127.0.0.1:18013");
    assert.equal(membership.inputs.metadataStore, "127.0.0.1:12181");
    const rack = named(run, "pulumi-nodejs:dynamic/pulsar-isolation:BookieRack", "bk3-rack");
    assert.equal(rack.inputs.configurationStore, "127.0.0.1:12181", "the bookies' copy of the rack map, through the published port");
  });

  it("passes the unchanged policy pack, which reads the containers' node facts", () => {
    const resources = asPolicyResources(run);
    const nodes = topologyView(resources).nodes;
    assert.deepEqual(nodes.map((n) => `${n.role}:${n.name}@${n.host}`).sort(), [
      "bookie:bk1@bk1", "bookie:bk2@bk2", "bookie:bk3@bk3", "bookie:bk4@bk4",
      "broker:broker1@broker1", "broker:broker2@broker2",
      "configuration-store:configuration-store@configuration-store",
      "zookeeper:cluster1-zookeeper@cluster1-zookeeper", "zookeeper:cluster2-zookeeper@cluster2-zookeeper",
    ]);
    assert.deepEqual(nodes.find((n) => n.name === "bk2")!.ports, { bookie: 13182, http: 18012 });
    assert.deepEqual(violations(resources), []);
  });

  it("fails the docker stack on the same rules: a broker default wider than its group, a bookie on another metadata service", () => {
    const resources = asPolicyResources(run);
    const setting = (name: string, key: string, value: string) => {
      const props = resources.find((r) => r.type === CONTAINER && r.name === name)!.props;
      props.envs = props.envs.map((e: string) => (e.startsWith(`${ENTRY_ENV.settings}=`) ? e.replace(new RegExp(`(^|\\n|=)${key}=[^\\n]*`), `$1${key}=${value}`) : e));
    };
    setting("broker1", "managedLedgerDefaultEnsembleSize", "3");
    setting("bk4", "zkServers", "elsewhere:2181");
    const messages = violations(resources);
    assert.ok(messages.includes('group-holds-ensemble: public/c1-ns1: "group-bookie1" have 2 bookies (bk1, bk2), fewer than the ensemble size 3 (from cluster cluster1)'), messages.join("\n"));
    assert.ok(messages.some((m) => m.startsWith("shared-metadata:") && m.includes("bk4")), messages.join("\n"));
  });
});

describe("docker runtime: the two-host layout under Pulumi's mocks", function () {
  this.timeout(60_000);
  let run: ProgramRun;

  before(async () => {
    run = await runProgram("docker-two-hosts", { ...stackConfig("docker-two-hosts"), [PASSWORD_KEY]: "s3cret-pw" }, [PASSWORD_KEY]);
  });

  const providerOf = (name: string) => named(run, CONTAINER, name).provider.split("::")[3];

  it("creates one provider per Docker host, each with the registry password as a secret", () => {
    const providers = run.resources.filter((r) => r.type === "pulumi:providers:docker");
    assert.deepEqual(providers.map((p) => [p.name, p.inputs.host]), [["docker-rack1", "ssh://pulsar@10.20.0.11"], ["docker-rack2", "ssh://pulsar@10.20.0.12"]]);
    for (const p of providers) {
      assert.equal(p.inputs.registryAuth[SECRET_SIG], "1b47061264138c4ac30d75fd1eb44270", `${p.name}: registryAuth is not a secret`);
      assert.deepEqual(JSON.parse(p.inputs.registryAuth.value), [{ address: "registry.example.com", username: "pulsar", password: "s3cret-pw" }]);
    }
    const elsewhere = run.resources.filter((r) => r.type !== "pulumi:providers:docker");
    assert.ok(!JSON.stringify(elsewhere.map((r) => r.inputs)).includes("s3cret-pw"), "the password is in another resource's inputs");
  });

  it("gives each host its network and image through its provider", () => {
    for (const host of ["rack1", "rack2"]) {
      const network = named(run, "docker:index/network:Network", `network-${host}`);
      const image = named(run, "docker:index/remoteImage:RemoteImage", `image-${host}`);
      assert.equal(network.inputs.name, "pulsar-docker-two-hosts");
      assert.equal(image.inputs.name, "registry.example.com/pulsar/pulsar:4.0.8");
      assert.equal(network.provider.split("::")[3], `docker-${host}`);
      assert.equal(image.provider.split("::")[3], `docker-${host}`);
    }
  });

  it("places every node on its Docker host, and the one-shots beside the configuration store", () => {
    const placement = Object.fromEntries(run.resources.filter((r) => r.type === CONTAINER).map((r) => [r.name, providerOf(r.name)]));
    assert.deepEqual(placement, {
      "configuration-store": "docker-rack1",
      "cluster1-zookeeper": "docker-rack1",
      "cluster2-zookeeper": "docker-rack2",
      "bookkeeper-init": "docker-rack1",
      "cluster1-metadata": "docker-rack1",
      "cluster2-metadata": "docker-rack1",
      bk1: "docker-rack1",
      bk2: "docker-rack1",
      bk3: "docker-rack2",
      bk4: "docker-rack2",
      broker1: "docker-rack1",
      broker2: "docker-rack2",
    });
    assert.equal(named(run, "docker:index/volume:Volume", "bk3-data").provider.split("::")[3], "docker-rack2");
    assert.deepEqual(dependsOn(run, "bk3"), ["bk3-data", "bookkeeper-init", "bookkeeper-rack-map", "image-rack2", "network-rack2"]);
    assert.deepEqual(dependsOn(run, "broker2"), ["bk1-membership", "bk2-membership", "bk3-membership", "bk4-membership", "cluster2-metadata", "image-rack2", "network-rack2"]);
    // A decommission reaches a bookie's container through its own host's engine.
    const control = named(run, "pulumi-nodejs:dynamic/pulsar-isolation:BookieMembership", "bk3-membership").inputs.control;
    assert.deepEqual(control, { kind: "docker", container: "pulsar-docker-two-hosts-bk3", dockerHost: "ssh://pulsar@10.20.0.12" });
  });

  it("advertises the Docker hosts' addresses across hosts, so bookie ids are host:port of real racks", async () => {
    const bk3 = container(run, "bk3");
    assert.equal(bk3.image, "registry.example.com/pulsar/pulsar:4.0.8");
    assert.equal(settingsOf(bk3).advertisedAddress, "10.20.0.12");
    assert.equal(settingsOf(bk3).zkServers, "10.20.0.11:2181");
    assert.equal(settingsOf(bk3).httpServerHost, "0.0.0.0");
    assert.deepEqual(bk3.ports, [{ internal: 3181, external: 3181, ip: "10.20.0.12" }, { internal: 8011, external: 8011, ip: "10.20.0.12" }]);
    assert.deepEqual(bk3.networksAdvanced, [{ name: "pulsar-docker-two-hosts", aliases: ["bk3"] }]);
    // Looking up a Docker host's address needs no DNS.
    assert.deepEqual(bk3.hosts, [{ host: "docker-host-rack1", ip: "10.20.0.11" }, { host: "docker-host-rack2", ip: "10.20.0.12" }]);
    const broker2 = settingsOf(container(run, "broker2"));
    assert.equal(broker2.metadataStoreUrl, "zk:10.20.0.12:2182");
    assert.equal(broker2.configurationMetadataStoreUrl, "zk:10.20.0.11:2181");
    assert.equal(broker2.advertisedAddress, "10.20.0.12");
    assert.equal(broker2.advertisedListeners, undefined, "its host's address reaches it from everywhere: one listener");
    assert.deepEqual(await promiseOf(run.program.rackMap), {
      "group-bookie1": ["10.20.0.11:3181", "10.20.0.11:3182"],
      "group-bookie2": ["10.20.0.12:3181", "10.20.0.12:3182"],
    });
    assert.deepEqual(run.program.adminUrls, { cluster1: "http://10.20.0.11:8080", cluster2: "http://10.20.0.12:8080" });
  });

  it("passes the unchanged policy pack", () => {
    assert.deepEqual(violations(asPolicyResources(run)), []);
  });
});
