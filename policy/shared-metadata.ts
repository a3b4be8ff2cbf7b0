import { ResourceLike, topologyView } from "./plan-view";

export interface Violation {
  readonly message: string;
  readonly urn?: string;
}

/** Every broker and bookie uses the one BookKeeper metadata service, and every broker the one configuration store. */
export function sharedMetadata(resources: readonly ResourceLike[]): Violation[] {
  const view = topologyView(resources);
  const store = view.nodes.find((n) => n.role === "configuration-store");
  if (!store) return [];
  const storeConnect = `${store.host}:${store.ports.client}`;
  const ledgers = `zk://${storeConnect}/ledgers`;
  const violations: Violation[] = [];
  for (const n of view.nodes) {
    if (n.role === "broker") {
      if (n.settings.bookkeeperMetadataServiceUri !== ledgers) {
        violations.push({ urn: n.urn, message: `broker ${n.name} uses BookKeeper metadata ${n.settings.bookkeeperMetadataServiceUri}, not the shared ${ledgers}` });
      }
      if (n.settings.configurationMetadataStoreUrl !== `zk:${storeConnect}`) {
        violations.push({ urn: n.urn, message: `broker ${n.name} uses configuration store ${n.settings.configurationMetadataStoreUrl}, not the shared zk:${storeConnect}` });
      }
    }
    if (n.role === "bookie" && bookieLedgersUri(n.settings) !== ledgers) {
      violations.push({ urn: n.urn, message: `bookie ${n.name} registers in ${bookieLedgersUri(n.settings)}, not the shared ${ledgers}` });
    }
  }
  return violations;
}

/** A bookie's ledgers root: its metadataServiceUri, else the zkServers and zkLedgersRootPath it falls back to. */
export function bookieLedgersUri(settings: Record<string, string>): string {
  if (settings.metadataServiceUri) return settings.metadataServiceUri;
  return `zk://${settings.zkServers ?? "localhost:2181"}${settings.zkLedgersRootPath ?? "/ledgers"}`;
}
