import * as pulumi from "@pulumi/pulumi";
import { PulsarAdmin } from "../pulsar-admin";
import type { HttpClientOptions } from "../http";

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

  protected admin(url: string, limits: Pick<HttpClientOptions, "attempts" | "timeoutMs"> = {}): PulsarAdmin {
    return new PulsarAdmin({ ...limits, baseUrl: url, token: this.token });
  }
}
