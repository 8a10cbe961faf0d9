// Vault's server configuration (HCL) for raft HA with TLS and AWS KMS auto-unseal, and the
// sidecar that reloads the listener certificate.
import { readScript } from "../shared/scripts";
import { VAULT_TLS_DIR, VAULT_TLS_SECRET } from "./constants";

export interface RaftConfigArgs {
  region: string;
  kmsKeyId: string;
  replicas: number;
  releaseName: string;
}

export function raftConfig(args: RaftConfigArgs): string {
  const retryJoin = Array.from({ length: args.replicas }, (_, index) =>
    [
      "  retry_join {",
      `    leader_api_addr     = "https://${args.releaseName}-${index}.${args.releaseName}-internal:8200"`,
      `    leader_ca_cert_file = "${VAULT_TLS_DIR}/ca.crt"`,
      "  }",
    ].join("\n"),
  ).join("\n");
  return `ui = true

listener "tcp" {
  address         = "[::]:8200"
  cluster_address = "[::]:8201"
  tls_cert_file   = "${VAULT_TLS_DIR}/tls.crt"
  tls_key_file    = "${VAULT_TLS_DIR}/tls.key"
  tls_min_version = "tls12"
  telemetry {
    unauthenticated_metrics_access = true
  }
}

storage "raft" {
  path = "/vault/data"
${retryJoin}
}

seal "awskms" {
  region     = "${args.region}"
  kms_key_id = "${args.kmsKeyId}"
}

service_registration "kubernetes" {}

telemetry {
  prometheus_retention_time = "30s"
  disable_hostname          = true
}
`;
}

/** The SIGHUP sidecar's script (tls-reload.sh): renewed listener certificates take effect. */
export const TLS_RELOAD_SCRIPT = readScript(__dirname, "tls-reload.sh");

/** The chart names the volume of `server.extraVolumes` entry <name> `userconfig-<name>`. */
export function tlsReloaderContainer(image: string): Record<string, unknown> {
  return {
    name: "tls-reloader",
    image,
    command: ["/bin/sh", "-c", TLS_RELOAD_SCRIPT],
    env: [{ name: "TLS_DIR", value: VAULT_TLS_DIR }],
    volumeMounts: [{ name: `userconfig-${VAULT_TLS_SECRET}`, mountPath: VAULT_TLS_DIR, readOnly: true }],
    resources: { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "32Mi" } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
  };
}
