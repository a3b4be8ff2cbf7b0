import * as pulumi from "../../lib/pulumi";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PulsarAdmin } from "../pulsar-admin";

/** The stack config key of the admin token (a secret): `pulumi config set --secret adminToken …`. */
export const ADMIN_TOKEN_KEY = "adminToken";
/** The stack config key of the CA certificate (a PEM file) trusted for `https://` admin URLs instead of the system's. */
export const ADMIN_CA_FILE_KEY = "adminCaFile";

/**
 * What every admin provider shares: it reads the admin token and the trusted CA from the stack's
 * configuration when the engine configures it, so neither enters resource inputs or state.
 */
export abstract class AdminProvider {
  private token?: string;
  private ca?: string;
  private caProblem?: string;

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.token = req.config.get(ADMIN_TOKEN_KEY);
    const caFile = req.config.get(ADMIN_CA_FILE_KEY);
    if (caFile) {
      const file = path.resolve(caFile);
      try {
        this.ca = readFileSync(file, "utf8");
        if (!this.ca.includes("BEGIN CERTIFICATE")) this.caProblem = `${ADMIN_CA_FILE_KEY} = ${file}: holds no PEM certificate`;
      } catch (err) {
        this.caProblem = `${ADMIN_CA_FILE_KEY} = ${file}: cannot be read (${(err as Error).message}); point it at the CA certificate that signed the brokers' certificates`;
      }
    }
  }

  /** The admin client of a URL; `cluster` names the cluster in its errors. */
  protected admin(url: string, cluster?: string, limits: { attempts?: number; timeoutMs?: number } = {}): PulsarAdmin {
    if (this.caProblem) throw new Error(this.caProblem);
    return new PulsarAdmin({ baseUrl: url, token: this.token, ca: this.ca, cluster, ...limits });
  }
}
