import * as path from "node:path";
import { BootstrapCommand, bootstrapEnv } from "../bootstrap";
import type { JvmCompiler } from "../../config";
import { DATA_DIR, NodeSpec, jvmEnv } from "../node-spec";
import { BOOTSTRAP_ENTRY_SCRIPT, ENTRY_ENV, NODE_ENTRY_SCRIPT, toExtendedRegex } from "./entry-script";

/**
 * What runs in a container, whatever runs the container (Docker, Kubernetes): the entry script,
 * the node's command and the environment the script writes the configuration file from. Rendered
 * from the same NodeSpec and BootstrapCommand the local runtime runs.
 */
export interface ContainerProcess {
  /** A shell that prepares the node and then execs the command. */
  readonly entrypoint: readonly string[];
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** Where the Pulsar distribution is in the image (the official image's is /pulsar). */
export interface ImageLayout {
  readonly pulsarHome: string;
}

/** What a container runtime's nodes share: the image's layout and the JVMs' compilers. */
export interface ContainerOptions extends ImageLayout {
  readonly jvmCompiler: JvmCompiler;
}

/**
 * The settings spec.ts sets to the node's address for listening. A container has its own network
 * namespace and may advertise an address that is not its own (its Docker host's, its Service's), so
 * it listens on every interface instead. Advertised addresses stay as they are.
 */
export const LISTEN_SETTINGS = ["clientPortAddress", "admin.serverAddress", "httpServerHost", "bindAddress"] as const;
/** Settings whose presence alone binds a port to the advertised address: a container leaves them out. */
export const BIND_TO_ADVERTISED_SETTINGS = ["listeningInterface"] as const;

/** The node's data folder in the container, where a volume is mounted. */
export const dataPath = (layout: ImageLayout): string => `${layout.pulsarHome}/data`;

/** `key=value` lines, as the entry script reads them. */
export const settingsLines = (settings: Readonly<Record<string, string>>): string =>
  Object.entries(settings).map(([k, v]) => `${k}=${v}`).join("\n");

/** Nodes whose settings name the data folder keep it on a volume, which outlives the container. */
export const keepsData = (spec: NodeSpec): boolean => Object.values(spec.settings).some((v) => v.includes(DATA_DIR));

/** The settings a node's container writes over its configuration file. */
export function containerSettings(spec: NodeSpec, layout: ImageLayout): Record<string, string> {
  const data = dataPath(layout);
  const settings = Object.fromEntries(Object.entries(spec.settings).map(([k, v]) => [k, v.split(DATA_DIR).join(data)]));
  for (const key of LISTEN_SETTINGS) if (key in settings) settings[key] = "0.0.0.0";
  for (const key of BIND_TO_ADVERTISED_SETTINGS) delete settings[key];
  return settings;
}

/** A node: its configuration file written from the settings, then `bin/pulsar <role>`, its JVM with the options' compilers. */
export function nodeProcess(spec: NodeSpec, options: ContainerOptions): ContainerProcess {
  const conf = `/tmp/pulsar-isolation/${path.posix.basename(spec.configFile)}`;
  return {
    entrypoint: ["sh", "-c", NODE_ENTRY_SCRIPT, "pulsar-isolation"],
    command: [...spec.command],
    env: {
      ...jvmEnv(spec.env, options.jvmCompiler),
      PULSAR_HOME: options.pulsarHome,
      [spec.configFileEnv]: conf,
      [ENTRY_ENV.from]: `${options.pulsarHome}/${spec.configFile}`,
      [ENTRY_ENV.to]: conf,
      [ENTRY_ENV.settings]: settingsLines(containerSettings(spec, options)),
    },
  };
}

/** A bootstrap command that exits when done; output that says the work was already done counts as success. */
export function bootstrapProcess(command: BootstrapCommand, layout: ImageLayout): ContainerProcess {
  const conf = command.configFile ? `/tmp/pulsar-isolation/${command.name}.conf` : "";
  return {
    entrypoint: ["sh", "-c", BOOTSTRAP_ENTRY_SCRIPT, "pulsar-isolation"],
    command: [command.script, ...command.args],
    env: {
      ...bootstrapEnv,
      PULSAR_HOME: layout.pulsarHome,
      ...(command.configFile ? { [command.configFile.env]: conf } : {}),
      [ENTRY_ENV.to]: conf,
      [ENTRY_ENV.settings]: command.configFile ? settingsLines(command.configFile.settings) : "",
      [ENTRY_ENV.alreadyDone]: command.alreadyDone ? toExtendedRegex(command.alreadyDone) : "",
    },
  };
}
