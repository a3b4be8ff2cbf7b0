import * as pulumi from "@pulumi/pulumi";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { settle } from "./mocks";
import { PROJECT_NAME } from "./stack-config";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: Record<string, any>;
  /** The provider reference (`urn::id`) the resource was registered with, if any. */
  readonly provider: string;
  /** Names of the resources it depends on, explicitly or through its inputs. */
  readonly dependsOn: string[];
}

export interface ProgramRun {
  readonly resources: RecordedResource[];
  readonly program: typeof import("../../index");
}

/** What the docker provider would compute, so that inputs built from outputs are known under mocks. */
function computed(type: string, inputs: Record<string, any>): Record<string, any> {
  if (type === "docker:index/remoteImage:RemoteImage") return { imageId: inputs.name };
  return {};
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * Runs the stack's program (index.ts) afresh under Pulumi's mocks with this config, recording
 * every resource with its provider and dependencies. Secret keys are marked secret, as
 * `pulumi config set --secret` does.
 */
export async function runProgram(stack: string, config: Record<string, unknown>, secretKeys: string[] = []): Promise<ProgramRun> {
  const run = await runProgramAt(require.resolve("../../index"), stack, config, secretKeys);
  return { ...run, program: run.program as typeof import("../../index") };
}

/** Runs a Pulumi program module afresh under the mocks, as `runProgram` runs the stack's. */
export async function runProgramAt(
  modulePath: string,
  stack: string,
  config: Record<string, unknown>,
  secretKeys: string[] = [],
): Promise<{ program: Record<string, unknown>; resources: RecordedResource[] }> {
  const registered: Omit<RecordedResource, "dependsOn">[] = [];
  const dependencies = new Map<string, string[]>();
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
    secretKeys,
  );
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.push({ type: args.type, name: args.name, urn: "", inputs: args.inputs, provider: args.provider ?? "" });
        return { id: `${args.name}-id`, state: { ...args.inputs, ...computed(args.type, args.inputs) } };
      },
      call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
    },
    PROJECT_NAME,
    stack,
    true,
  );
  // The mocks hand newResource no dependencies: read them from the registration requests.
  const monitor = getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    dependencies.set(`${req.getType()}::${req.getName()}`, req.getDependenciesList().map(nameOf));
    return register(req, callback);
  };

  delete require.cache[modulePath];
  const program = (await import(modulePath)) as Record<string, unknown>;
  await settle(registered);
  return {
    program,
    resources: registered.map((r) => ({ ...r, dependsOn: dependencies.get(`${r.type}::${r.name}`) ?? [] })),
  };
}
