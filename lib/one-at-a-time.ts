import { promises as fs } from "node:fs";
import * as path from "node:path";
import { isAlive } from "./process-alive";

/**
 * Runs `work` while holding a lock folder, so that calls made at once (the engine updates
 * resources in parallel) run one after the other. A lock left by a process that died is taken over.
 */
export async function oneAtATime<T>(lockDir: string, work: () => Promise<T>, timeoutMs = 1_800_000): Promise<T> {
  const owner = path.join(lockDir, "owner");
  const deadline = Date.now() + timeoutMs;
  await fs.mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      await fs.writeFile(owner, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(await fs.readFile(owner, "utf8").catch(() => ""));
      if (holder && !isAlive(holder)) await fs.rm(lockDir, { recursive: true, force: true });
      else if (Date.now() >= deadline) throw new Error(`waited ${Math.round(timeoutMs / 1000)} s for ${lockDir} (held by process ${holder || "?"})`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
  }
}
