import * as assert from "node:assert/strict";
import { TopologyConfigError, parseStackTopology } from "../../config";
import { stackTopology } from "./stack-config";

/** Parses a changed copy of a stack's topology and returns the error's problems. */
export function problemsOf(stack: string, change: (t: Record<string, any>) => void): string[] {
  const topology = stackTopology(stack);
  change(topology);
  try {
    parseStackTopology(topology, "pulsar-isolation:topology");
  } catch (err) {
    assert.ok(err instanceof TopologyConfigError, `expected a TopologyConfigError, got ${err}`);
    return err.problems;
  }
  assert.fail("the topology was accepted");
}

/** Asserts that one problem names this path and shows this value. */
export function assertProblem(problems: string[], path: string, value: unknown, ...words: string[]): void {
  const prefix = `${path} = ${value === undefined ? "(missing)" : JSON.stringify(value)}: `;
  const match = problems.find((p) => p.startsWith(prefix));
  assert.ok(match, `no problem starts with ${prefix}\nproblems:\n${problems.join("\n")}`);
  for (const word of words) assert.ok(match.includes(word), `"${match}" does not mention "${word}"`);
}
