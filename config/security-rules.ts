import type { z } from "zod";
import { BROKER_SECURITY_OWNED_SETTINGS } from "./owned-settings";
import type { Problem } from "./rules";

/**
 * The rules of `security` (secured brokers), in one place: it needs the local runtime (the
 * token key, CA and certificates live in the stack's folder on this machine), every broker
 * declares its TLS ports with it and none without it, and brokerSettings cannot change the
 * settings it writes.
 */

interface DraftBroker {
  servicePortTls?: unknown;
  webPortTls?: unknown;
}
interface DraftCluster {
  brokers?: unknown;
  brokerSettings?: unknown;
}
export interface SecurityDraft {
  runtime?: unknown;
  security?: unknown;
  clusters?: unknown;
}

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const TLS_PORTS = ["webPortTls", "servicePortTls"] as const;

export function checkSecurity(draft: SecurityDraft, ctx: z.RefinementCtx): void {
  if (typeof draft !== "object" || draft === null) return;
  for (const { path, message } of securityProblems(draft)) ctx.addIssue({ code: "custom", path, message });
}

export function securityProblems(draft: SecurityDraft): Problem[] {
  const secured = draft.security !== undefined && draft.security !== null;
  const runtime = draft.runtime ?? "local";
  const problems: Problem[] = [];
  if (secured && runtime !== "local") {
    problems.push({
      path: ["security"],
      message: `secured brokers run on the local runtime only (runtime is "${String(runtime)}"): remove security, or use runtime: local`,
    });
  }
  list<DraftCluster>(draft.clusters).forEach((cluster, i) => {
    list<DraftBroker>(cluster?.brokers).forEach((broker, j) => {
      for (const field of TLS_PORTS) {
        const declared = broker?.[field] !== undefined;
        if (secured && !declared) {
          problems.push({ path: ["clusters", i, "brokers", j, field], message: `a broker of a secured topology (security is set) needs its ${field}` });
        } else if (!secured && declared) {
          problems.push({ path: ["clusters", i, "brokers", j, field], message: `is used only with security; add security at the top level, or remove ${field}` });
        }
      }
    });
    if (!secured) return;
    const settings = cluster?.brokerSettings && typeof cluster.brokerSettings === "object" ? Object.keys(cluster.brokerSettings) : [];
    for (const key of settings.filter((k) => k in BROKER_SECURITY_OWNED_SETTINGS)) {
      problems.push({ path: ["clusters", i, "brokerSettings", key], message: `is set by ${BROKER_SECURITY_OWNED_SETTINGS[key]}; change it there, not here` });
    }
  });
  return problems;
}
