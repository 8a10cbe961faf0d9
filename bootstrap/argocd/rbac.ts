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

/** One rule of a Kubernetes (Cluster)Role. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/**
 * argocd-server's ClusterRole: exactly the rules of the install manifests of the Argo CD version
 * deployed (manifests/cluster-rbac/server at ARGOCD_IMAGE_TAG; test/bootstrap/argocd-version.test.ts
 * compares them), in place of the argo-cd chart's defaults, which were written for 3.4: those lack
 * the finalizers rule and grant more (events create, applications update).
 */
export const SERVER_CLUSTER_ROLE_RULES: readonly PolicyRule[] = [
  { apiGroups: ["*"], resources: ["*"], verbs: ["delete", "get", "patch"] },
  // Sets ownerReferences[].blockOwnerDeletion where OwnerReferencesPermissionEnforcement admits it.
  { apiGroups: ["*"], resources: ["*/finalizers"], verbs: ["update"] },
  { apiGroups: [""], resources: ["events"], verbs: ["list"] },
  { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get"] },
  { apiGroups: ["argoproj.io"], resources: ["applications", "applicationsets"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] },
  { apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["create"] },
];
