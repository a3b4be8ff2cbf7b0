import { execFile } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { securityFiles } from "../security-files";

const run = promisify(execFile);

/**
 * Makes a secured topology's material once, in the stack's `security/` folder (mode 0700, every
 * key 0600): the HS256 key the brokers check tokens with, the brokers' own token, a private CA
 * and a certificate per broker for its address, signed by the CA (with the openssl CLI). What
 * exists is kept: a key is never replaced, so tokens and certificates already given out stay valid.
 */
export interface SecuredBroker {
  readonly name: string;
  /** The address the broker advertises: its certificate names it. */
  readonly host: string;
}

export interface SecurityRoles {
  readonly superUserRole: string;
  readonly brokerRole: string;
}

/** Certificates last this long; the CA longer. */
const CERT_DAYS = 825;
const CA_DAYS = 3650;

const exists = (file: string) => fs.access(file).then(() => true, () => false);

/** Returns the files it made (none when everything was there). */
export async function ensureSecurityMaterial(dir: string, brokers: readonly SecuredBroker[], roles: SecurityRoles): Promise<string[]> {
  const files = securityFiles(dir);
  const made: string[] = [];
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);

  if (!(await exists(files.tokenKey))) {
    await fs.writeFile(files.tokenKey, randomBytes(32), { mode: 0o600, flag: "wx" });
    made.push(files.tokenKey);
  }
  if (!(await exists(files.brokerToken))) {
    await fs.writeFile(files.brokerToken, signToken(await fs.readFile(files.tokenKey), roles.brokerRole), { mode: 0o600, flag: "wx" });
    made.push(files.brokerToken);
  }

  const [caKey, caCert] = await Promise.all([exists(files.caKey), exists(files.caCert)]);
  if (caKey !== caCert) {
    throw new Error(`${dir} holds only half of the CA (${caKey ? files.caKey : files.caCert}); restore the other half, or delete the folder to make a new CA (every certificate and token then changes)`);
  }
  if (!caKey) {
    await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", files.caKey, "-out", files.caCert, "-days", String(CA_DAYS),
      "-subj", "/CN=pulsar-isolation private CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    await fs.chmod(files.caKey, 0o600);
    made.push(files.caKey, files.caCert);
  }

  for (const broker of brokers) {
    const cert = files.brokerCert(broker.name);
    const key = files.brokerKey(broker.name);
    if ((await exists(cert)) && (await exists(key))) continue;
    await brokerCertificate(files.caKey, files.caCert, key, cert, broker.host);
    made.push(key, cert);
  }
  return made;
}

/** A certificate for one broker's address, signed by the CA; for server and client use (the brokers call each other). */
async function brokerCertificate(caKey: string, caCert: string, key: string, cert: string, host: string): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), "pulsar-isolation-cert-"));
  try {
    const csr = path.join(work, "broker.csr");
    const ext = path.join(work, "broker.ext");
    const san = net.isIP(host) ? `IP:${host}` : `DNS:${host}`;
    await fs.writeFile(ext, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n`);
    await openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=${host}`]);
    await fs.chmod(key, 0o600);
    await openssl(["x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial", "-CAserial", path.join(work, "ca.srl"),
      "-out", cert, "-days", String(CERT_DAYS), "-sha256", "-extfile", ext]);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args, { maxBuffer: 4 * 1024 * 1024 });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === "ENOENT") throw new Error("the openssl command is needed to make the private CA and the brokers' certificates; install it (apt-get install openssl)");
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim().split("\n").slice(-3).join(" ")}`);
  }
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** An HS256 JWT whose subject is the role, without expiry, as `pulsar tokens create --secret-key` makes it. */
export function signToken(key: Buffer, role: string): string {
  const unsigned = `${base64url(JSON.stringify({ alg: "HS256" }))}.${base64url(JSON.stringify({ sub: role }))}`;
  return `${unsigned}.${base64url(createHmac("sha256", key).update(unsigned).digest())}`;
}

/** A token for `role` signed with the stack's key. */
export async function mintToken(dir: string, role: string): Promise<string> {
  return signToken(await fs.readFile(securityFiles(dir).tokenKey), role);
}

/** The files a secured topology's brokers need that are missing (checked by the program before any resource). */
export function missingSecurityFiles(dir: string, brokers: readonly string[]): string[] {
  const files = securityFiles(dir);
  const needed = [files.tokenKey, files.brokerToken, files.caCert, ...brokers.flatMap((b) => [files.brokerCert(b), files.brokerKey(b)])];
  return needed.filter((file) => !existsSync(file));
}
