import { DEFAULT_DECOMMISSION_TIMEOUT_SECONDS } from "../config/topology";
import { BootstrapCommand } from "./bootstrap";
import { NodeSpec } from "./spec";

/**
 * What a safe decommission of a bookie needs, whatever runs the bookie: when it applies, how long
 * re-replication may take, and which bookies to ask about ledgers once the leaving one is stopped.
 */
export interface DecommissionSettings {
  /** Bookie names the stack config declares now. A bookie it still declares is being torn down, not removed. */
  readonly declaredBookies: readonly string[];
  /** HTTP API URLs of the declared bookies: they answer for the BookKeeper cluster's ledgers. */
  readonly peerUrls: readonly string[];
  /** How long re-replication may take before the bookie is put back. */
  readonly timeoutMs: number;
}

/** The part of the raw stack config `topology` value the settings come from (checked by the schema in the program). */
interface RawTopology {
  host?: string;
  bookies?: { name?: string; host?: string; httpPort?: number }[];
  decommission?: { timeoutSeconds?: number };
}

/**
 * Reads the settings from the stack config's `topology` value (JSON text), as a dynamic provider
 * receives it when it is configured: the provider runs apart from the program, after the bookie
 * has left the program.
 */
export function decommissionSettings(topologyJson: string | undefined, defaultHost: string): DecommissionSettings {
  let raw: RawTopology = {};
  try {
    raw = topologyJson ? (JSON.parse(topologyJson) as RawTopology) : {};
  } catch {
    /* the program reports a malformed config before any resource operation */
  }
  const bookies = Array.isArray(raw.bookies) ? raw.bookies : [];
  const timeoutSeconds = raw.decommission?.timeoutSeconds;
  return {
    declaredBookies: bookies.map((b) => String(b.name)),
    peerUrls: bookies.filter((b) => b.httpPort).map((b) => `http://${b.host ?? raw.host ?? defaultHost}:${b.httpPort}`),
    timeoutMs: 1000 * (typeof timeoutSeconds === "number" && timeoutSeconds > 0 ? timeoutSeconds : DEFAULT_DECOMMISSION_TIMEOUT_SECONDS),
  };
}

export const bookieIdOfSpec = (spec: NodeSpec): string => `${spec.host}:${spec.ports.bookie}`;
export const bookieHttpUrlOfSpec = (spec: NodeSpec): string => `http://${spec.host}:${spec.ports.http}`;

/**
 * `bookkeeper shell decommissionbookie`: with the bookie stopped, it has the auditor mark the
 * bookie's ledgers under-replicated, waits until autorecovery has copied them elsewhere, then
 * deletes the bookie's cookie. It waits forever when copies cannot be made; callers bound it.
 */
export function decommissionCommand(spec: NodeSpec): BootstrapCommand {
  return {
    name: `decommission-${spec.name}`,
    script: "bin/bookkeeper",
    args: ["shell", "decommissionbookie", "-bookieid", bookieIdOfSpec(spec)],
    configFile: { env: "BOOKIE_CONF", settings: { metadataServiceUri: spec.settings.metadataServiceUri } },
  };
}

/** Why a decommission stopped short, for the operator: what is left and how to go on. */
export function decommissionFailure(spec: NodeSpec, why: string, left: { ledgers?: number[]; underReplicated?: number[]; error?: string }): string {
  const list = (ids: number[]) => (ids.length > 20 ? `${ids.slice(0, 20).join(", ")}, … (${ids.length})` : `${ids.join(", ") || "none"} (${ids.length})`);
  return [
    `${spec.name} (${bookieIdOfSpec(spec)}) was not decommissioned: ${why}.`,
    left.error
      ? `Could not list what is left: ${left.error}.`
      : `Ledgers still with a copy on it: ${list(left.ledgers ?? [])}; under-replicated ledgers: ${list(left.underReplicated ?? [])}.`,
    `${spec.name} runs again, read-only, with all its data; its rack entries are removed, so no new ledger is placed on it.`,
    `To finish: check that the other bookies run autorecovery (autoRecoveryDaemonEnabled) and have room for the copies, ` +
      `raise decommission.timeoutSeconds if copying needs longer, then run \`pulumi up\` again. To keep the bookie, put it back in the stack config.`,
  ].join("\n");
}
