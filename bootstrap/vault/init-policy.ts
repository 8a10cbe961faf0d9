// The Vault policy the init Job (init.sh) gives the deploy identities' AWS auth role, so
// Pulumi configures Vault (config.ts) with its own AWS credentials and never needs the root token.
import { AUDIT_DEVICE_PATH, KUBERNETES_AUTH_PATH, KV_MOUNT, SERVICE_READ_POLICY, SNAPSHOT_ROLE } from "./constants";
import { GRAFANA_ROLES_SECRET, OIDC_AUTH_PATH, PLATFORM_ADMIN_POLICY, TEAM_SYNC_ROLE } from "./human-access-policy";
import { NATS_ACCOUNTS_SECRET } from "./nats-accounts";

function grant(path: string, capabilities: string[]): string {
  return `path "${path}" {\n  capabilities = [${capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`;
}
const MANAGE = ["create", "read", "update", "delete"];

/**
 * Exactly what config.ts and human-access.ts manage: the kv mount, the Kubernetes and OIDC auth
 * mounts with their config and roles, the named policies, the platform admins' groups, the stdout
 * audit device (plus the child token the provider creates) and the two secrets Pulumi writes.
 * Nothing else: no application secret, no sys/raw, no other auth. test/bootstrap/vault-deploy-policy.test.ts
 * checks every recorded vault resource against it.
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
  // People (human-access.ts): the SSO login, the platform admins' and the team sync's policies,
  // the admins' external groups and aliases, Grafana's role mapping; and the NATS accounts seed.
  grant(`sys/auth/${OIDC_AUTH_PATH}`, [...MANAGE, "sudo"]),
  grant(`sys/mounts/auth/${OIDC_AUTH_PATH}`, ["read"]),
  grant(`sys/mounts/auth/${OIDC_AUTH_PATH}/tune`, ["read", "update"]),
  grant(`auth/${OIDC_AUTH_PATH}/config`, MANAGE),
  grant(`auth/${OIDC_AUTH_PATH}/role/*`, [...MANAGE, "list"]),
  ...[PLATFORM_ADMIN_POLICY, TEAM_SYNC_ROLE].flatMap((policy) => [grant(`sys/policies/acl/${policy}`, MANAGE), grant(`sys/policy/${policy}`, MANAGE)]),
  grant("identity/group", ["create", "update"]),
  grant("identity/group/id/*", MANAGE),
  grant("identity/group-alias", ["create", "update"]),
  grant("identity/group-alias/id/*", MANAGE),
  ...[GRAFANA_ROLES_SECRET, NATS_ACCOUNTS_SECRET].flatMap((secret) => [
    grant(`${KV_MOUNT}/data/${secret}`, MANAGE),
    grant(`${KV_MOUNT}/metadata/${secret}`, MANAGE),
  ]),
].join("");
