import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { PROJECT_NAME } from "./stack-config";

/** A resource as the program registered it, with the options that decide how the engine treats it. */
export interface RegisteredObject {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  /** The provider reference (`urn::id`) it was registered with. */
  readonly provider: string;
  /** Names of the resources it depends on, explicitly or through its inputs. */
  readonly dependsOn: string[];
  readonly parent: string;
  readonly ignoreChanges: string[];
  readonly deleteBeforeReplace: boolean;
  readonly createTimeout: string;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
/** Resolves once every registration the program started has reached the mocks (untyped in the SDK's declarations). */
const waitForRPCs = (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs;

/**
 * Runs the stack's program (index.ts) afresh under Pulumi's mocks with this config, recording every
 * resource with its provider, parent, dependencies and options. Secret keys are marked secret, as
 * `pulumi config set --secret` does.
 */
export async function registerStack(stack: string, config: Record<string, unknown>, secretKeys: string[] = []): Promise<RegisteredObject[]> {
  const registered: Pick<RegisteredObject, "type" | "name" | "inputs" | "provider">[] = [];
  const options = new Map<string, Omit<RegisteredObject, "type" | "name" | "inputs" | "provider">>();
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
    secretKeys,
  );
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider ?? "" });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
    },
    PROJECT_NAME,
    stack,
    true,
  );
  // The mocks hand newResource no options: read them from the registration requests.
  const monitor = settings.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    options.set(`${req.getType()}::${req.getName()}`, {
      dependsOn: req.getDependenciesList().map(nameOf),
      parent: nameOf(req.getParent()),
      ignoreChanges: req.getIgnorechangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      createTimeout: req.getCustomtimeouts()?.getCreate() ?? "",
    });
    return register(req, callback);
  };

  delete require.cache[require.resolve("../../index")];
  await import("../../index");
  await waitForRPCs();
  return registered.map((r) => ({ ...r, ...options.get(`${r.type}::${r.name}`)! }));
}
