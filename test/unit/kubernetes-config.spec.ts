import * as assert from "node:assert/strict";
import { bookieHttpUrl, brokerWebUrl, clusterAdvertisedWebServiceUrl, kubernetesImage, kubernetesNamespace, parseTopology } from "../../config";
import { assertProblem, problemsOf } from "../support/config-problems";
import { stackTopology } from "../support/stack-config";

const k8s = (change: (t: Record<string, any>) => void) => problemsOf("k8s-local", change);

describe("topology config of the kubernetes runtime", () => {
  it("accepts the k8s-local stack: the local image never pulled, the default storage class, a namespace per stack, the quick compiler", () => {
    const topology = parseTopology(stackTopology("k8s-local"));
    assert.equal(topology.runtime, "kubernetes");
    assert.equal(kubernetesImage(topology), "pulsar-isolation/pulsar:4.0.8-local");
    assert.deepEqual(topology.kubernetes, {
      image: "pulsar-isolation/pulsar:4.0.8-local",
      imagePullPolicy: "Never",
      volumeSize: "1Gi",
      kubeconfigKey: "kubeconfig",
      nodeAddress: "127.0.0.1",
      jvmCompiler: "quick",
    });
    assert.equal(kubernetesNamespace(topology.kubernetes, "k8s-local"), "pulsar-k8s-local");
    assert.equal(kubernetesNamespace({ ...topology.kubernetes, namespace: "pulsar" }, "k8s-local"), "pulsar");
    assert.equal(kubernetesImage(parseTopology({ ...stackTopology("k8s-local"), kubernetes: {} })), "apachepulsar/pulsar:4.0.8");
  });

  it("reaches brokers and bookies through NodePorts on the node address; registers the advertised Service names", () => {
    const topology = parseTopology(stackTopology("k8s-local"));
    assert.equal(brokerWebUrl(topology, topology.clusters[1].brokers[0]), "http://127.0.0.1:30081");
    assert.equal(bookieHttpUrl(topology, topology.bookies[0]), "http://127.0.0.1:30011");
    assert.equal(clusterAdvertisedWebServiceUrl(topology, topology.clusters[1]), "http://broker2:30081");
    const elsewhere = parseTopology({ ...stackTopology("k8s-local"), kubernetes: { nodeAddress: "10.1.2.3" } });
    assert.equal(brokerWebUrl(elsewhere, elsewhere.clusters[0].brokers[0]), "http://10.1.2.3:30080");
  });

  it("refuses a loopback or unset address: in Kubernetes a node advertises its Service's name", () => {
    const problems = k8s((t) => {
      delete t.bookies[0].host;
      t.clusters[0].brokers[0].host = "127.0.0.1";
    });
    assert.equal(problems.filter((p) => p.startsWith("host = ")).length, 1);
    assertProblem(problems, "host", undefined, "bk1 would advertise \"127.0.0.1\"", "Service");
    assertProblem(problems, "clusters[0].brokers[0].host", "127.0.0.1", "broker1 would advertise");
  });

  it("refuses an address that cannot name a Service, and one that another node already advertises", () => {
    const problems = k8s((t) => {
      t.bookies[1].host = "bk2.example.com";
      t.bookies[2].host = "bk1";
    });
    assertProblem(problems, "bookies[1].host", "bk2.example.com", "DNS label");
    assertProblem(problems, "bookies[2].host", "bk1", "the Service name of bk1");
  });

  it("refuses node names that cannot name a StatefulSet", () => {
    const problems = k8s((t) => {
      t.bookies[0].name = "BK_1";
      t.clusters[1].name = "Cluster2";
    });
    assertProblem(problems, "bookies[0].name", "BK_1", "StatefulSet");
    assertProblem(problems, "clusters[1].name", "Cluster2", "Cluster2-zookeeper cannot name a StatefulSet");
  });

  it("refuses exposed ports outside the NodePort range, and one NodePort twice; other ports are free", () => {
    const problems = k8s((t) => {
      t.clusters[0].brokers[0].webPort = 8080;
      t.bookies[3].httpPort = 30081;
      t.configurationStore.clientPort = 2181;
      t.clusters[0].zookeeper.clientPort = 2999;
      t.bookies[0].bookiePort = 4181;
    });
    assertProblem(problems, "clusters[0].brokers[0].webPort", 8080, "NodePort", "30000-32767");
    assertProblem(problems, "configurationStore.clientPort", 2181, "NodePort");
    assertProblem(problems, "clusters[1].brokers[0].webPort", 30081, "NodePort 30081 is already exposed by bk4");
    assert.equal(problems.length, 3, problems.join("\n"));
  });

  it("checks its options: namespace name, pull policy, volume size", () => {
    const problems = k8s((t) => (t.kubernetes = { namespace: "Pulsar", imagePullPolicy: "Sometimes", volumeSize: "1GB" }));
    assertProblem(problems, "kubernetes.namespace", "Pulsar", "namespace name");
    assertProblem(problems, "kubernetes.imagePullPolicy", "Sometimes");
    assertProblem(problems, "kubernetes.volumeSize", "1GB", "volume size");
  });

  it("leaves the other runtimes' stacks alone", () => {
    for (const stack of ["dev", "docker-local"]) assert.doesNotThrow(() => parseTopology(stackTopology(stack)), stack);
  });
});
