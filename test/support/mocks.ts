import * as pulumi from "@pulumi/pulumi";

export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
}

/**
 * Pulumi's mocks, recording every resource the program registers. Components register through
 * `registerResource` too, so the record is the whole tree.
 */
export function recordResources(project: string, stack: string, config: Record<string, unknown>): RegisteredResource[] {
  const registered: RegisteredResource[] = [];
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
  );
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    project,
    stack,
    true,
  );
  return registered;
}

export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/**
 * Waits until the program's registrations have reached the mocks: none has arrived for a quiet
 * period (dependent resources register only after their dependencies, each after its provider
 * is serialized, so the whole tree takes a while on a busy machine).
 */
export async function settle(registered: readonly unknown[], quietMs = 1_000, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    if (registered.length !== seen) {
      seen = registered.length;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the program kept registering resources for ${timeoutMs / 1000} s`);
}
