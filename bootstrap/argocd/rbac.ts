// Argo CD's global RBAC (argocd-rbac-cm): no default role, so a signed-in SSO user sees no
// application at all unless a role grants it. Platform admins (holodeck:platformAdminGroups)
// are admins; a team's members get get/sync/logs on their own applications only, through the
// `developers` role of their team's AppProject `team-<team>` (the team chart, docs/tenancy.md).
// Roles are matched on the OIDC `groups` claim (scopes).

/** What argocd-rbac-cm holds: `policy.default`, `policy.csv`, `scopes`. */
export interface ArgoCdRbac {
  "policy.default": string;
  "policy.csv": string;
  scopes: string;
}

/** Argo CD's built-in admin role. */
export const ADMIN_ROLE = "role:admin";

/** The global policy: every platform admin group is `role:admin`, nobody else has a default role. */
export function argocdRbac(platformAdminGroups: readonly string[]): ArgoCdRbac {
  if (platformAdminGroups.length === 0) throw new Error("Argo CD RBAC: platformAdminGroups is empty (holodeck:platformAdminGroups)");
  return {
    // Empty: an authenticated user without a group role has no permission (not role:readonly).
    "policy.default": "",
    "policy.csv": platformAdminGroups.map((group) => `g, ${group}, ${ADMIN_ROLE}\n`).join(""),
    scopes: "[groups]",
  };
}
