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
