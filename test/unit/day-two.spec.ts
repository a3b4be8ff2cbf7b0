import * as assert from "node:assert/strict";
import { parseTopology } from "../../config";
import { ledgerReport } from "../../ops/ledger-report";
import { bookieSpec, decommissionCommand, decommissionFailure, decommissionSettings } from "../../runtime";
import { RecordedResource, runProgram } from "../support/docker-mocks";
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

  it("makes each rack entry depend on its own bookie, so a removed bookie loses its entries before it is decommissioned", () => {
    for (const bookie of ["bk1", "bk5"]) assert.ok(find("BookieRack", `${bookie}-rack`).dependsOn.includes(bookie), `${bookie}-rack`);
    assert.ok(!find("BookieRack", "bk1-rack").dependsOn.includes("bk5"));
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

describe("day-2 operations: decommission settings and messages", () => {
  const topology = parseTopology(stackTopology("dev"));
  const bk4 = bookieSpec(topology, topology.bookies[3]);

  it("reads the declared bookies, their HTTP APIs and the time limit from the stack config's topology", () => {
    const raw = stackTopology("dev");
    raw.bookies[1].host = "10.0.0.2";
    raw.decommission = { timeoutSeconds: 30 };
    const settings = decommissionSettings(JSON.stringify(raw), "127.0.0.1");
    assert.deepEqual(settings.declaredBookies, ["bk1", "bk2", "bk3", "bk4"]);
    assert.deepEqual(settings.peerUrls, ["http://127.0.0.1:8011", "http://10.0.0.2:8012", "http://127.0.0.1:8013", "http://127.0.0.1:8014"]);
    assert.equal(settings.timeoutMs, 30_000);
  });

  it("falls back to the default limit, and declares nothing when the config is missing or unreadable", () => {
    assert.equal(decommissionSettings(JSON.stringify(stackTopology("dev")), "127.0.0.1").timeoutMs, 600_000);
    for (const raw of [undefined, "{not json"]) {
      assert.deepEqual(decommissionSettings(raw, "127.0.0.1"), { declaredBookies: [], peerUrls: [], timeoutMs: 600_000 });
    }
  });

  it("decommissions with bookkeeper shell decommissionbookie against the shared metadata service", () => {
    const command = decommissionCommand(bk4);
    assert.deepEqual(command.args, ["shell", "decommissionbookie", "-bookieid", "127.0.0.1:3184"]);
    assert.deepEqual(command.configFile, { env: "BOOKIE_CONF", settings: { metadataServiceUri: "zk://127.0.0.1:2181/ledgers" } });
  });

  it("says what is left and how to go on when the decommission stops short", () => {
    const message = decommissionFailure(bk4, "re-replication did not finish within 5 s", { ledgers: [3, 7], underReplicated: [7] });
    assert.match(message, /^bk4 \(127\.0\.0\.1:3184\) was not decommissioned: re-replication did not finish within 5 s\./);
    assert.ok(message.includes("Ledgers still with a copy on it: 3, 7 (2); under-replicated ledgers: 7 (1)."), message);
    assert.ok(message.includes("runs again, read-only, with all its data"));
    assert.ok(message.includes("run `pulumi up` again"));
    assert.ok(decommissionFailure(bk4, "x", { error: "ECONNREFUSED" }).includes("Could not list what is left: ECONNREFUSED."));
  });
});

describe("day-2 operations: the ledger-per-group report", () => {
  const topology = parseTopology(stackTopology("dev"));
  const groupOf = { "127.0.0.1:3181": "group-bookie1", "127.0.0.1:3182": "group-bookie1", "127.0.0.1:3183": "group-bookie2", "127.0.0.1:3184": "group-bookie2" };
  const ledger = (ledgerId: number, managedLedger: string | undefined, ...ensembles: string[][]) => ({ ledgerId, state: "CLOSED", ensembles, managedLedger });

  it("files each namespace's ledgers by the groups holding them, and flags copies outside its groups", () => {
    const report = ledgerReport(topology, groupOf, [
      ledger(1, "public/c1-ns1/persistent/t1", ["127.0.0.1:3181", "127.0.0.1:3182"]),
      ledger(2, "public/c2-ns1/persistent/t1", ["127.0.0.1:3183", "127.0.0.1:3184"]),
      ledger(3, "public/c2-ns1/persistent/t1", ["127.0.0.1:3183", "127.0.0.1:3184"], ["127.0.0.1:3183", "127.0.0.1:3181"]),
      ledger(4, "public/c2-ns1/persistent/t2", ["127.0.0.1:3183", "127.0.0.1:3199"]),
      ledger(5, undefined, ["127.0.0.1:3181", "127.0.0.1:3183"]),
    ]);
    assert.deepEqual(report, [
      { namespace: "public/c1-ns1", groups: ["group-bookie1"], byGroups: { "group-bookie1": [1] }, outside: [] },
      {
        namespace: "public/c2-ns1",
        groups: ["group-bookie2"],
        byGroups: { "group-bookie2": [2], "group-bookie1+group-bookie2": [3], "(no group)+group-bookie2": [4] },
        outside: [3, 4],
      },
    ]);
  });
});
