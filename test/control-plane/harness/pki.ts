// The certificates of one control plane, made with openssl: a CA, the API server's serving
// certificate (loopback and the in-cluster names), client certificates for each identity and
// the ServiceAccount token signing key pair. ECDSA P-256: fast to generate on every start.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";

/** A client identity: CN is the user name, O the groups (as the API server reads certificates). */
export interface Identity {
  name: string;
  user: string;
  groups: string[];
}

export interface Pki {
  dir: string;
  caCert: string;
  servingCert: string;
  servingKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  /** Client certificate and key per identity name. */
  clients: Record<string, { cert: string; key: string }>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function ecKey(dir: string, name: string): string {
  const file = path.join(dir, `${name}.key`);
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file], dir);
  return file;
}

function signed(dir: string, name: string, subject: string, extensions: string): { cert: string; key: string } {
  const key = ecKey(dir, name);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(["req", "-new", "-key", key, "-subj", subject, "-out", csr], dir);
  openssl(["x509", "-req", "-in", csr, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", cert, "-extfile", ext], dir);
  return { cert, key };
}

/** `serviceIp`: the first address of the service CIDR (the `kubernetes` Service). */
export function makePki(dir: string, identities: Identity[], serviceIp: string): Pki {
  ecKey(dir, "ca");
  openssl(["req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=holodeck-test-ca", "-days", "2", "-out", "ca.crt"], dir);
  const sans = [
    "IP:127.0.0.1",
    `IP:${serviceIp}`,
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
  ];
  const serving = signed(dir, "apiserver", "/CN=kube-apiserver", `subjectAltName=${sans.join(",")}\nextendedKeyUsage=serverAuth\n`);
  const clients: Pki["clients"] = {};
  for (const id of identities) {
    const subject = `/CN=${id.user}${id.groups.map((g) => `/O=${g}`).join("")}`;
    clients[id.name] = signed(dir, `client-${id.name}`, subject, "extendedKeyUsage=clientAuth\n");
  }
  const serviceAccountKey = ecKey(dir, "sa");
  const serviceAccountPub = path.join(dir, "sa.pub");
  openssl(["pkey", "-in", serviceAccountKey, "-pubout", "-out", serviceAccountPub], dir);
  return {
    dir,
    caCert: path.join(dir, "ca.crt"),
    servingCert: serving.cert,
    servingKey: serving.key,
    serviceAccountKey,
    serviceAccountPub,
    clients,
  };
}
