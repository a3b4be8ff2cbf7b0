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
 * Applies one kind of resource for every plan entry, one after the other, keeping what was applied
 * by key; returns `action:label` for each, as `pulumi up` would report them.
 */
export async function applyEach<I, O>(
  provider: pulumi.dynamic.ResourceProvider<I, O>,
  plans: I[],
  applied: Map<string, { id: string; outs: O }>,
  keyOf: (plan: I) => string,
  label: (key: string) => string = (key) => key,
): Promise<string[]> {
  const actions: string[] = [];
  for (const plan of plans) {
    const key = keyOf(plan);
    const res = await applyResource(provider, plan, applied.get(key));
    applied.set(key, res);
    actions.push(`${res.action}:${label(key)}`);
  }
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

  /** Applies the topology's plan; returns `action:label` for each resource. */
  async apply(topology: Topology): Promise<string[]> {
    return [
      ...(await applyEach(this.rackProvider, rackPlan(topology), this.racks, (r) => r.bookie)),
      ...(await applyEach(this.tenantProvider, tenantPlan(topology), this.tenants, (t) => t.tenant)),
      ...(await applyEach(this.namespaceProvider, namespacePlan(topology), this.namespaces, (ns) => ns.namespace)),
      ...(await applyEach(this.affinityProvider, affinityPlan(topology), this.affinities, (a) => a.namespace, (ns) => `${ns}-affinity`)),
    ];
  }
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
