import * as assert from "node:assert/strict";
import { adminApiError, checkAffinity, checkNamespace, copiesToWrite, copyLocations, liveInputs, placementIn, withPlacement } from "../../admin";
import { changedKeys, diffOn, isUnreachable, readOrKeep } from "../../lib/dynamic-provider";

const rack = {
  bookie: "127.0.0.1:3183",
  group: "group-bookie2",
  rack: "rack2",
  hostname: "127.0.0.1",
  adminUrls: ["http://127.0.0.1:8080", "http://127.0.0.1:8081"],
  configurationStore: "127.0.0.1:2181",
};
const placed = { group: "group-bookie2", rack: "rack2", hostname: "127.0.0.1" };
const zk = "zk://127.0.0.1:2181/bookies";

describe("dynamic providers' decisions, as functions", () => {
  describe("diff", () => {
    it("updates in place on a change of a compared input, replaces on a change of the identity", () => {
      const olds = { namespace: "public/a", cluster: "c1", bundles: 4 };
      assert.deepEqual(diffOn(olds, { ...olds }, ["namespace", "cluster"], "namespace"), { changes: false, replaces: [] });
      assert.deepEqual(diffOn(olds, { ...olds, cluster: "c2" }, ["namespace", "cluster"], "namespace"), { changes: true, replaces: [] });
      assert.deepEqual(diffOn(olds, { ...olds, namespace: "public/b" }, ["namespace", "cluster"], "namespace"), { changes: true, replaces: ["namespace"] });
      assert.deepEqual(diffOn(olds, { ...olds, bundles: 8 }, ["namespace", "cluster"], "namespace"), { changes: false, replaces: [] }, "bundles are not compared");
    });

    it("compares values by their JSON, with a missing value equal to null", () => {
      assert.deepEqual(changedKeys({ a: [1, 2], b: undefined } as Record<string, unknown>, { a: [1, 2], b: null }, ["a", "b"]), []);
      assert.deepEqual(changedKeys({ a: { x: 1 } } as Record<string, unknown>, { a: { x: 2 } }, ["a"]), ["a"]);
      // A live read lists keys in the server's order; the engine hands state back sorted.
      const live = { retention: { retentionTimeInMinutes: 60, retentionSizeInMB: 500 } };
      assert.deepEqual(changedKeys(live, { retention: { retentionSizeInMB: 500, retentionTimeInMinutes: 60 } }, ["retention"]), []);
      assert.deepEqual(changedKeys(live, { retention: { retentionSizeInMB: 500, retentionTimeInMinutes: 61 } }, ["retention"]), ["retention"]);
    });
  });

  describe("BookieRack over every copy of the rack map", () => {
    it("keeps a copy per cluster and one in the configuration store", () => {
      assert.deepEqual(copyLocations(rack), ["http://127.0.0.1:8080", "http://127.0.0.1:8081", zk]);
      assert.deepEqual(copyLocations({ ...rack, configurationStore: undefined }), ["http://127.0.0.1:8080", "http://127.0.0.1:8081"]);
    });

    it("writes only the copies that differ", () => {
      assert.deepEqual(copiesToWrite(rack, { "http://127.0.0.1:8080": placed, "http://127.0.0.1:8081": placed, [zk]: placed }), []);
      assert.deepEqual(copiesToWrite(rack, { "http://127.0.0.1:8080": placed, "http://127.0.0.1:8081": { ...placed, rack: "rack9" }, [zk]: null }), [
        "http://127.0.0.1:8081",
        zk,
      ]);
    });

    it("reads a field every copy agrees on as it is, and one they disagree on as drift", () => {
      const agreed = liveInputs(rack, { "http://127.0.0.1:8080": placed, "http://127.0.0.1:8081": placed, [zk]: placed });
      assert.deepEqual([agreed.group, agreed.rack, agreed.hostname], ["group-bookie2", "rack2", "127.0.0.1"]);
      const drifted = liveInputs(rack, { "http://127.0.0.1:8080": placed, "http://127.0.0.1:8081": placed, [zk]: { ...placed, group: "group-bookie1" } });
      assert.deepEqual([drifted.group, drifted.rack], ["", "rack2"]);
      assert.equal(liveInputs(rack, { "http://127.0.0.1:8080": placed, "http://127.0.0.1:8081": placed, [zk]: null }).group, "");
    });

    it("files a bookie under one group only, and drops a group it leaves empty", () => {
      const map = { g1: { "b:1": { rack: "r1", hostname: "b" } }, g2: { "c:1": { rack: "r2", hostname: "c" } } };
      const moved = withPlacement(map, "b:1", { group: "g2", rack: "r2", hostname: "b" });
      assert.deepEqual(moved, { g2: { "c:1": { rack: "r2", hostname: "c" }, "b:1": { rack: "r2", hostname: "b" } } });
      assert.deepEqual(placementIn(moved, "b:1"), { group: "g2", rack: "r2", hostname: "b" });
      assert.deepEqual(withPlacement(moved, "b:1", null), { g2: { "c:1": { rack: "r2", hostname: "c" } } });
      assert.equal(placementIn(map, "z:1"), null);
    });
  });

  describe("check", () => {
    const affinity = { namespace: "public/a", primary: "g1", adminUrl: "http://x", knownGroups: ["g1", "g2"], members: [] };

    it("AffinityGroup refuses a group the plan does not know, naming the known ones", () => {
      assert.deepEqual(checkAffinity(affinity), []);
      const failures = checkAffinity({ ...affinity, secondary: "g9" });
      assert.deepEqual(failures.map((f) => f.property), ["secondary"]);
      assert.match(failures[0].reason, /^public\/a: affinity group "g9" does not exist \(groups: g1, g2\)/);
      assert.deepEqual(checkAffinity({ ...affinity, primary: "" }).map((f) => f.property), ["primary"]);
    });

    it("Namespace refuses a malformed name, a bundle count below 1 and quorums out of order", () => {
      const ns = { namespace: "public/a", cluster: "c1", bundles: 4, adminUrl: "http://x" };
      assert.deepEqual(checkNamespace(ns), []);
      assert.deepEqual(checkNamespace({ ...ns, namespace: "public" }).map((f) => f.property), ["namespace"]);
      assert.deepEqual(checkNamespace({ ...ns, bundles: 0 }).map((f) => f.property), ["bundles"]);
      const failures = checkNamespace({ ...ns, persistence: { ensembleSize: 2, writeQuorum: 3, ackQuorum: 2 } });
      assert.deepEqual(failures.map((f) => f.property), ["persistence"]);
      assert.match(failures[0].reason, /writeQuorum 3 is larger than ensembleSize 2/);
    });
  });

  describe("read when a server cannot be reached", () => {
    it("tells an unreachable server from one that answered", () => {
      assert.equal(isUnreachable(adminApiError("GET", "http://x/a", undefined, "connect ECONNREFUSED")), true);
      assert.equal(isUnreachable(adminApiError("GET", "http://x/a", 503, "metadata store unavailable")), true);
      assert.equal(isUnreachable(adminApiError("GET", "http://x/a", 403, "not authorized")), false);
      assert.equal(isUnreachable(Object.assign(new Error("ZooKeeper 127.0.0.1:2181 did not answer within 15 s"), { unreachable: true })), true);
      assert.equal(isUnreachable(new Error("anything else")), false);
    });

    it("keeps the last known state for an unreachable server, and fails on any other error", async () => {
      assert.equal(await readOrKeep("x", "last", async () => "live"), "live");
      assert.equal(await readOrKeep("x", "last", async () => Promise.reject(adminApiError("GET", "http://x", undefined, "ECONNREFUSED"))), "last");
      await assert.rejects(readOrKeep("x", "last", async () => Promise.reject(adminApiError("GET", "http://x", 401, "unauthorized"))), /answered 401/);
    });
  });
});
