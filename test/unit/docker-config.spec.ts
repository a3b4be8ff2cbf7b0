import * as assert from "node:assert/strict";
import { brokerWebUrl, clusterAdvertisedWebServiceUrl, dockerHostAddress, dockerImage, parseTopology } from "../../config";
import { assertProblem, problemsOf } from "../support/config-problems";
import { stackTopology } from "../support/stack-config";

describe("topology config of the docker runtime", () => {
  it("accepts the docker-local stack, with the official image by default and the local engine", () => {
    const topology = parseTopology(stackTopology("docker-local"));
    assert.equal(topology.runtime, "docker");
    assert.equal(dockerImage(topology), "apachepulsar/pulsar:4.0.8");
    assert.deepEqual(topology.docker.hosts, {});
    assert.equal(topology.docker.registry, undefined);
  });

  it("accepts the two-host stack: hosts, a registry whose password is only a config key", () => {
    const topology = parseTopology(stackTopology("docker-two-hosts"));
    assert.equal(dockerImage(topology), "registry.example.com/pulsar/pulsar:4.0.8");
    assert.deepEqual(Object.keys(topology.docker.hosts), ["rack1", "rack2"]);
    assert.deepEqual(topology.docker.registry, { server: "registry.example.com", username: "pulsar", passwordKey: "dockerRegistryPassword" });
  });

  it("reaches brokers through their Docker host's published port; registers their advertised address", () => {
    const local = parseTopology(stackTopology("docker-local"));
    assert.equal(brokerWebUrl(local, local.clusters[0].brokers[0]), "http://127.0.0.1:18080");
    assert.equal(clusterAdvertisedWebServiceUrl(local, local.clusters[0]), "http://broker1:18080");
    const two = parseTopology(stackTopology("docker-two-hosts"));
    assert.equal(brokerWebUrl(two, two.clusters[1].brokers[0]), "http://10.20.0.12:8080");
    const dev = parseTopology(stackTopology("dev"));
    assert.equal(brokerWebUrl(dev, dev.clusters[1].brokers[0]), "http://127.0.0.1:8081");
    assert.equal(clusterAdvertisedWebServiceUrl(dev, dev.clusters[1]), "http://127.0.0.1:8081");
  });

  it("takes a Docker host's address from its URL unless it names one", () => {
    const topology = parseTopology({
      ...stackTopology("docker-two-hosts"),
      docker: {
        hosts: {
          rack1: { url: "tcp://docker1.example.com:2376" },
          rack2: { url: "unix:///var/run/docker.sock", address: "10.9.9.9" },
          rack3: { url: "unix:///var/run/docker.sock" },
        },
      },
    });
    assert.equal(dockerHostAddress(topology, "rack1"), "docker1.example.com");
    assert.equal(dockerHostAddress(topology, "rack2"), "10.9.9.9");
    assert.equal(dockerHostAddress(topology, "rack3"), "127.0.0.1");
    assert.equal(dockerHostAddress(topology, undefined), "127.0.0.1");
  });

  describe("rejects, naming the path and the value", () => {
    it("a node on an undeclared Docker host", () => {
      assertProblem(problemsOf("docker-two-hosts", (t) => (t.bookies[2].dockerHost = "rack9")), "bookies[2].dockerHost", "rack9", "not declared", "rack1, rack2");
    });

    it("a node on a Docker host when none is declared", () => {
      assertProblem(problemsOf("docker-local", (t) => (t.bookies[0].dockerHost = "east")), "bookies[0].dockerHost", "east", "not declared", "none");
    });

    it("a node that names no Docker host when hosts are declared", () => {
      assertProblem(problemsOf("docker-two-hosts", (t) => delete t.clusters[1].zookeeper.dockerHost), "clusters[1].zookeeper.dockerHost", undefined, "cluster2-zookeeper names no Docker host");
    });

    it("a container that would advertise a loopback address", () => {
      assertProblem(problemsOf("docker-local", (t) => (t.bookies[1].host = "127.0.0.1")), "bookies[1].host", "127.0.0.1", "bk2", "loopback");
      assertProblem(problemsOf("docker-local", (t) => (t.clusters[0].brokers[0].host = "localhost")), "clusters[0].brokers[0].host", "localhost", "loopback");
    });

    it("containers that inherit the default loopback host, once, naming them", () => {
      const problems = problemsOf("docker-local", (t) => {
        delete t.bookies[0].host;
        delete t.bookies[3].host;
      });
      assertProblem(problems, "host", undefined, "bk1, bk4", "loopback");
      assert.equal(problems.filter((p) => p.startsWith("host =")).length, 1);
    });

    it("a container name as the address of a node when nodes span Docker hosts", () => {
      assertProblem(
        problemsOf("docker-two-hosts", (t) => (t.bookies[2].host = "bk3")),
        "bookies[2].host",
        "bk3",
        "resolves only on one Docker host's network",
        'Docker host "rack2"',
      );
    });

    it("two containers publishing one port on one Docker host", () => {
      assertProblem(
        problemsOf("docker-local", (t) => (t.bookies[1].httpPort = 18011)),
        "bookies[1].httpPort",
        18011,
        "already published on the Docker host by bookies[0].httpPort",
      );
      assertProblem(
        problemsOf("docker-two-hosts", (t) => {
          t.bookies[2].host = "bk3.example.com";
          t.bookies[2].bookiePort = 3182;
        }),
        "bookies[3].bookiePort",
        3182,
        'Docker host "rack2" by bookies[2].bookiePort',
      );
    });

    it("a Docker host URL of another scheme", () => {
      assertProblem(problemsOf("docker-two-hosts", (t) => (t.docker.hosts.rack1.url = "http://10.20.0.11")), "docker.hosts.rack1.url", "http://10.20.0.11", "ssh://");
    });
  });

  it("leaves the local runtime alone: loopback hosts and no Docker hosts are fine there", () => {
    assert.doesNotThrow(() => parseTopology(stackTopology("dev")));
  });
});
