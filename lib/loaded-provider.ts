import * as path from "node:path";
import { CustomResource, type CustomResourceOptions } from "@pulumi/pulumi/resource";
import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * Dynamic resources whose provider the engine loads from the compiled program on disk.
 *
 * The SDK's `dynamic.Resource` serializes its provider object into every resource's state at each
 * run of the program, with a copy of every function the provider reaches: 40 to 70 kB and 0.1 to
 * 0.5 s per kind, after loading its closure serializer (the TypeScript compiler, about 0.3 s).
 * What the engine's `pulumi-nodejs` provider process needs is only a CommonJS module in the
 * `__provider` property whose `handler()` returns the provider; ours is a few lines that load the
 * provider class from its file and forward to it. The type tokens and the property are those of
 * `dynamic.Resource`. State written before keeps its serialized closure until the resource is next
 * updated: until then the engine reads and deletes it with that old code, as it always did.
 *
 * `pulumi refresh` and `destroy` do not run the program, so nothing checks there that the compiled
 * program is current: build it (`npm run build`) after changing the sources.
 */

const PROVIDER_KEY = "__provider";
const PROVIDER_METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

/** A provider class, as the engine's provider process will load it. */
export interface LoadedProvider {
  /** The module the engine keeps in state and runs in its provider process. */
  readonly source: string;
}

/**
 * `Provider`, loaded from `file` (which exports it by its name) in the engine's provider process.
 * State records `file` relative to the program's folder, the provider process's working folder:
 * each copy of the project runs its own code, and one that moved still reads and deletes what it
 * made. The absolute path is the fallback. Only the methods `Provider` has are forwarded: the
 * engine treats a missing method differently from one that does nothing.
 */
export function providerLoadedFrom(file: string, Provider: new () => dynamic.ResourceProvider): LoadedProvider {
  // The engine would find out only when it first calls the provider.
  const loaded = require.cache[file];
  if (loaded && loaded.exports[Provider.name] !== Provider) throw new Error(`${file} does not export the provider ${Provider.name} by that name`);
  const methods = PROVIDER_METHODS.filter((m) => typeof (Provider.prototype as Record<string, unknown>)[m] === "function");
  const args = [file, path.relative(process.cwd(), file), Provider.name, methods].map((a) => JSON.stringify(a)).join(", ");
  return { source: `exports.handler = () => (${forwarderOf.toString()})(${args});\n` };
}

/**
 * Runs in the provider process, from its text: it may use nothing but its arguments and the
 * globals of a CommonJS module.
 */
function forwarderOf(file: string, relative: string, exportName: string, methods: string[]) {
  type Method = (...args: unknown[]) => Promise<unknown>;
  type Instance = Record<string, Method>;
  // The engine configures a provider once, first; a provider loaded only later gets that configuration then.
  let configuration: unknown[] | undefined;
  let loading: Promise<Instance> | undefined;
  const requireProvider = (): Instance => {
    // A program run as TypeScript (examples/) has its providers in TypeScript: compile them as the language host does.
    const tsNode = Symbol.for("ts-node.register.instance");
    if (file.endsWith(".ts") && !(process as unknown as Record<symbol, unknown>)[tsNode]) require("ts-node").register({ transpileOnly: true });
    const isMissing = (err: unknown, path: string) => (err as { code?: string }).code === "MODULE_NOT_FOUND" && `${err}`.includes(`'${path}'`);
    const here = `${process.cwd()}/${relative}`;
    let module: Record<string, (new () => Instance) | undefined>;
    try {
      module = require(here);
    } catch (err) {
      if (!isMissing(err, here)) throw err;
      try {
        module = require(file);
      } catch (err) {
        if (!isMissing(err, file)) throw err;
        throw new Error(`${exportName} is in neither ${here} nor ${file}: compile the program with \`npm run build\``);
      }
    }
    const Provider = module[exportName];
    if (typeof Provider !== "function") throw new Error(`${file} does not export the provider ${exportName}`);
    return new Provider();
  };
  const load = (): Promise<Instance> =>
    (loading ??= (async () => {
      const provider = requireProvider();
      if (configuration) await provider.configure(...configuration);
      return provider;
    })().catch((err) => {
      loading = undefined;
      throw err;
    }));
  return Object.fromEntries(
    methods.map((method): [string, Method] =>
      method === "configure"
        ? [method, async (...args) => {
            configuration = args;
            const already = loading;
            const provider = await load();
            if (already) await provider.configure(...args);
          }]
        : [method, async (...args) => (await load())[method](...args)],
    ),
  );
}

/** A resource of the project's dynamic providers: what `dynamic.Resource` registers, without serializing a closure. */
export abstract class LoadedDynamicResource extends CustomResource {
  protected constructor(provider: LoadedProvider, name: string, props: Record<string, unknown>, opts: CustomResourceOptions | undefined, type: string) {
    super(`pulumi-nodejs:dynamic/pulsar-isolation:${type}`, name, { ...props, [PROVIDER_KEY]: provider.source }, opts);
  }
}
