import { ContainerSpec } from "./container-spec";

/** Quotes a word for `sh`. */
export const shellQuote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The `docker run` arguments of a container spec, for running a topology with the Docker CLI.
 * Nodes run detached; a one-shot container runs in the foreground and its exit status is the command's.
 */
export function dockerRunArgs(c: ContainerSpec): string[] {
  const oneShot = c.restart === "no";
  return [
    "run",
    ...(oneShot ? ["--rm"] : ["--detach"]),
    "--name", c.name,
    "--hostname", c.hostname,
    "--network", c.network,
    ...c.aliases.flatMap((a) => ["--network-alias", a]),
    ...c.extraHosts.flatMap((h) => ["--add-host", `${h.host}:${h.ip}`]),
    "--workdir", c.workingDir,
    "--restart", c.restart,
    ...Object.entries(c.env).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
    ...c.ports.flatMap((p) => ["--publish", `${p.ip}:${p.external}:${p.internal}`]),
    ...c.volumes.flatMap((v) => ["--volume", `${v.volume}:${v.containerPath}`]),
    ...Object.entries(c.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    ...(c.healthcheck
      ? [
          // The CLI takes the shell form only; the words of the exec form, quoted, mean the same.
          "--health-cmd", c.healthcheck.test.slice(1).map(shellQuote).join(" "),
          "--health-interval", `${c.healthcheck.intervalSeconds}s`,
          "--health-timeout", `${c.healthcheck.timeoutSeconds}s`,
          "--health-retries", String(c.healthcheck.retries),
          "--health-start-period", `${c.healthcheck.startPeriodSeconds}s`,
        ]
      : []),
    "--entrypoint", c.entrypoint[0],
    c.image,
    ...c.entrypoint.slice(1),
    ...c.command,
  ];
}
