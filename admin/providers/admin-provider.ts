import * as pulumi from "@pulumi/pulumi";
import { PulsarAdmin } from "../pulsar-admin";

/** The stack config key of the admin token (a secret): `pulumi config set --secret adminToken …`. */
export const ADMIN_TOKEN_KEY = "adminToken";

/**
 * What every admin provider shares: it reads the admin token from the stack's configuration
 * when the engine configures it, so the token never enters resource inputs or state.
 */
export abstract class AdminProvider {
  private token?: string;

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.token = req.config.get(ADMIN_TOKEN_KEY);
  }

  protected admin(url: string): PulsarAdmin {
    return new PulsarAdmin({ baseUrl: url, token: this.token });
  }
}

/** The names of the inputs that differ, comparing their JSON forms. */
export function changedKeys<T extends object>(olds: Partial<T>, news: T, keys: readonly (keyof T)[]): string[] {
  return keys.filter((k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null)).map(String);
}

/** A read result whose inputs are the live state seen as inputs, so diffs after `pulumi refresh` are right. */
export function liveResult<I, O extends I>(id: string, props: O, inputs: I): pulumi.dynamic.ReadResult<O> {
  // The SDK types `inputs` as outputs; ours are the input subset of them. Read results go to the
  // engine as protobuf structs, which refuse `undefined`: absent fields are dropped.
  return { id, props: withoutUndefined(props), inputs: withoutUndefined(inputs) as O };
}

const withoutUndefined = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The engine passes the resource's last state to `read`; without it there is nothing to look up. */
export function requireState<O>(props: O | undefined, type: string): O {
  if (!props) throw new Error(`${type}: reading needs the resource's last state (import is not supported)`);
  return props;
}
