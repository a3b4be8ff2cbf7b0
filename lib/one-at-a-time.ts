import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { markedProcessRuns, processMark } from "./process-alive";

/** The lock folder on this machine of one kind of work (`restarting-bookie`) on one thing (a metadata store). */
export const lockFolder = (kind: string, key: string): string =>
  path.join(os.tmpdir(), "pulsar-isolation-locks", `${kind}-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`);

/**
 * Runs `work` while holding a lock folder, so that calls made at once (the engine updates
 * resources in parallel) run one after the other. A lock left by a process that died is taken over.
 * Its holder is marked by process id and start time (`processMark`).
 */
export async function oneAtATime<T>(lockDir: string, work: () => Promise<T>, timeoutMs = 1_800_000): Promise<T> {
  const owner = path.join(lockDir, "owner");
  const deadline = Date.now() + timeoutMs;
  await fs.mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      await fs.writeFile(owner, processMark());
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = await fs.readFile(owner, "utf8").catch(() => "");
      if (holder && !markedProcessRuns(holder)) await fs.rm(lockDir, { recursive: true, force: true });
      else if (Date.now() >= deadline) throw new Error(`waited ${Math.round(timeoutMs / 1000)} s for ${lockDir} (held by process ${holder.split(" ")[0] || "?"})`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * Runs `work` with `name` marked as waiting in the folder `dir`; `othersWaiting` tells whether a
 * live process has another name marked there, so that one caller can let the others go first.
 */
export async function whileWaiting<T>(dir: string, name: string, work: (othersWaiting: () => Promise<boolean>) => Promise<T>): Promise<T> {
  const mine = encodeURIComponent(name);
  await fs.mkdir(dir, { recursive: true });
  // Written aside and renamed, so that a mark is never read half-written.
  await fs.writeFile(path.join(dir, `.${mine}.${process.pid}`), processMark());
  await fs.rename(path.join(dir, `.${mine}.${process.pid}`), path.join(dir, mine));
  const othersWaiting = async (): Promise<boolean> => {
    for (const entry of await fs.readdir(dir)) {
      if (entry === mine || entry.startsWith(".")) continue;
      const holder = await fs.readFile(path.join(dir, entry), "utf8").catch(() => "");
      if (markedProcessRuns(holder)) return true;
      await fs.rm(path.join(dir, entry), { force: true });
    }
    return false;
  };
  try {
    return await work(othersWaiting);
  } finally {
    await fs.rm(path.join(dir, mine), { force: true });
  }
}
