import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
  AffinityGroupOutputs,
  AffinityGroupProvider,
  BookieRackOutputs,
  BookieRackProvider,
  NamespaceOutputs,
  NamespaceProvider,
  TenantOutputs,
  TenantProvider,
} from "../../admin";
import { affinityPlan, namespacePlan, rackPlan, tenantPlan } from "../../components";
import { Topology } from "../../config";
import { settledCount } from "./pulsar-client";

/** What the engine does with a resource on `pulumi up`: create it, or diff and update it when the diff says so. */
export async function applyResource<I, O>(
  provider: pulumi.dynamic.ResourceProvider<I, O>,
  news: I,
  current?: { id: string; outs: O },
): Promise<{ id: string; outs: O; action: "create" | "update" | "none" }> {
  const checked = provider.check ? await provider.check((current?.outs ?? {}) as I, news) : { inputs: news, failures: [] };
  if (checked.failures?.length) {
    throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
  }
  const inputs = (checked.inputs ?? news) as I;
  if (!current) {
    const created = await provider.create(inputs);
    return { id: created.id, outs: created.outs as O, action: "create" };
  }
  const diff = await provider.diff!(current.id, current.outs, inputs);
  if (!diff.changes) return { ...current, action: "none" };
  const updated = await provider.update!(current.id, current.outs, inputs);
  return { id: current.id, outs: updated.outs as O, action: "update" };
}

/** What `pulumi refresh` does: read the live state. */
export async function refreshResource<I, O>(provider: pulumi.dynamic.ResourceProvider<I, O>, current: { id: string; outs: O }) {
  const read = await provider.read!(current.id, current.outs);
  return { id: read.id ?? current.id, outs: read.props as O };
}

/**
 * Applies one kind of resource for every plan entry, one after the other or, `atOnce`, all at
 * once as the engine does with resources that do not depend on each other; keeps what was applied
 * by key and returns `action:label` for each, as `pulumi up` would report them.
 */
export async function applyEach<I, O>(
  provider: pulumi.dynamic.ResourceProvider<I, O>,
  plans: I[],
  applied: Map<string, { id: string; outs: O }>,
  keyOf: (plan: I) => string,
  { label = (key: string) => key, atOnce = false }: { label?: (key: string) => string; atOnce?: boolean } = {},
): Promise<string[]> {
  const applyOne = async (plan: I) => {
    const key = keyOf(plan);
    const res = await applyResource(provider, plan, applied.get(key));
    applied.set(key, res);
    return `${res.action}:${label(key)}`;
  };
  if (atOnce) return Promise.all(plans.map(applyOne));
  const actions: string[] = [];
  for (const plan of plans) actions.push(await applyOne(plan));
  return actions;
}

type Applied<O> = { id: string; outs: O };

/**
 * The admin layer of a topology as `pulumi up` applies it through the providers, in dependency
 * order, keeping what was applied between runs as the engine's state does.
 */
export class AdminLayer {
  readonly racks = new Map<string, Applied<BookieRackOutputs>>();
  readonly tenants = new Map<string, Applied<TenantOutputs>>();
  readonly namespaces = new Map<string, Applied<NamespaceOutputs>>();
  readonly affinities = new Map<string, Applied<AffinityGroupOutputs>>();
  readonly rackProvider = new BookieRackProvider();
  readonly tenantProvider = new TenantProvider();
  readonly namespaceProvider = new NamespaceProvider();
  readonly affinityProvider = new AffinityGroupProvider();

  /**
   * Applies the topology's plan in dependency order: racks and tenants, then namespaces, then
   * affinity groups. `atOnce` applies the resources of each step together, stage by stage (the
   * engine starts a namespace as soon as its tenant is there); otherwise one by one. Returns `action:label` for each resource.
   */
  async apply(topology: Topology, { atOnce = false }: { atOnce?: boolean } = {}): Promise<string[]> {
    const [racks, tenants] = await inOrderOrTogether(atOnce, [
      () => applyEach(this.rackProvider, rackPlan(topology), this.racks, (r) => r.bookie, { atOnce }),
      () => applyEach(this.tenantProvider, tenantPlan(topology), this.tenants, (t) => t.tenant, { atOnce }),
    ]);
    const namespaces = await applyEach(this.namespaceProvider, namespacePlan(topology), this.namespaces, (ns) => ns.namespace, { atOnce });
    const affinities = await applyEach(this.affinityProvider, affinityPlan(topology), this.affinities, (a) => a.namespace, {
      label: (ns) => `${ns}-affinity`,
      atOnce,
    });
    return [...racks, ...tenants, ...namespaces, ...affinities];
  }
}

function inOrderOrTogether<T>(together: boolean, works: (() => Promise<T>)[]): Promise<T[]> {
  if (together) return Promise.all(works.map((work) => work()));
  return works.reduce<Promise<T[]>>(async (done, work) => [...(await done), await work()], Promise.resolve([]));
}

/**
 * Applies the unchanged topology again: every resource is left as it is, and the brokers' request
 * logs (`writesSeen`, counted once they settle) show no write.
 */
export async function assertReapplyWritesNothing(layer: AdminLayer, topology: Topology, writesSeen: () => Promise<number>): Promise<void> {
  const before = await settledCount(writesSeen);
  assert.ok(before > 0, "the brokers' request logs show the first apply's writes");
  const actions = await layer.apply(topology);
  assert.ok(actions.every((a) => a.startsWith("none:")), actions.join(", "));
  assert.equal(await settledCount(writesSeen), before, "admin writes the brokers saw during the second apply");
}
