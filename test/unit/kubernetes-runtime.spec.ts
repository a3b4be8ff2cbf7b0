import * as assert from "node:assert/strict";
import { parseTopology } from "../../config";
import { policies } from "../../policy/policies";
import { ResourceLike, topologyView } from "../../policy/plan-view";
import { bookieSpec, bookkeeperInitCommand, brokerSpec, configurationStoreSpec, topologyNodes, zookeeperSpec } from "../../runtime";
import { ENTRY_ENV, LISTEN_SETTINGS, NODE_ENTRY_SCRIPT, BOOTSTRAP_ENTRY_SCRIPT, nodeProcess } from "../../runtime/container";
import { ANNOTATIONS, bootstrapJob, dataClaimName, kubernetesOptions, nodeObjects, podTemplateDigest } from "../../runtime/kubernetes";
import { RegisteredObject, registerStack } from "../support/kubernetes-mocks";
import { stackConfig, stackTopology } from "../support/stack-config";
import { containerSettings } from "../support/container-settings";

const T = {
  provider: "pulumi:providers:kubernetes",
  namespace: "kubernetes:core/v1:Namespace",
  service: "kubernetes:core/v1:Service",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  job: "kubernetes:batch/v1:Job",
};
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const KUBECONFIG_KEY = "pulsar-isolation:kubeconfig";

const envOf = (env: { name: string; value: string }[]): Record<string, string> => Object.fromEntries(env.map((e) => [e.name, e.value]));

describe("kubernetes runtime: objects rendered from the node specs", () => {
  const topology = parseTopology(stackTopology("k8s-local"));
  const options = kubernetesOptions(topology, "pulsar-test");

  it("a bookie: a StatefulSet of one pod on its own volume, found under its advertised name, its HTTP API a NodePort", () => {
    const spec = bookieSpec(topology, topology.bookies[2]);
    const { statefulSet, service, nodePorts } = nodeObjects(spec, options);
    assert.deepEqual(service.metadata, { name: "bk3", namespace: "pulsar-test", labels: statefulSet.metadata.labels });
    assert.deepEqual(service.spec, {
      clusterIP: "None",
      selector: { "pulsar-isolation/node": "bk3" },
      publishNotReadyAddresses: true,
      ports: [{ name: "bookie", port: 3183, targetPort: 3183 }, { name: "http", port: 30013, targetPort: 30013 }],
    });
    assert.deepEqual(nodePorts, {
      metadata: { name: "bk3-nodeport", namespace: "pulsar-test", labels: statefulSet.metadata.labels },
      spec: { type: "NodePort", selector: { "pulsar-isolation/node": "bk3" }, ports: [{ name: "http", port: 30013, targetPort: 30013, nodePort: 30013 }] },
    });
    const set = statefulSet.spec as any;
    assert.equal(statefulSet.metadata.name, "bk3");
    assert.equal(set.replicas, 1);
    assert.equal(set.serviceName, "bk3");
    assert.deepEqual(set.selector, { matchLabels: { "pulsar-isolation/node": "bk3" } });
    assert.deepEqual(set.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
    assert.deepEqual(set.volumeClaimTemplates, [
      { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
    ]);
    assert.equal(dataClaimName("bk3"), "data-bk3-0");
    const pod = set.template.spec;
    assert.equal(pod.enableServiceLinks, false);
    const c = pod.containers[0];
    assert.equal(c.image, "pulsar-isolation/pulsar:4.0.8-local");
    assert.equal(c.imagePullPolicy, "Never");
    assert.equal(c.workingDir, "/pulsar");
    assert.deepEqual(c.command, ["sh", "-c", NODE_ENTRY_SCRIPT, "pulsar-isolation"]);
    assert.deepEqual(c.args, ["bookie"]);
    assert.deepEqual(c.ports, [{ name: "bookie", containerPort: 3183 }, { name: "http", containerPort: 30013 }]);
    assert.deepEqual(c.readinessProbe.httpGet, { path: "/api/v1/bookie/is_ready", port: 30013 });
    assert.deepEqual(c.volumeMounts, [{ name: "data", mountPath: "/pulsar/data" }]);
    const settings = containerSettings(c.env);
    assert.equal(settings.advertisedAddress, "bk3");
    assert.equal(settings.bookiePort, "3183");
    assert.equal(settings.httpServerHost, "0.0.0.0");
    assert.equal(settings.journalDirectory, "/pulsar/data/journal");
    assert.equal(envOf(c.env).PULSAR_BOOKKEEPER_CONF, "/tmp/pulsar-isolation/bookkeeper.conf");
    assert.equal(envOf(c.env).PULSAR_MEM, spec.env.PULSAR_MEM);
  });

  it("updates bookies OnDelete, so the controller never replaces them all at once; other nodes roll as the controller does", () => {
    for (const spec of topologyNodes(topology)) {
      const strategy = (nodeObjects(spec, options).statefulSet.spec as any).updateStrategy;
      assert.deepEqual(strategy, spec.role === "bookie" ? { type: "OnDelete" } : undefined, spec.name);
    }
  });

  it("a bookie's revision follows its pod template: its settings and the image change it, another node or a namespace does not", () => {
    const revision = (t: typeof topology, name = "bk3") =>
      podTemplateDigest(bookieSpec(t, t.bookies.find((b) => b.name === name)!), kubernetesOptions(t, "pulsar-test"));
    const changed = (edit: (t: Record<string, any>) => void) => {
      const raw = stackTopology("k8s-local");
      edit(raw);
      return parseTopology(raw);
    };
    assert.equal(revision(topology), revision(parseTopology(stackTopology("k8s-local"))));
    assert.notEqual(revision(changed((t) => (t.bookieSettings = { gcWaitTime: 600000 }))), revision(topology));
    assert.notEqual(revision(changed((t) => (t.kubernetes.image = "apachepulsar/pulsar:4.0.8"))), revision(topology));
    assert.equal(revision(changed((t) => (t.namespaces = t.namespaces.slice(0, 1)))), revision(topology));
    assert.equal(revision(changed((t) => (t.clusters[0].brokerSettings = { brokerDeleteInactiveTopicsEnabled: false }))), revision(topology));
    assert.notEqual(revision(topology, "bk3"), revision(topology, "bk4"));
  });

  it("runs the same container process as the docker runtime", () => {
    for (const spec of topologyNodes(topology)) {
      const c = (nodeObjects(spec, options).statefulSet.spec as any).template.spec.containers[0];
      const run = nodeProcess(spec, options);
      assert.deepEqual([...c.command, ...c.args], [...run.entrypoint, ...run.command], spec.name);
      assert.deepEqual(envOf(c.env), run.env, spec.name);
      for (const key of LISTEN_SETTINGS.filter((k) => k in spec.settings)) assert.equal(containerSettings(c.env)[key], "0.0.0.0", `${spec.name} ${key}`);
    }
  });

  it("a broker: no volume, its service and admin ports NodePorts at the same numbers, ready when the broker says so", () => {
    const { statefulSet, nodePorts } = nodeObjects(brokerSpec(topology, topology.clusters[1], topology.clusters[1].brokers[0]), options);
    const set = statefulSet.spec as any;
    assert.deepEqual(set.volumeClaimTemplates, []);
    assert.deepEqual(set.template.spec.containers[0].volumeMounts, []);
    assert.deepEqual((nodePorts!.spec as any).ports, [
      { name: "service", port: 30651, targetPort: 30651, nodePort: 30651 },
      { name: "web", port: 30081, targetPort: 30081, nodePort: 30081 },
    ]);
    assert.deepEqual(set.template.spec.containers[0].readinessProbe.httpGet, { path: "/admin/v2/brokers/ready", port: 30081 });
    const settings = containerSettings(set.template.spec.containers[0].env);
    assert.equal(settings.advertisedAddress, "broker2");
    assert.equal(settings.bindAddress, "0.0.0.0");
    assert.equal(settings.metadataStoreUrl, "zk:cluster2-zookeeper:2183");
    assert.equal(settings.configurationMetadataStoreUrl, "zk:configuration-store:30181");
  });

  it("ZooKeepers keep their data on a volume; only the configuration store's client port is a NodePort", () => {
    for (const spec of [configurationStoreSpec(topology), zookeeperSpec(topology, topology.clusters[0])]) {
      const objects = nodeObjects(spec, options);
      assert.equal((objects.statefulSet.spec as any).volumeClaimTemplates.length, 1, spec.name);
      assert.deepEqual((objects.statefulSet.spec as any).template.spec.containers[0].readinessProbe.httpGet, { path: "/commands/ruok", port: spec.ports.admin });
    }
    assert.equal(nodeObjects(zookeeperSpec(topology, topology.clusters[0]), options).nodePorts, undefined);
    const store = nodeObjects(configurationStoreSpec(topology), options);
    assert.equal(store.service.metadata.name, "configuration-store");
    assert.deepEqual((store.nodePorts!.spec as any).ports, [{ name: "client", port: 30181, targetPort: 30181, nodePort: 30181 }]);
  });

  it("a bootstrap command: a Job of one pod that runs it to the end, with the shared entry script", () => {
    const job = bootstrapJob(bookkeeperInitCommand(topology), options);
    assert.equal(job.metadata.name, "bookkeeper-init");
    const spec = job.spec as any;
    assert.equal(spec.backoffLimit, 6);
    assert.equal(spec.template.spec.restartPolicy, "Never");
    const c = spec.template.spec.containers[0];
    assert.deepEqual(c.command, ["sh", "-c", BOOTSTRAP_ENTRY_SCRIPT, "pulsar-isolation"]);
    assert.deepEqual(c.args, ["bin/bookkeeper", "shell", "initnewcluster"]);
    assert.match(envOf(c.env)[ENTRY_ENV.alreadyDone], /already exists/);
  });

  it("annotates StatefulSets with the node facts the policy pack reads", () => {
    const spec = bookieSpec(topology, topology.bookies[0]);
    const annotations = nodeObjects(spec, options).statefulSet.metadata.annotations as Record<string, string>;
    assert.deepEqual(annotations, {
      [ANNOTATIONS.name]: "bk1",
      [ANNOTATIONS.role]: "bookie",
      [ANNOTATIONS.host]: "bk1",
      [ANNOTATIONS.ports]: JSON.stringify({ bookie: 3181, http: 30011 }),
    });
  });
});

describe("kubernetes runtime: the k8s-local stack under Pulumi's mocks", function () {
  this.timeout(60_000);
  let objects: RegisteredObject[];
  const named = (type: string, name: string): RegisteredObject => {
    const found = objects.find((r) => r.type === type && r.name === name);
    assert.ok(found, `no ${type} named ${name}`);
    return found;
  };
  const ofType = (type: string) => objects.filter((r) => r.type === type).map((r) => r.name).sort();

  before(async () => {
    objects = await registerStack("k8s-local", { ...stackConfig("k8s-local"), [KUBECONFIG_KEY]: "apiVersion: v1\nkind: Config\n" }, [KUBECONFIG_KEY]);
  });

  it("registers one provider with the kubeconfig as a secret, and the stack's namespace", () => {
    assert.deepEqual(ofType(T.provider), ["kubernetes"]);
    const kubeconfig = named(T.provider, "kubernetes").inputs.kubeconfig;
    assert.equal(kubeconfig[SECRET_SIG], "1b47061264138c4ac30d75fd1eb44270", "the kubeconfig is a secret");
    assert.deepEqual(named(T.namespace, "namespace").inputs.metadata, { name: "pulsar-k8s-local", labels: { "app.kubernetes.io/managed-by": "pulsar-isolation" } });
    const provider = objects.find((r) => r.type === T.provider)!;
    for (const r of objects.filter((o) => o.type.startsWith("kubernetes:"))) {
      assert.match(r.provider, /::kubernetes::kubernetes-id$/, `${r.type} ${r.name} uses the stack's provider`);
    }
    assert.ok(provider);
  });

  it("registers nine StatefulSets, nine headless Services, seven NodePort Services and three Jobs", () => {
    assert.deepEqual(ofType(T.statefulSet), [
      "bk1", "bk2", "bk3", "bk4", "broker1", "broker2", "cluster1-zookeeper", "cluster2-zookeeper", "configuration-store",
    ]);
    assert.deepEqual(ofType(T.service), [
      "bk1-nodeport", "bk1-service", "bk2-nodeport", "bk2-service", "bk3-nodeport", "bk3-service", "bk4-nodeport", "bk4-service",
      "broker1-nodeport", "broker1-service", "broker2-nodeport", "broker2-service",
      "cluster1-zookeeper-service", "cluster2-zookeeper-service", "configuration-store-nodeport", "configuration-store-service",
    ]);
    assert.deepEqual(ofType(T.job), ["bookkeeper-init", "cluster1-metadata", "cluster2-metadata"]);
    for (const r of objects.filter((o) => o.type.startsWith("kubernetes:") && o.type !== T.namespace)) {
      assert.equal(r.inputs.metadata.namespace, "pulsar-k8s-local", `${r.name} is in the stack's namespace`);
      assert.equal(r.deleteBeforeReplace, true, `${r.name} has a fixed name: delete before replace`);
    }
    assert.equal(objects.filter((r) => /:(LocalNode|BootstrapStep)$/.test(r.type) || r.type.startsWith("docker:")).length, 0);
  });

  it("starts nodes in the local runtime's order, each after its Services and the namespace", () => {
    const deps = (type: string, name: string) => [...named(type, name).dependsOn].sort();
    assert.deepEqual(deps(T.statefulSet, "configuration-store"), ["configuration-store-nodeport", "configuration-store-service", "namespace"]);
    assert.deepEqual(deps(T.job, "bookkeeper-init"), ["configuration-store", "namespace"]);
    assert.deepEqual(deps(T.statefulSet, "bk3"), ["bk3-nodeport", "bk3-service", "bookkeeper-init", "bookkeeper-rack-map", "namespace"]);
    assert.deepEqual(deps(T.job, "cluster1-metadata"), ["cluster1-zookeeper", "configuration-store", "namespace"]);
    assert.deepEqual(deps(T.job, "cluster2-metadata"), ["cluster1-metadata", "cluster2-zookeeper", "configuration-store", "namespace"]);
    assert.deepEqual(deps(T.statefulSet, "broker2"), [
      "bk1-membership", "bk2-membership", "bk3-membership", "bk4-membership", "broker2-nodeport", "broker2-service", "cluster2-metadata", "namespace",
    ]);
    assert.equal(named(T.statefulSet, "bk3").parent, "bookkeeper");
    assert.equal(named(T.service, "bk3-service").parent, "bookkeeper");
    assert.equal(named(T.statefulSet, "broker2").parent, "cluster2");
  });

  it("gives each bookie's membership a handle that scales its StatefulSet, naming the kubeconfig's config key, never its content", () => {
    const membership = objects.find((r) => r.type.endsWith(":BookieMembership") && r.name === "bk3-membership")!;
    assert.deepEqual(membership.inputs.control, {
      kind: "kubernetes",
      namespace: "pulsar-k8s-local",
      statefulSet: "bk3",
      claims: ["data-bk3-0"],
      kubeconfigKey: "kubeconfig",
    });
    assert.equal(membership.inputs.httpUrl, "http://127.0.0.1:30013");
    assert.equal(membership.inputs.metadataStore, "127.0.0.1:30181");
    assert.deepEqual(membership.dependsOn, ["bk3"]);
  });

  it("gives each bookie's membership its pod template's revision, on which it restarts the bookie (StatefulSets are updated OnDelete)", () => {
    const topology = parseTopology(stackTopology("k8s-local"));
    const options = kubernetesOptions(topology, "pulsar-k8s-local");
    for (const bookie of topology.bookies) {
      const membership = objects.find((r) => r.type.endsWith(":BookieMembership") && r.name === `${bookie.name}-membership`)!;
      assert.deepEqual(membership.inputs.rollout, { revision: podTemplateDigest(bookieSpec(topology, bookie), options), recoveryDelay: 0 }, bookie.name);
      assert.deepEqual(named(T.statefulSet, bookie.name).inputs.spec.updateStrategy, { type: "OnDelete" }, bookie.name);
    }
  });

  it("waits for readiness and Jobs' success, and never runs a Job again", () => {
    for (const name of ofType(T.statefulSet)) assert.equal(named(T.statefulSet, name).createTimeout, "10m", name);
    for (const name of ofType(T.job)) {
      assert.deepEqual(named(T.job, name).ignoreChanges, ["spec"], name);
      assert.equal(named(T.job, name).createTimeout, "10m", name);
    }
  });

  it("points the admin providers at the NodePorts on 127.0.0.1 and keeps bookie ids by Service name", () => {
    const rack = objects.find((r) => r.type.endsWith(":BookieRack") && r.name === "bk3-rack")!;
    assert.equal(rack.inputs.bookie, "bk3:3183");
    assert.deepEqual(rack.inputs.adminUrls, ["http://127.0.0.1:30080", "http://127.0.0.1:30081"]);
    const affinity = objects.find((r) => r.type.endsWith(":AffinityGroup") && r.name === "public/c2-ns1-affinity")!;
    assert.equal(affinity.inputs.adminUrl, "http://127.0.0.1:30081");
    assert.deepEqual(affinity.inputs.members, ["bk3:3183", "bk4:3184"]);
  });

  it("passes the unchanged policy pack, which reads the StatefulSets' node facts", () => {
    const resources: ResourceLike[] = objects.map((r) => ({ type: r.type, name: r.name, urn: `urn:${r.type}::${r.name}`, props: structuredClone(r.inputs) }));
    const view = topologyView(resources);
    assert.deepEqual(view.nodes.map((n) => n.name).sort(), topologyNodes(parseTopology(stackTopology("k8s-local"))).map((n) => n.name).sort());
    assert.deepEqual(view.namespaces.map((n) => n.namespace).sort(), ["public/c1-ns1", "public/c2-ns1"]);
    const bk1 = view.nodes.find((n) => n.name === "bk1")!;
    assert.deepEqual({ role: bk1.role, host: bk1.host, ports: bk1.ports }, { role: "bookie", host: "bk1", ports: { bookie: 3181, http: 30011 } });
    const messages: string[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => { throw new Error("n/a"); } };
    for (const policy of policies) policy.validateStack(args as any, (message: string) => messages.push(`${policy.name}: ${message}`));
    assert.deepEqual(messages, []);

    // The same rules fail a broker default wider than a group when it comes from a StatefulSet.
    const broker = resources.find((r) => r.type === T.statefulSet && r.name === "broker1")!;
    const env = broker.props.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === ENTRY_ENV.settings);
    env.value = env.value.replace("managedLedgerDefaultEnsembleSize=2", "managedLedgerDefaultEnsembleSize=3");
    const failed: string[] = [];
    for (const policy of policies) policy.validateStack(args as any, (message: string) => failed.push(`${policy.name}: ${message}`));
    assert.ok(failed.some((m) => m.startsWith("group-holds-ensemble:") && m.includes("group-bookie1")), failed.join("\n"));
  });
});
