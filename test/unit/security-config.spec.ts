import * as assert from "node:assert/strict";
import { brokerWebUrl, clusterClientServiceUrl, parseTopology } from "../../config";
import { BROKER_OWNED_SETTINGS, BROKER_SECURITY_OWNED_SETTINGS } from "../../config/owned-settings";
import { brokerSpec, clusterMetadataCommand, securityDir } from "../../runtime";
import { signToken } from "../../runtime/local/security";
import { assertProblem, problemsOf } from "../support/config-problems";
import { stackTopology } from "../support/stack-config";

describe("secured brokers (security)", () => {
  const topology = parseTopology(stackTopology("secure"));
  const stateDir = "/stacks/secure";

  it("accepts the secure stack: the article's topology with TLS ports, roles by default", () => {
    assert.deepEqual(topology.security, { superUserRole: "admin", brokerRole: "pulsar-broker" });
    assert.equal(brokerWebUrl(topology, topology.clusters[0].brokers[0]), "https://127.0.0.1:28443");
    assert.equal(clusterClientServiceUrl(topology, topology.clusters[1]), "pulsar+ssl://127.0.0.1:26751");
  });

  it("gives a secured broker token authentication, authorization and TLS from files in the stack's folder, and a readiness check without a token", () => {
    const broker = brokerSpec(topology, topology.clusters[0], topology.clusters[0].brokers[0], stateDir);
    const dir = securityDir(stateDir);
    assert.equal(broker.settings.authenticationEnabled, "true");
    assert.equal(broker.settings.authorizationEnabled, "true");
    assert.equal(broker.settings.tokenSecretKey, `file://${dir}/token.key`);
    assert.equal(broker.settings.superUserRoles, "admin,pulsar-broker");
    assert.equal(broker.settings.brokerClientAuthenticationParameters, `file://${dir}/broker.token`);
    assert.equal(broker.settings.webServicePortTls, "28443");
    assert.equal(broker.settings.brokerServicePortTls, "26750");
    assert.equal(broker.settings.tlsCertificateFilePath, `${dir}/broker1.cert.pem`);
    assert.equal(broker.settings.tlsTrustCertsFilePath, `${dir}/ca.cert.pem`);
    assert.deepEqual(broker.ports, { service: 26650, web: 28080, serviceTls: 26750, webTls: 28443 });
    assert.deepEqual(broker.readiness, { port: 28080, path: "/status.html" });
    assert.ok(!JSON.stringify(broker).includes("ca.key"), "a broker never names the CA key");
    // Every setting security writes is one brokerSettings cannot change.
    const written = Object.keys(broker.settings).filter((k) => !(k in BROKER_OWNED_SETTINGS) && !["allowLoopback", "functionsWorkerEnabled"].includes(k));
    assert.deepEqual(written.filter((k) => !(k in BROKER_SECURITY_OWNED_SETTINGS)), []);
  });

  it("registers the clusters' TLS URLs in the cluster metadata bootstrap", () => {
    const args = clusterMetadataCommand(topology, topology.clusters[1]).args;
    assert.ok(args.includes("--web-service-url-tls=https://127.0.0.1:28444"), args.join(" "));
    assert.ok(args.includes("--broker-service-url-tls=pulsar+ssl://127.0.0.1:26751"), args.join(" "));
    assert.ok(!parseTopology(stackTopology("dev")).clusters.some((c) => clusterMetadataCommand(parseTopology(stackTopology("dev")), c).args.some((a) => a.includes("-tls="))));
  });

  it("signs tokens as Pulsar's HS256 tokens: header, subject, signature", () => {
    const token = signToken(Buffer.alloc(32, 7), "admin");
    const [header, payload] = token.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
    assert.deepEqual(header, { alg: "HS256" });
    assert.deepEqual(payload, { sub: "admin" });
    assert.notEqual(signToken(Buffer.alloc(32, 8), "admin"), token);
  });

  describe("rejects, naming the path and the value", () => {
    const secure = (change: (t: Record<string, any>) => void) => problemsOf("secure", change);

    it("security on another runtime than local", () => {
      assertProblem(secure((t) => (t.runtime = "docker")), "security", { superUserRole: "admin" }, "local runtime only", '"docker"');
    });

    it("a broker of a secured topology without its TLS ports", () => {
      const problems = secure((t) => delete t.clusters[1].brokers[0].webPortTls);
      assertProblem(problems, "clusters[1].brokers[0].webPortTls", undefined, "needs its webPortTls");
    });

    it("TLS ports without security", () => {
      assertProblem(secure((t) => delete t.security), "clusters[0].brokers[0].servicePortTls", 26750, "only with security");
    });

    it("a TLS port used twice on one host", () => {
      assertProblem(secure((t) => (t.clusters[1].brokers[0].webPortTls = 28443)), "clusters[1].brokers[0].webPortTls", 28443, "already used by clusters[0].brokers[0].webPortTls");
    });

    it("a broker setting that security writes", () => {
      assertProblem(secure((t) => (t.clusters[0].brokerSettings = { authenticationEnabled: false })), "clusters[0].brokerSettings.authenticationEnabled", false, "is set by security");
    });

    it("a role that Pulsar cannot name, and an unknown key under security", () => {
      const problems = secure((t) => (t.security = { superUserRole: "ad min", superuserRole: "x" }));
      assertProblem(problems, "security.superUserRole", "ad min", "not a valid role name");
      assertProblem(problems, "security.superuserRole", "x", 'did you mean "superUserRole"?');
    });
  });

  it("leaves a topology without security as it was: http admin URLs, no TLS port, the broker's own readiness check", () => {
    const dev = parseTopology(stackTopology("dev"));
    const broker = brokerSpec(dev, dev.clusters[0], dev.clusters[0].brokers[0]);
    assert.equal(brokerWebUrl(dev, dev.clusters[0].brokers[0]), "http://127.0.0.1:8080");
    assert.equal(broker.settings.authenticationEnabled, undefined);
    assert.deepEqual(broker.readiness, { port: 8080, path: "/admin/v2/brokers/ready" });
  });
});
