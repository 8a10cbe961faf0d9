// The Vault policy the init Job (init.sh) gives the deploy identities' AWS auth role, so
// Pulumi configures Vault (config.ts) with its own AWS credentials and never needs the root token.
import { AUDIT_DEVICE_PATH, KUBERNETES_AUTH_PATH, KV_MOUNT, SERVICE_READ_POLICY, SNAPSHOT_ROLE } from "./constants";

function grant(path: string, capabilities: string[]): string {
  return `path "${path}" {\n  capabilities = [${capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`;
}
const MANAGE = ["create", "read", "update", "delete"];

/**
 * Exactly what config.ts manages: the kv mount, the Kubernetes auth mount with its
 * config and roles, the two named policies and the stdout audit device (plus the child
 * token the provider creates). Nothing else: no secret data, no sys/raw, no other auth.
 */
export const DEPLOY_POLICY = [
  grant("sys/mounts", ["read"]),
  grant(`sys/mounts/${KV_MOUNT}`, MANAGE),
  grant(`sys/mounts/${KV_MOUNT}/tune`, ["read", "update"]),
  grant("sys/auth", ["read"]),
  grant(`sys/auth/${KUBERNETES_AUTH_PATH}`, [...MANAGE, "sudo"]),
  grant(`sys/mounts/auth/${KUBERNETES_AUTH_PATH}`, ["read"]),
  grant(`sys/mounts/auth/${KUBERNETES_AUTH_PATH}/tune`, ["read", "update"]),
  grant(`auth/${KUBERNETES_AUTH_PATH}/config`, MANAGE),
  grant(`auth/${KUBERNETES_AUTH_PATH}/role/*`, [...MANAGE, "list"]),
  grant(`sys/policies/acl/${SERVICE_READ_POLICY}`, MANAGE),
  grant(`sys/policies/acl/${SNAPSHOT_ROLE}`, MANAGE),
  grant(`sys/policy/${SERVICE_READ_POLICY}`, MANAGE),
  grant(`sys/policy/${SNAPSHOT_ROLE}`, MANAGE),
  grant("sys/audit", ["read", "sudo"]),
  grant(`sys/audit/${AUDIT_DEVICE_PATH}`, [...MANAGE, "sudo"]),
  grant("auth/token/create", ["update"]),
].join("");
