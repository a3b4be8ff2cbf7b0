import { ENTRY_ENV } from "../../runtime/container";

/** The settings a node's container writes over its configuration file, read back from their variable's value. */
export const settingsIn = (value: string): Record<string, string> =>
  Object.fromEntries(value.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));

/** The same, from a Kubernetes container's environment list. */
export const containerSettings = (env: readonly { name: string; value: string }[]): Record<string, string> =>
  settingsIn(env.find((e) => e.name === ENTRY_ENV.settings)!.value);
