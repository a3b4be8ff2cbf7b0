import { execFileSync } from "node:child_process";
import * as net from "node:net";
import { readFileSync, readdirSync } from "node:fs";

/** Every process below `pid` in the process tree, read from /proc. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const found: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length) {
    const next = queue.shift()!;
    found.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return found;
}

/** The session a process belongs to (nodes are started detached, in sessions of their own), or undefined once it is gone. */
export function sessionOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
  } catch {
    return undefined;
  }
}

/** The command line of a running process, or undefined once it is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

export interface ListeningSocket {
  readonly pid: number;
  /** `address:port` as `ss` prints it: `127.0.0.1:2181`, `0.0.0.0:3181`, `[::]:8080`, `*:3181`. */
  readonly local: string;
}

/** The TCP sockets that these processes listen on, from `ss`. */
export function listeningSockets(pids: readonly number[]): ListeningSocket[] {
  const wanted = new Set(pids);
  return execFileSync("ss", ["-Hltnp"], { encoding: "utf8" })
    .split("\n")
    .flatMap((line) => {
      const local = line.trim().split(/\s+/)[3];
      return [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])).filter((pid) => wanted.has(pid)).map((pid) => ({ pid, local }));
    });
}

/** True for an address that means every interface. */
export const isWildcard = (local: string): boolean => /^(0\.0\.0\.0|\*|\[::\]|\[::ffff:0\.0\.0\.0\]):\d+$/.test(local);

/** Those of `ports` on 127.0.0.1 that still accept a connection. */
export async function openPorts(ports: readonly number[]): Promise<number[]> {
  const accepts = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
  const open = await Promise.all(ports.map(accepts));
  return ports.filter((_, i) => open[i]);
}
