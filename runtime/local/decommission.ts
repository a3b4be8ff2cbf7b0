import { BookieAdmin } from "../../admin/bookie-admin";
import {
  DecommissionSettings,
  bookieHttpUrlOfSpec,
  bookieIdOfSpec,
  decommissionCommand,
  decommissionFailure,
} from "../decommission";
import { NodeSpec } from "../spec";
import { LocalPaths, nodeStatus, removeNodeFiles, startNode, stopNode } from "./node-process";
import { CommandTimedOut, runBootstrapCommand } from "./run-command";
import { waitFor } from "./wait";

/**
 * Takes a bookie out of the BookKeeper cluster without losing data: read-only, stopped, its
 * ledgers copied to other bookies by autorecovery (within the time limit), checked, and only
 * then its folder removed. When copying does not finish in time, the bookie is started again,
 * read-only and with its data, and the error lists what is left.
 */
export async function decommissionLocalBookie(spec: NodeSpec, paths: LocalPaths, settings: DecommissionSettings): Promise<void> {
  const bookieId = bookieIdOfSpec(spec);
  const self = new BookieAdmin({ baseUrl: bookieHttpUrlOfSpec(spec), attempts: 2 });
  const peers = settings.peerUrls.length ? new BookieAdmin({ baseUrl: settings.peerUrls.join(","), attempts: 3 }) : undefined;
  const deadline = Date.now() + settings.timeoutMs;

  if ((await nodeStatus(paths, spec.name)).running) await self.setReadOnly(true);
  await stopNode(spec, paths);

  try {
    await runBootstrapCommand(decommissionCommand(spec), paths, Math.max(1, deadline - Date.now()));
    if (!peers) throw new Error("no other bookie is declared to check the result with");
    await waitFor(
      `no ledger to list ${bookieId} and none to be under-replicated`,
      // One GET for the under-replicated list first; listing every ledger's metadata only once it is empty.
      async () => (await peers.underReplicatedLedgers()).length === 0 && (await peers.ledgersOn(bookieId)).length === 0,
      { timeoutMs: Math.max(1, deadline - Date.now()), intervalMs: 1_000 },
    );
  } catch (err) {
    const why =
      err instanceof Error && (err as Partial<CommandTimedOut>).timedOut
        ? `re-replication did not finish within ${Math.round(settings.timeoutMs / 1000)} s (decommission.timeoutSeconds)`
        : (err as Error).message;
    const left = await whatIsLeft(peers, bookieId);
    await startNode(spec, paths);
    await self.setReadOnly(true);
    throw new Error(decommissionFailure(spec, why, left));
  }
  await removeNodeFiles(paths, spec.name);
}

async function whatIsLeft(peers: BookieAdmin | undefined, bookieId: string): Promise<{ ledgers?: number[]; underReplicated?: number[]; error?: string }> {
  if (!peers) return { error: "no other bookie is declared" };
  try {
    const [ledgers, underReplicated] = await Promise.all([peers.ledgersOn(bookieId), peers.underReplicatedLedgers()]);
    return { ledgers, underReplicated };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
