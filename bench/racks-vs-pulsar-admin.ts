/**
 * Time to apply the article's racks (4 bookies × 2 clusters) and 2 affinity groups, through our
 * REST client and providers versus one `bin/pulsar-admin` call per setting, against the same
 * running topology in one run. Usage: npm run bench:racks [-- <rounds>]
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { AffinityGroupProvider, BookieRackProvider, NamespaceProvider, PulsarAdmin, TenantProvider } from "../admin";
import { affinityPlan, namespacePlan, rackPlan, tenantPlan } from "../components";
import { startRealTopology, stopRealTopology } from "../test/support/real-topology";

const run = promisify(execFile);
const rounds = Number(process.argv[2] ?? 3);

async function main() {
  const real = await startRealTopology("bench");
  try {
    const { topology, paths } = real;
    const racks = rackPlan(topology);
    const affinities = affinityPlan(topology);
    for (const t of tenantPlan(topology)) await new TenantProvider().create(t);
    for (const ns of namespacePlan(topology)) await new NamespaceProvider().create(ns);

    const reset = async () => {
      for (const url of racks[0].adminUrls) {
        const admin = new PulsarAdmin({ baseUrl: url });
        await Promise.all(racks.map((r) => admin.deleteBookieRack(r.bookie)));
      }
      for (const a of affinities) await new PulsarAdmin({ baseUrl: a.adminUrl }).deleteBookieAffinityGroup(a.namespace);
    };

    const ours = async () => {
      const rackProvider = new BookieRackProvider();
      await Promise.all(racks.map((r) => rackProvider.create(r)));
      const affinityProvider = new AffinityGroupProvider();
      await Promise.all(affinities.map((a) => affinityProvider.create({ ...a, unloadOnChange: false })));
    };

    const pulsarAdminCli = async () => {
      const cli = path.join(paths.pulsarHome, "bin", "pulsar-admin");
      const env = { ...process.env, PULSAR_MEM: "-Xms64m -Xmx256m" };
      for (const r of racks) {
        for (const url of r.adminUrls) {
          await run(cli, ["--admin-url", url, "bookies", "set-bookie-rack", "--bookie", r.bookie, "--hostname", r.hostname, "--group", r.group, "--rack", r.rack], { env });
        }
      }
      for (const a of affinities) {
        await run(cli, ["--admin-url", a.adminUrl, "namespaces", "set-bookie-affinity-group", a.namespace, "--primary-group", a.primary], { env });
      }
    };

    const results: Record<string, number[]> = { ours: [], pulsarAdmin: [] };
    for (let i = 0; i < rounds; i++) {
      for (const [name, work] of [["ours", ours], ["pulsarAdmin", pulsarAdminCli]] as const) {
        await reset();
        const started = process.hrtime.bigint();
        await work();
        results[name].push(Number(process.hrtime.bigint() - started) / 1e9);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const summary = {
      rounds,
      settings: `${racks.length * racks[0].adminUrls.length} rack entries + ${affinities.length} affinity groups`,
      oursSeconds: results.ours.map((s) => +s.toFixed(3)),
      pulsarAdminSeconds: results.pulsarAdmin.map((s) => +s.toFixed(2)),
      medianOurs: +median(results.ours).toFixed(3),
      medianPulsarAdmin: +median(results.pulsarAdmin).toFixed(2),
      ratio: +(median(results.pulsarAdmin) / median(results.ours)).toFixed(0),
    };
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    await stopRealTopology(real);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
