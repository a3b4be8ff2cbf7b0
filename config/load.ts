import * as pulumi from "../lib/pulumi";
import type { z } from "zod";
import { formatPath } from "./path";
import { Topology, TopologySchema } from "./schema";
import { ExternalTopology, ExternalTopologySchema } from "./external";
import { unknownKeys } from "./unknown-keys";

/** The stack config key that holds the whole topology. */
export const TOPOLOGY_KEY = "topology";

/** Raised before any resource is registered; pulumi prints it without a stack trace. */
export class TopologyConfigError extends pulumi.RunError {
  constructor(
    readonly configKey: string,
    readonly problems: string[],
  ) {
    super(
      `Invalid stack config "${configKey}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "TopologyConfigError";
  }
}

/** A stack's topology: nodes this stack runs, or clusters someone else runs (`runtime: external`). */
export type StackTopology = Topology | ExternalTopology;

/** Parses a topology whose nodes the stack runs, or throws one error that lists every problem with its path and value. */
export function parseTopology(raw: unknown, configKey = TOPOLOGY_KEY): Topology {
  // The rules have checked what the types cannot say (every bookie has a group).
  return parseWith(TopologySchema, raw, configKey) as Topology;
}

/** Parses any stack's topology, the schema chosen by its runtime. */
export function parseStackTopology(raw: unknown, configKey = TOPOLOGY_KEY): StackTopology {
  const external = typeof raw === "object" && raw !== null && (raw as { runtime?: unknown }).runtime === "external";
  return external ? (parseWith(ExternalTopologySchema, raw, configKey) as ExternalTopology) : parseTopology(raw, configKey);
}

function parseWith(schema: z.ZodType, raw: unknown, configKey: string): unknown {
  if (raw === undefined || raw === null || (typeof raw === "object" && Object.keys(raw).length === 0)) {
    throw new TopologyConfigError(configKey, [
      `(top level) = ${raw === undefined ? "(missing)" : JSON.stringify(raw)}: the stack declares no topology; ` +
        `set ${configKey} in Pulumi.<stack>.yaml (Pulumi.dev.yaml is a complete example)`,
    ]);
  }
  const unknown = unknownKeys(schema, raw).map(
    ({ path, suggestion }) =>
      `${formatPath(path)} = ${JSON.stringify(valueAt(raw, path))}: is not a known key${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
  );
  const result = schema.safeParse(raw);
  if (result.success && unknown.length === 0) return result.data;
  throw new TopologyConfigError(configKey, [...unknown, ...(result.success ? [] : result.error.issues.map((issue) => describeIssue(raw, issue)))]);
}

/** Reads and checks the stack's topology config. */
export function loadTopology(config = new pulumi.Config()): StackTopology {
  return parseStackTopology(config.getObject<unknown>(TOPOLOGY_KEY), `${config.name}:${TOPOLOGY_KEY}`);
}

export function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  const value = valueAt(raw, issue.path);
  const shown = value === undefined ? "(missing)" : JSON.stringify(value);
  return `${path || "(top level)"} = ${shown}: ${issue.message}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
