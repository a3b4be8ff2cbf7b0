import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT_NAME = "pulsar-isolation";

/** The `config:` section of `Pulumi.<stack>.yaml`. */
export function stackConfig(stack: string): Record<string, unknown> {
  const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  return doc.config ?? {};
}

/** The raw topology of a stack, as the program reads it. */
export function stackTopology(stack: string): Record<string, any> {
  return structuredClone(stackConfig(stack)[`${PROJECT_NAME}:topology`]) as Record<string, any>;
}
