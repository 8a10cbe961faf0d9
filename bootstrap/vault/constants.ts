// Names the Vault add-on shares with its Jobs, its configuration and platform-apps (External
// Secrets' ClusterSecretStore reads the auth path, role, audience and kv mount: docs/contracts.md §5).

export const VAULT_NAMESPACE = "vault";
/** Release name, also the chart's fullname prefix (services vault, vault-active, vault-internal). */
export const VAULT_RELEASE = "vault";
export const VAULT_SERVICE_ACCOUNT = "vault";
export const VAULT_REPLICAS = 3;

/** Listener certificate Secret (issued by the internal CA) and where the chart mounts it. */
export const VAULT_TLS_SECRET = "vault-tls";
/** Where the chart mounts `server.extraVolumes` of type secret named VAULT_TLS_SECRET. */
export const VAULT_TLS_DIR = `/vault/userconfig/${VAULT_TLS_SECRET}`;

/**
 * Paths the listener answers without a token (Prometheus' in-cluster scrape of
 * `unauthenticated_metrics_access`): they name mounts, policies and request rates, so neither
 * edge passes them to Vault.
 */
export const VAULT_UNAUTHENTICATED_PATHS = ["/v1/sys/metrics"] as const;

export const KV_MOUNT = "secret";
export const KUBERNETES_AUTH_PATH = "kubernetes";
export const EXTERNAL_SECRETS_ROLE = "external-secrets";
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "vault-secrets";
export const SERVICE_READ_POLICY = "service-read";
export const AUDIT_DEVICE_PATH = "stdout";
export const SNAPSHOT_ROLE = "raft-snapshot";
export const SNAPSHOT_SERVICE_ACCOUNT = "vault-snapshot";
export const INIT_SERVICE_ACCOUNT = "vault-init";
/** Vault's AWS auth mount and the role/policy the deploy identities log in with (set up by the init Job). */
export const AWS_AUTH_PATH = "aws";
export const DEPLOY_ROLE = "pulumi-deploy";
export const DEPLOY_POLICY_NAME = "pulumi-deploy";
/**
 * Audience every Kubernetes login to Vault must carry (the snapshot Job's projected token,
 * External Secrets' TokenRequest via the ClusterSecretStore's serviceAccountRef.audiences).
 * A token minted for anything else, e.g. the API server's default audience, is refused, so
 * a token stolen from Vault's side cannot be replayed against the API server and vice versa.
 */
export const VAULT_TOKEN_AUDIENCE = "vault";
