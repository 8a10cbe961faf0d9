// What people may do in Vault, as data both Pulumi (human-access.ts) and the tests apply to a
// real Vault: the OIDC login role every SSO user gets, the platform admins' policy, and the
// narrow policy of the team sync (team-sync.py), which turns each services-root team file into
// a `team-<team>` policy on its services' paths plus an external group whose aliases are the
// team's SSO groups. Teams change in git, not in Pulumi: the sync is the only writer.
import { KV_MOUNT } from "./constants";
import { NATS_SYNC_POLICY_HCL } from "./nats-accounts";

/** The OIDC auth method people log in with (browser or `vault login -method=oidc`). */
export const OIDC_AUTH_PATH = "oidc";
/** Its one role: every SSO user may log in; what they may do comes only from their groups. */
export const DEVELOPER_ROLE = "developer";
export const PLATFORM_ADMIN_POLICY = "platform-admin";
/** External group whose aliases are holodeck:platformAdminGroups. */
export const PLATFORM_ADMINS_GROUP = "platform-admins";
/** Policies and external groups the team sync owns: `team-<team>` (nothing else starts with it). */
export const TEAM_PREFIX = "team-";
export const TEAM_SYNC_ROLE = "team-sync";
export const TEAM_SYNC_SERVICE_ACCOUNT = "vault-team-sync";
/**
 * A team's alert receiver secret is `<kv>/<prefix>/<team>`, key slack-webhook-url: the team
 * writes it (its team policy), the team chart's ExternalSecret in monitoring reads it (External
 * Secrets' identity in monitoring reads `+/monitoring/**` only).
 */
export const ALERTS_SECRET_PREFIX = "platform/monitoring/teams";

/** The login role's settings in Vault's API field names (auth/<path>/role/<name>). */
export interface LoginRoleSettings {
  user_claim: string;
  groups_claim: string;
  oidc_scopes: string[];
  token_policies: string[];
  token_ttl: number;
  token_max_ttl: number;
}

export const DEVELOPER_ROLE_SETTINGS: LoginRoleSettings = {
  // The audit log names the person.
  user_claim: "email",
  // Group aliases on this mount are matched against these claim values (Argo CD reads the same claim).
  groups_claim: "groups",
  oidc_scopes: ["openid", "profile", "email", "groups"],
  token_policies: ["default"],
  token_ttl: 3600,
  token_max_ttl: 8 * 3600,
};

/** Redirect URIs of the login role: the UI behind the platform's edge, and the CLI's local listener. */
export function oidcRedirectUris(vaultHost: string): string[] {
  return [`https://${vaultHost}/ui/vault/auth/${OIDC_AUTH_PATH}/oidc/callback`, "http://localhost:8250/oidc/callback"];
}

/** Platform admins: every application secret and the platform's own (break-glass stays the root token). */
export const PLATFORM_ADMIN_POLICY_HCL = `path "${KV_MOUNT}/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
path "sys/policies/acl/*" {
  capabilities = ["read", "list"]
}
path "identity/group/*" {
  capabilities = ["read", "list"]
}
`;

/** The platform admins' Vault groups and their aliases, which the team sync must never touch. */
export interface ProtectedGroups {
  groupIds: readonly string[];
  aliasIds: readonly string[];
}

/**
 * The team sync may write only `team-*` policies and `team-*` external groups whose policies
 * are `team-*`, and their aliases; it reads the auth mounts to find the OIDC accessor. An alias
 * names its group by id, which no path can scope, so the platform admins' groups are named here:
 * no alias may point at one (`denied_parameters`), an alias is only created (no `id`: renaming an
 * existing one), and theirs may not be deleted. A stolen sync token can still re-alias team groups
 * (as sensitive as the team files themselves), never reach the admins'.
 */
export function teamSyncPolicyHcl(protectedGroups: ProtectedGroups): string {
  if (protectedGroups.groupIds.length === 0) throw new Error("team sync policy: no platform admin group to protect");
  const quoted = (ids: readonly string[]): string => ids.map((id) => `"${id}"`).join(", ");
  const aliasDenials = protectedGroups.aliasIds.map((id) => `path "identity/group-alias/id/${id}" {\n  capabilities = ["deny"]\n}\n`).join("");
  return `path "sys/policies/acl/${TEAM_PREFIX}*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "sys/policies/acl/" {
  capabilities = ["list"]
}
path "identity/group/name/${TEAM_PREFIX}*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "type" = ["external"]
    "policies" = ["${TEAM_PREFIX}*"]
    "metadata" = []
  }
}
path "identity/group/name/" {
  capabilities = ["list"]
}
path "identity/group-alias" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "name" = []
    "mount_accessor" = []
    "canonical_id" = []
  }
  denied_parameters = {
    "canonical_id" = [${quoted(protectedGroups.groupIds)}]
  }
}
path "identity/group-alias/id/*" {
  capabilities = ["read", "delete"]
}
${aliasDenials}path "sys/auth" {
  capabilities = ["read"]
}
${NATS_SYNC_POLICY_HCL}`;
}

/** Where Pulumi writes Grafana's role mapping (the ExternalSecret grafana-oidc reads it). */
export const GRAFANA_ROLES_SECRET = "platform/monitoring/grafana-roles";
export const GRAFANA_ROLE_ENV = "GF_AUTH_GENERIC_OAUTH_ROLE_ATTRIBUTE_PATH";

/** The key of the same secret that gives the Grafana team sync the admin groups (JSON list): it maps them to Admin of every organisation. */
export const GRAFANA_ADMIN_GROUPS_KEY = "PLATFORM_ADMIN_GROUPS";

/**
 * Grafana's JMESPath on the ID token: Admin for any platform admin group, else None. A team
 * member's role comes from the org mapping (Viewer of the team's organisation); None keeps
 * everyone else out of the main organisation, whose Loki reads the platform namespaces.
 */
export function grafanaRoleAttributePath(platformAdminGroups: readonly string[]): string {
  if (platformAdminGroups.length === 0) throw new Error("Grafana roles: platformAdminGroups is empty (holodeck:platformAdminGroups)");
  const anyAdmin = platformAdminGroups.map((group) => `contains(groups[*], '${group}')`).join(" || ");
  return `(${anyAdmin}) && 'Admin' || 'None'`;
}

/** What Pulumi writes to GRAFANA_ROLES_SECRET: Grafana's role path and the team sync's admin groups. */
export function grafanaRolesSecret(platformAdminGroups: readonly string[]): Record<string, string> {
  return { [GRAFANA_ROLE_ENV]: grafanaRoleAttributePath(platformAdminGroups), [GRAFANA_ADMIN_GROUPS_KEY]: JSON.stringify(platformAdminGroups) };
}
