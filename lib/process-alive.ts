import { readFileSync } from "node:fs";

/** True while the process runs: not gone, and not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) still answers signal 0.
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z";
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

/** The process's start time in clock ticks after boot (the 22nd field of /proc/<pid>/stat). */
const startTimeOf = (pid: number): string | undefined => statFields(pid)?.[19];

/** The fields of /proc/<pid>/stat after the command name, from the 3rd (the state) on; undefined without it. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name, in parentheses, may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}
