import * as assert from "node:assert/strict";
import { adminApiError } from "../../admin/http";
import { accessAdvice, failureKind } from "../../admin/access-errors";
import { isUnreachable } from "../../lib/dynamic-provider";

/** The message of each access failure, built as the HTTP client builds it when it gives up. */
const messageOf = (status: number | undefined, reason: string, context: { code?: string; hadToken?: boolean; cluster?: string }) => {
  const err = adminApiError("GET", "https://127.0.0.1:28443/admin/v2/bookies/racks-info", status, reason, context);
  return { err, message: `${err.message}. ${accessAdvice(err.kind)}` };
};

describe("access failures of the admin client: one message naming the cluster, the URL and what to do", () => {
  it("401 without a token: set the adminToken secret", () => {
    const { message } = messageOf(401, "Authentication required", { hadToken: false, cluster: "cluster1" });
    assert.equal(
      message,
      "cluster cluster1: GET https://127.0.0.1:28443/admin/v2/bookies/racks-info answered 401: Authentication required. " +
        "The broker demands an admin token and none is set: set a token of a super-user role with `pulumi config set --secret adminToken <token>`, then run again",
    );
  });

  it("401 with a token: the token was refused, set the right one", () => {
    const { message } = messageOf(401, "Authentication required", { hadToken: true, cluster: "cluster2" });
    assert.match(message, /^cluster cluster2: GET https:\/\/127\.0\.0\.1:28443\/\S+ answered 401: .*did not accept the admin token.*pulumi config set --secret adminToken/);
  });

  it("403, or Pulsar's 401 for a valid token of a role that is not a super user: use a super-user role's token", () => {
    assert.match(messageOf(403, "Client is not authorized", { hadToken: true, cluster: "cluster1" }).message, /answered 403: .*super-user role/);
    // What broker1 answered, in the secure stack, to a token of role "reader".
    const { err, message } = messageOf(401, "This operation requires super-user access", { hadToken: true, cluster: "cluster1" });
    assert.equal(err.kind, "forbidden");
    assert.match(message, /answered 401: This operation requires super-user access\. The admin token's role may not do this: use a token of a super-user role/);
  });

  it("a certificate from an unknown CA, whichever of Node's codes says so: point adminCaFile at the right CA", () => {
    for (const code of ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"]) {
      const { err, message } = messageOf(undefined, "unable to verify the first certificate", { code, cluster: "cluster1" });
      assert.equal(err.kind, "untrusted-certificate", code);
      assert.match(message, /^cluster cluster1: GET https:\/\/127\.0\.0\.1:28443\/\S+ failed the TLS handshake: unable to verify the first certificate\. .*adminCaFile/);
      assert.equal(isUnreachable(err), false, `${code}: refresh must not keep the last state over a certificate problem`);
    }
  });

  it("a certificate for another host", () => {
    const { message } = messageOf(undefined, "Hostname/IP does not match certificate's altnames: IP: 127.0.0.2 is not in the cert's list: 127.0.0.1", {
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
      cluster: "cluster1",
    });
    assert.match(message, /altnames.*does not name the host of this URL/);
  });

  it("no answer: the brokers may be down, the URL wrong; refresh keeps the last state", () => {
    const { err, message } = messageOf(undefined, "connect ECONNREFUSED 127.0.0.1:28443", { code: "ECONNREFUSED", cluster: "cluster1" });
    assert.match(message, /^cluster cluster1: .* got no answer: connect ECONNREFUSED 127\.0\.0\.1:28443\. Check that the cluster's brokers run/);
    assert.equal(isUnreachable(err), true);
  });

  it("plain HTTP against a TLS port", () => {
    assert.equal(failureKind({ status: undefined, code: "ERR_SSL_WRONG_VERSION_NUMBER", hadToken: true }), "scheme-mismatch");
  });

  it("other answers carry no advice, and no message carries the token", () => {
    assert.equal(failureKind({ status: 412, hadToken: true }), undefined);
    assert.equal(accessAdvice(undefined), undefined);
    for (const kind of ["no-token", "token-refused", "forbidden", "untrusted-certificate", "hostname-mismatch", "unreachable"] as const) {
      assert.ok(!accessAdvice(kind)!.includes("eyJ"), kind);
    }
  });
});
