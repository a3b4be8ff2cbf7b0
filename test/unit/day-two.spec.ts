import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseTopology } from "../../config";
import { seeded } from "../../admin";
import {
  LEAKED_LOCK_AGE_MS,
  PAUSED_FOR_RESTART,
  REPLICATION_DISABLED_PATH,
  RESTART_RECOVERY_DELAY_SECONDS,
  configuredRecoveryDelay,
  cookiePath,
  decommissionDecision,
  decommissionFailure,
  decommissionSettings,
  delayToRestore,
  leakedLocks,
  mayHoldAuditor,
  underReplicationLockPath,
  withRecoveryDeferred,
  withReplicationPaused,
  BookieMembershipProvider,
  rolloutNeeded,
} from "../../runtime";
import { restartLock } from "../../runtime/bookie-restart";
import { brokerRestartLock, restartBroker } from "../../runtime/broker-restart";
import { whileWaiting } from "../../lib/one-at-a-time";
import { markedProcessRuns, processMark } from "../../lib/process-alive";
import type { Versioned } from "../../admin/zookeeper";
import { RecordedResource, runProgram } from "../support/program-under-mocks";
import { stackConfig, stackTopology } from "../support/stack-config";

const BK5 = { name: "bk5", bookiePort: 3185, httpPort: 8015, group: "group-bookie2", rack: "rack2" };

function devWith(change: (topology: Record<string, any>) => void): Record<string, unknown> {
  const topology = stackTopology("dev");
  change(topology);
  return { ...stackConfig("dev"), "pulsar-isolation:topology": topology };
}

describe("day-2 operations: what the program registers (Pulumi mocks)", function () {
  this.timeout(60_000);
  let resources: RecordedResource[];
  const find = (type: string, name: string) => resources.find((r) => r.type.endsWith(`:${type}`) && r.name === name)!;

  before(async () => {
    resources = (await runProgram("dev", devWith((t) => t.bookies.push(BK5)))).resources;
  });

  it("starts an added bookie with the others and files it in its group on every cluster", () => {
    assert.equal(find("LocalNode", "bk5").inputs.spec.settings.bookiePort, "3185");
    assert.deepEqual(find("BookieRack", "bk5-rack").inputs.adminUrls, ["http://127.0.0.1:8080", "http://127.0.0.1:8081"]);
    assert.equal(find("BookieRack", "bk5-rack").inputs.group, "group-bookie2");
  });

  it("writes every bookie's group and rack to the bookies' rack map before any bookie starts, an added one's too", () => {
    const seed = find("RackMapSeed", "bookkeeper-rack-map");
    assert.equal(seed.inputs.configurationStore, "127.0.0.1:2181");
    assert.deepEqual(seed.inputs.placements["127.0.0.1:3185"], { group: "group-bookie2", rack: "rack2", hostname: "127.0.0.1" });
    assert.deepEqual(Object.keys(seed.inputs.placements).sort(), ["127.0.0.1:3181", "127.0.0.1:3182", "127.0.0.1:3183", "127.0.0.1:3184", "127.0.0.1:3185"]);
    for (const bookie of ["bk1", "bk2", "bk3", "bk4", "bk5"]) assert.ok(find("LocalNode", bookie).dependsOn.includes("bookkeeper-rack-map"), bookie);
    // It writes what BookieRack would: the same placement for each bookie.
    for (const rack of resources.filter((r) => r.type.endsWith(":BookieRack"))) {
      const { group, rack: rackName, hostname } = rack.inputs;
      assert.deepEqual(seed.inputs.placements[rack.inputs.bookie], { group, rack: rackName, hostname }, rack.name);
    }
  });

  it("seeds only what the rack map misses: entries there stay as they are", () => {
    const placements = { "127.0.0.1:3181": { group: "group-bookie1", rack: "rack1", hostname: "127.0.0.1" }, "127.0.0.1:3185": { group: "group-bookie2", rack: "rack2", hostname: "127.0.0.1" } };
    const current = { "group-bookie9": { "127.0.0.1:3181": { rack: "rack9", hostname: "h" } } };
    assert.deepEqual(seeded(current, placements), {
      "group-bookie9": { "127.0.0.1:3181": { rack: "rack9", hostname: "h" } },
      "group-bookie2": { "127.0.0.1:3185": { rack: "rack2", hostname: "127.0.0.1" } },
    });
    assert.deepEqual(seeded({}, placements), {
      "group-bookie1": { "127.0.0.1:3181": { rack: "rack1", hostname: "127.0.0.1" } },
      "group-bookie2": { "127.0.0.1:3185": { rack: "rack2", hostname: "127.0.0.1" } },
    });
  });

  it("orders a removed bookie's way out: rack entries first, then its membership (the decommission), then its node", () => {
    for (const bookie of ["bk1", "bk5"]) {
      assert.ok(find("BookieRack", `${bookie}-rack`).dependsOn.includes(`${bookie}-membership`), `${bookie}-rack`);
      assert.ok(find("BookieMembership", `${bookie}-membership`).dependsOn.includes(bookie), `${bookie}-membership`);
    }
    assert.ok(!find("BookieRack", "bk1-rack").dependsOn.includes("bk5-membership"));
  });

  it("gives each membership what a decommission needs: the bookie, its peers, the metadata store and how to stop its node", () => {
    const membership = find("BookieMembership", "bk5-membership").inputs;
    assert.equal(membership.bookie, "127.0.0.1:3185");
    assert.equal(membership.httpUrl, "http://127.0.0.1:8015");
    assert.deepEqual(membership.peerUrls, ["http://127.0.0.1:8011", "http://127.0.0.1:8012", "http://127.0.0.1:8013", "http://127.0.0.1:8014"]);
    assert.equal(membership.metadataStore, "127.0.0.1:2181");
    assert.equal(membership.control.kind, "local");
    assert.equal(membership.control.spec.name, "bk5");
    assert.equal(membership.rollout, undefined, "a local bookie is restarted by its node, not its membership");
  });

  it("gives each affinity group its groups' members, so that a membership change unloads only that namespace", () => {
    assert.deepEqual(find("AffinityGroup", "public/c2-ns1-affinity").inputs.members, ["127.0.0.1:3183", "127.0.0.1:3184", "127.0.0.1:3185"]);
    assert.deepEqual(find("AffinityGroup", "public/c1-ns1-affinity").inputs.members, ["127.0.0.1:3181", "127.0.0.1:3182"]);
    assert.equal(find("AffinityGroup", "public/c2-ns1-affinity").inputs.unloadOnChange, true);
  });

  it("lets the stack turn the unload off", async () => {
    const quiet = (await runProgram("dev", devWith((t) => (t.unloadOnGroupChange = false)))).resources;
    const affinities = quiet.filter((r) => r.type.endsWith(":AffinityGroup"));
    assert.deepEqual(affinities.map((a) => a.inputs.unloadOnChange), [false, false]);
  });
});

describe("day-2 operations: decommission settings, decisions and messages", () => {
  it("takes a replication lock older than a worker holds one for leaked, and names it as BookKeeper does", () => {
    const now = 10_000_000;
    const locks = [
      { ledger: 0, createdAt: now - LEAKED_LOCK_AGE_MS - 1 }, // held since before the decommission: leaked
      { ledger: 12, createdAt: now - 60_000 }, // a worker copying it, or waiting out a failure
      { ledger: 7 }, // not locked
    ];
    assert.deepEqual(leakedLocks(locks, now), [0]);
    assert.ok(LEAKED_LOCK_AGE_MS > 5 * 60_000, "longer than BookKeeper's lockReleaseOfFailedLedgerGracePeriod default");
    assert.equal(underReplicationLockPath(0), "/ledgers/underreplication/locks/urL0000000000");
    assert.equal(underReplicationLockPath(1234567), "/ledgers/underreplication/locks/urL0001234567");
  });

  const bk4 = { name: "bk4", bookie: "127.0.0.1:3184" };

  it("reads the declared bookies and the time limit from the stack config's topology", () => {
    const raw = stackTopology("dev");
    raw.decommission = { timeoutSeconds: 30 };
    assert.deepEqual(decommissionSettings(JSON.stringify(raw)), { readable: true, declaredBookies: ["bk1", "bk2", "bk3", "bk4"], timeoutMs: 30_000 });
    assert.equal((decommissionSettings(JSON.stringify(stackTopology("dev"))) as { timeoutMs: number }).timeoutMs, 600_000);
  });

  it("fails closed: a missing, malformed or bookie-less config is unreadable, and nothing is decommissioned then", () => {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /has no pulsar-isolation:topology/],
      ["", /has no pulsar-isolation:topology/],
      ["{not json", /is not valid JSON/],
      [JSON.stringify({ bookies: "bk1" }), /has no list of named bookies/],
      [JSON.stringify({ bookies: [{ bookiePort: 3181 }] }), /has no list of named bookies/],
    ];
    for (const [raw, why] of cases) {
      const settings = decommissionSettings(raw);
      assert.equal(settings.readable, false, String(raw));
      const decision = decommissionDecision(settings, "bk5");
      assert.equal(decision.decommission, false);
      assert.match((decision as { warning: string }).warning, why);
      assert.match((decision as { warning: string }).warning, /^bk5 is not decommissioned, because .*: it is stopped with all its data\./);
    }
  });

  it("decommissions only a bookie that the readable config no longer declares", () => {
    const settings = decommissionSettings(JSON.stringify(stackTopology("dev")));
    assert.deepEqual(decommissionDecision(settings, "bk4"), { decommission: false });
    assert.deepEqual(decommissionDecision(settings, "bk5"), { decommission: true, timeoutMs: 600_000 });
  });

  it("deletes the cookie BookKeeper keeps under the ledgers root", () => {
    assert.equal(cookiePath("127.0.0.1:3185"), "/ledgers/cookies/127.0.0.1:3185");
  });

  it("says what is left and how to go on when the decommission stops short", () => {
    const message = decommissionFailure(bk4, "re-replication did not finish within 5 s", { ledgers: [3, 7], underReplicated: [7] }, true);
    assert.match(message, /^bk4 \(127\.0\.0\.1:3184\) was not decommissioned: re-replication did not finish within 5 s\./);
    assert.ok(message.includes("Ledgers still with a copy on it: 3, 7 (2); under-replicated ledgers: 7 (1)."), message);
    assert.ok(message.includes("runs again, read-only, with all its data"));
    assert.ok(message.includes("run `pulumi up` again"));
    assert.doesNotMatch(message, /switched off/);
    const switchedOff = decommissionFailure(bk4, "re-replication did not finish within 5 s", { ledgers: [3], underReplicated: [], replicationDisabled: true }, true);
    assert.ok(switchedOff.includes("Ledger re-replication is switched off in the BookKeeper cluster (/ledgers/underreplication/disable exists)"), switchedOff);
    assert.ok(switchedOff.includes("To finish: switch re-replication on, then run `pulumi up` again."), switchedOff);
    assert.doesNotMatch(switchedOff, /raise decommission.timeoutSeconds/);
    assert.ok(decommissionFailure(bk4, "x", { error: "ECONNREFUSED" }, true).includes("Could not list what is left: ECONNREFUSED."));
    assert.ok(decommissionFailure(bk4, "no other bookie", {}, false).includes("bk4 was not touched."));
  });
});

describe("day-2 operations: a bookie restarted on purpose defers the recovery of lost bookies", () => {
  it("puts back the delay it found", () => {
    assert.equal(delayToRestore(0, 0), 0);
    assert.equal(delayToRestore(120, 0), 120, "an operator's own delay is kept");
  });

  it("puts back the bookies' setting when it finds the delay a restart cut short left behind", () => {
    assert.equal(delayToRestore(RESTART_RECOVERY_DELAY_SECONDS, 0), 0);
    assert.equal(delayToRestore(RESTART_RECOVERY_DELAY_SECONDS, 60), 60);
  });

  it("reads the bookies' setting from their settings, else the distribution's 0", () => {
    assert.equal(configuredRecoveryDelay({ lostBookieRecoveryDelay: "60" }), 60);
    assert.equal(configuredRecoveryDelay({}), 0);
  });

  /** The delay's node in a metadata store held in memory; `failing` makes reads or writes throw. */
  const delayStore = (value: number | undefined, failing: { read?: boolean; write?: boolean } = {}) => {
    const store = {
      value,
      writes: [] as number[],
      connect: "127.0.0.1:2181",
      async readJson<T>(): Promise<Versioned<T> | undefined> {
        if (failing.read) throw new Error("no answer");
        return store.value === undefined ? undefined : { value: store.value as T, version: 0 };
      },
      async updateJson<T>(_path: string, change: (current: T | undefined) => T): Promise<T> {
        if (failing.write) throw new Error("no answer");
        store.value = change(store.value as T) as number;
        store.writes.push(store.value);
        return store.value as T;
      },
    };
    return store;
  };

  it("defers the recovery during the restart and puts the delay back, also when the restart fails", async () => {
    const store = delayStore(30);
    let during: number | undefined;
    assert.equal(await withRecoveryDeferred(store, 0, async () => (during = store.value, 7)), 7);
    assert.equal(during, RESTART_RECOVERY_DELAY_SECONDS);
    assert.equal(store.value, 30);
    await assert.rejects(withRecoveryDeferred(store, 0, async () => Promise.reject(new Error("did not start"))), /did not start/);
    assert.equal(store.value, 30, "a bookie that does not come back is recovered as before");
  });

  it("restarts anyway when the delay cannot be read, and leaves a store with no delay yet (no auditor) alone", async () => {
    const unreadable = delayStore(30, { read: true });
    assert.equal(await withRecoveryDeferred(unreadable, 0, async () => 1), 1);
    const empty = delayStore(undefined);
    assert.equal(await withRecoveryDeferred(empty, 0, async () => 2), 2);
    assert.deepEqual(empty.writes, []);
  });

  it("restarts anyway when the delay cannot be written", async () => {
    assert.equal(await withRecoveryDeferred(delayStore(0, { write: true }), 0, async () => 3), 3);
  });
});

describe("day-2 operations: the auditor's own bookie restarts with re-replication switched off", () => {
  /** The switch's node in a metadata store held in memory: absent, or its data (an operator's is empty). */
  const switchStore = (data: Buffer | undefined, failing: { create?: boolean; remove?: boolean } = {}) => {
    const store = {
      data,
      connect: "127.0.0.1:2181",
      async createIfAbsent(path: string, value?: unknown): Promise<boolean> {
        assert.equal(path, REPLICATION_DISABLED_PATH);
        if (failing.create) throw new Error("no answer");
        if (store.data) return false;
        store.data = Buffer.from(JSON.stringify(value));
        return true;
      },
      async removeIfHolds(path: string, value: unknown): Promise<boolean> {
        assert.equal(path, REPLICATION_DISABLED_PATH);
        if (failing.remove) throw new Error("no answer");
        if (!store.data?.equals(Buffer.from(JSON.stringify(value)))) return false;
        store.data = undefined;
        return true;
      },
    };
    return store;
  };
  const ours = Buffer.from(JSON.stringify(PAUSED_FOR_RESTART));

  it("switches re-replication off during the restart and on again, also when the restart fails", async () => {
    const store = switchStore(undefined);
    let during: Buffer | undefined;
    assert.equal(await withReplicationPaused(store, async () => ((during = store.data), 7)), 7);
    assert.deepEqual(during, ours);
    assert.equal(store.data, undefined);
    await assert.rejects(withReplicationPaused(store, async () => Promise.reject(new Error("did not start"))), /did not start/);
    assert.equal(store.data, undefined, "a bookie that does not come back is recovered as before");
  });

  it("leaves an operator's switch on, and switches on one that a restart cut short left", async () => {
    const operators = switchStore(Buffer.alloc(0));
    await withReplicationPaused(operators, async () => undefined);
    assert.deepEqual(operators.data, Buffer.alloc(0));
    const leftOver = switchStore(ours);
    await withReplicationPaused(leftOver, async () => undefined);
    assert.equal(leftOver.data, undefined);
  });

  it("restarts anyway when the switch cannot be written or removed", async () => {
    assert.equal(await withReplicationPaused(switchStore(undefined, { create: true }), async () => 1), 1);
    const stuck = switchStore(undefined, { remove: true });
    assert.equal(await withReplicationPaused(stuck, async () => 2), 2);
    assert.deepEqual(stuck.data, ours, "the warning tells how to switch it on");
  });

  it("switches it off for the auditor's bookie, and when nobody can say who the auditor is", async () => {
    const auditor = (id: string) => ({ auditor: async () => id });
    assert.equal(await mayHoldAuditor(auditor("127.0.0.1:3183"), "127.0.0.1:3183"), true);
    assert.equal(await mayHoldAuditor(auditor("127.0.0.1:3184"), "127.0.0.1:3183"), false);
    assert.equal(await mayHoldAuditor({ auditor: () => Promise.reject(new Error("connection refused")) }, "127.0.0.1:3183"), true);
  });
});

describe("day-2 operations: a bookie whose node only records a change (kubernetes) is restarted by its membership", () => {
  const membership = {
    name: "bk3",
    bookie: "bk3:3183",
    httpUrl: "http://127.0.0.1:30013",
    peerUrls: ["http://127.0.0.1:30014"],
    metadataStore: "127.0.0.1:30181",
    control: { kind: "docker" as const, container: "bk3" },
    rollout: { revision: "a1", recoveryDelay: 0 },
  };

  it("takes a new revision as an update in place, never a replacement", async () => {
    const diff = await new BookieMembershipProvider().diff("bk3:3183", membership, { ...membership, rollout: { revision: "b2", recoveryDelay: 0 } });
    assert.deepEqual(diff, { changes: true, replaces: [] });
    assert.deepEqual(await new BookieMembershipProvider().diff("bk3:3183", membership, { ...membership }), { changes: false, replaces: [] });
  });

  it("restarts on a changed revision only: not on the same one, nor on the first one a running bookie is given", () => {
    assert.equal(rolloutNeeded({ revision: "a1", recoveryDelay: 0 }, { revision: "b2", recoveryDelay: 0 }), true);
    assert.equal(rolloutNeeded({ revision: "a1", recoveryDelay: 0 }, { revision: "a1", recoveryDelay: 60 }), false);
    assert.equal(rolloutNeeded(undefined, { revision: "a1", recoveryDelay: 0 }), false);
  });

  it("restarts brokers one at a time across the clusters of one configuration store, each serving before the next stops", async () => {
    const store = `127.0.0.1:${20000 + (process.pid % 10000)}`;
    assert.notEqual(brokerRestartLock(store), brokerRestartLock("127.0.0.1:2181"));
    const away: [string, number, number][] = [];
    const restart = (name: string) => async () => {
      const stopped = Date.now();
      await new Promise((r) => setTimeout(r, 150));
      away.push([name, stopped, Date.now()]);
    };
    // The engine updates the brokers of both clusters at once.
    await Promise.all(["broker1", "broker2", "broker3"].map((b) => restartBroker(store, restart(b))));
    const sorted = away.sort((a, b) => a[1] - b[1]);
    assert.equal(sorted.length, 3);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i][1] >= sorted[i - 1][2], `${sorted[i][0]} stopped while ${sorted[i - 1][0]} was away`);
  });

  it("restarts one bookie at a time per BookKeeper cluster: one lock per metadata store, whichever runtime asks", () => {
    assert.equal(restartLock("127.0.0.1:30181"), restartLock("127.0.0.1:30181"));
    assert.notEqual(restartLock("127.0.0.1:30181"), restartLock("127.0.0.1:2181"));
  });

  it("lets a restart see the others waiting, so that the auditor's bookie goes last; a dead process's mark does not count, nor a reused id", async () => {
    const dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "restart-queue-")), "waiting");
    let marked!: () => void;
    let release!: () => void;
    const isMarked = new Promise<void>((r) => (marked = r));
    const other = whileWaiting(dir, "bk1:3181", () => (marked(), new Promise<void>((r) => (release = r))));
    await isMarked;
    const seen: boolean[] = [];
    await whileWaiting(dir, "bk2:3182", async (othersWaiting) => {
      seen.push(await othersWaiting());
      release();
      await other;
      seen.push(await othersWaiting());
      await fs.writeFile(path.join(dir, "bk9%3A3189"), "999999999");
      seen.push(await othersWaiting());
      // A live process that got the id of the one that marked: another start time.
      await fs.writeFile(path.join(dir, "bk8%3A3188"), `${process.pid} 1`);
      seen.push(await othersWaiting());
    });
    assert.deepEqual(seen, [true, false, false, false]);
    assert.deepEqual(await fs.readdir(dir), [], "every mark is gone, the dead processes' too");
    assert.equal(markedProcessRuns(processMark()), true, "this process's own mark");
  });
});
