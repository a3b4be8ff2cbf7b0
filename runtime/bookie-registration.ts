import * as pulumi from "../lib/pulumi";
import { bookieIdOf } from "../rules/names";
import { metadataStoreOf, registrationPaths } from "./bookkeeper-metadata";
import { NodeSpec } from "./node-spec";

/**
 * A bookie that died without being stopped leaves its registration until its ZooKeeper session
 * expires (`zkTimeout`, 30 s by default), and the same bookie started again waits that long before
 * it serves. Called once its process is known dead and its ports free, this removes that stale
 * registration. If that fails, the bookie waits for the expiry as it would have, and a warning
 * says why.
 */
export async function removeStaleRegistration(spec: NodeSpec): Promise<void> {
  const bookie = bookieIdOf(spec.host, spec.ports.bookie);
  const store = metadataStoreOf(spec, 3_000);
  try {
    await Promise.all(registrationPaths(bookie).map((p) => store.remove(p)));
  } catch (err) {
    await pulumi.log.warn(`${spec.name}'s registration from before it died could not be removed, so it waits for its ZooKeeper session to expire: ${(err as Error).message}`);
  }
}
