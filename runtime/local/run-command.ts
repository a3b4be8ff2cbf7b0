import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { BootstrapCommand, bootstrapEnv } from "../bootstrap";
import { LocalPaths } from "./node-process";

/** The error of a command stopped at its time limit. */
export interface CommandTimedOut extends Error {
  readonly timedOut: true;
}

export interface CommandResult {
  readonly output: string;
  /** False when the command found its work already done. */
  readonly changed: boolean;
}

/** Runs a bootstrap command from the distribution; its configuration file goes in the state folder. */
export async function runBootstrapCommand(command: BootstrapCommand, paths: LocalPaths, timeoutMs = 180_000): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...bootstrapEnv, PULSAR_HOME: paths.pulsarHome };
  const dir = path.join(paths.stateDir, "bootstrap", command.name);
  await fs.mkdir(dir, { recursive: true });
  env.PULSAR_LOG_DIR = dir;
  if (command.configFile) {
    const conf = path.join(dir, "command.conf");
    await fs.writeFile(conf, Object.entries(command.configFile.settings).map(([k, v]) => `${k}=${v}\n`).join(""));
    env[command.configFile.env] = conf;
  }
  const script = path.join(paths.pulsarHome, command.script);
  return new Promise((resolve, reject) => {
    execFile(script, [...command.args], { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (!error) return resolve({ output, changed: true });
      if (command.alreadyDone && new RegExp(command.alreadyDone).test(output)) return resolve({ output, changed: false });
      const last = output.trim().split("\n").slice(-15).join("\n");
      const failed = new Error(`${command.script} ${command.args.join(" ")} failed (${error.message.split("\n")[0]}):\n${last}`);
      reject(error.killed ? Object.assign(failed, { timedOut: true }) : failed);
    });
  });
}
