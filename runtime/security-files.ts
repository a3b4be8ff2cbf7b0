import * as path from "node:path";

/**
 * Where a secured topology keeps its token key, CA and certificates: one folder, `security/` in
 * the stack's folder beside the nodes' folders. `npm run secure:init -- <stack>` makes them
 * (runtime/local/security.ts); the brokers' settings name them. The CA key never leaves it.
 */
export interface SecurityFiles {
  readonly dir: string;
  /** The HS256 secret the brokers check tokens with (tokenSecretKey=file://…). */
  readonly tokenKey: string;
  /** The token of the brokers' own role, for their calls to each other (brokerClientAuthenticationParameters=file://…). */
  readonly brokerToken: string;
  /** The private CA's certificate: what clients and the providers trust. */
  readonly caCert: string;
  /** The private CA's key: signs broker certificates; read by nothing else. */
  readonly caKey: string;
  readonly brokerCert: (broker: string) => string;
  readonly brokerKey: (broker: string) => string;
}

export const securityDir = (stateDir: string): string => path.join(stateDir, "security");

export function securityFiles(dir: string): SecurityFiles {
  return {
    dir,
    tokenKey: path.join(dir, "token.key"),
    brokerToken: path.join(dir, "broker.token"),
    caCert: path.join(dir, "ca.cert.pem"),
    caKey: path.join(dir, "ca.key.pem"),
    brokerCert: (broker) => path.join(dir, `${broker}.cert.pem`),
    brokerKey: (broker) => path.join(dir, `${broker}.key.pem`),
  };
}

/** What a secured broker needs: the security folder and the super-user roles. */
export interface BrokerSecurity {
  /** The folder of `securityFiles`. */
  readonly dir: string;
  /** The admin token's role. */
  readonly superUserRole: string;
  /** The role of the brokers' own token. */
  readonly brokerRole: string;
}
