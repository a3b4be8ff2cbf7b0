import { readFileSync } from "node:fs";

/** True while the process runs: not gone, and not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

/**
 * This process as a mark that others can check: its id and start time, so that another process
 * that later gets the same id does not pass for it.
 */
export const processMark = (): string => [process.pid, startTimeOf(process.pid)].filter((part) => part !== undefined).join(" ");

/** Whether the process a mark names still runs. */
export function markedProcessRuns(mark: string): boolean {
  const [id, started] = mark.trim().split(" ");
  const pid = Number(id);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && (started === undefined || startTimeOf(pid) === started);
}

/** The process's start time in clock ticks after boot (the 22nd field of /proc/<pid>/stat); undefined without /proc. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
