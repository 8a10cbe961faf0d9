// Vault's server configuration (HCL) for raft HA with TLS and AWS KMS auto-unseal.
export const VAULT_TLS_SECRET = "vault-tls";
/** Where the chart mounts `server.extraVolumes` of type secret named VAULT_TLS_SECRET. */
export const VAULT_TLS_DIR = `/vault/userconfig/${VAULT_TLS_SECRET}`;

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

/**
 * Vault reads its listener certificate at start and again only on SIGHUP. cert-manager
 * renews `vault-tls` 30 days before expiry and the kubelet updates the mounted Secret, so
 * this sidecar (Vault image: busybox sh, cksum, pkill; pod shares its process namespace and
 * runs as Vault's uid) sends SIGHUP to Vault whenever the mounted pair changes.
 */
export const TLS_RELOAD_SCRIPT = `set -u
pair() { cat "$TLS_DIR/tls.crt" "$TLS_DIR/tls.key" | cksum; }
last=$(pair)
while true; do
  sleep 60
  now=$(pair)
  if [ "$now" != "$last" ] && pkill -HUP -x vault; then
    echo "listener certificate changed; sent SIGHUP to vault"
    last=$now
  fi
done`;

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
