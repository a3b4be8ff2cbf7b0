/**
 * What to do about an admin call that failed for a reason of access, not of content: no or a
 * wrong token (401), a role that may not (403), a certificate the providers do not trust or that
 * names another host, a broker that does not answer. One sentence, appended to the error that
 * already names the method, the URL and the server's reason. Never the token itself.
 */

/** What went wrong, as far as access goes. */
export type FailureKind = "no-token" | "token-refused" | "forbidden" | "untrusted-certificate" | "hostname-mismatch" | "certificate-dates" | "scheme-mismatch" | "unreachable";

export interface FailureFacts {
  /** HTTP status, or undefined when no answer came. */
  readonly status: number | undefined;
  /** Node's error code when no answer came (ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, …). */
  readonly code?: string;
  /** Whether the request carried a token. */
  readonly hadToken: boolean;
  /** The server's reason, if it answered. */
  readonly serverMessage?: string;
}

/** Pulsar answers 401 (not 403) with this reason to a valid token of a role that is not a super user. */
const NOT_SUPER_USER = /requires super-user access/i;

/**
 * Node's codes for a certificate chain that does not lead to a trusted CA. Arrays, not Sets: a
 * dynamic provider's closure is serialized, and a captured Set arrives as a plain object.
 */
const UNTRUSTED = [
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
];
const DATES = ["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"];
/** A TLS client that met plain HTTP, or the other way round. */
const SCHEME = ["ERR_SSL_WRONG_VERSION_NUMBER", "EPROTO", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "HPE_INVALID_CONSTANT"];

export function failureKind(facts: FailureFacts): FailureKind | undefined {
  if (facts.status === 401 && facts.hadToken && NOT_SUPER_USER.test(facts.serverMessage ?? "")) return "forbidden";
  if (facts.status === 401) return facts.hadToken ? "token-refused" : "no-token";
  if (facts.status === 403) return "forbidden";
  if (facts.status !== undefined) return undefined;
  if (facts.code && UNTRUSTED.includes(facts.code)) return "untrusted-certificate";
  if (facts.code === "ERR_TLS_CERT_ALTNAME_INVALID") return "hostname-mismatch";
  if (facts.code && DATES.includes(facts.code)) return "certificate-dates";
  if (facts.code && SCHEME.includes(facts.code)) return "scheme-mismatch";
  return "unreachable";
}

/** TLS failures are not retried and are not "unreachable": the next attempt would fail alike, and refresh must not hide them. */
export const isTlsFailure = (kind: FailureKind | undefined): boolean =>
  kind === "untrusted-certificate" || kind === "hostname-mismatch" || kind === "certificate-dates" || kind === "scheme-mismatch";

const SET_TOKEN = "`pulumi config set --secret adminToken <token>`";

/** What the operator should do, as one sentence; undefined for failures that are not about access. */
export function accessAdvice(kind: FailureKind | undefined): string | undefined {
  switch (kind) {
    case "no-token":
      return `The broker demands an admin token and none is set: set a token of a super-user role with ${SET_TOKEN}, then run again`;
    case "token-refused":
      return `The broker did not accept the admin token (signed with another key, expired or malformed): set this cluster's admin token with ${SET_TOKEN}, then run again`;
    case "forbidden":
      return "The admin token's role may not do this: use a token of a super-user role (the topology's security.superUserRole, or a role in the brokers' superUserRoles)";
    case "untrusted-certificate":
      return "The broker's TLS certificate is not signed by a CA the providers trust: point adminCaFile at the CA certificate that signed it (`pulumi config set adminCaFile <path>`; a secured local stack's is security/ca.cert.pem in its stack folder), then run again";
    case "hostname-mismatch":
      return "The broker's TLS certificate does not name the host of this URL: reach the broker by a host name or address its certificate names, or give the broker a certificate for this host";
    case "certificate-dates":
      return "The broker's TLS certificate is expired or not yet valid: renew it (or check this machine's clock)";
    case "scheme-mismatch":
      return "The URL's scheme does not match the port: use https:// with a broker's TLS port (webPortTls) and http:// with its plain webPort";
    case "unreachable":
      return "Check that the cluster's brokers run and that the admin URL is right (`npm run heal -- <stack>` restarts a stopped node)";
    default:
      return undefined;
  }
}
