// Platform admins' read access to the whole cluster as themselves: their SSO groups, which the
// API server sees as `sso:<group>` through the EKS OIDC identity provider config
// (components/cluster-access.ts), get the built-in `view` ClusterRole (no Secrets). Kiali logs
// people in with their own token (OpenID, RBAC on), so this is what shows admins every
// namespace there, while a team member sees only its team's namespaces (the team chart's view
// binding). Changing anything stays with the EKS access entries (IAM), never with SSO.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SSO_PREFIX } from "../../model/team";

export const PLATFORM_ADMINS_VIEW_BINDING = "holodeck-platform-admins-view";

export interface PlatformAdminsViewArgs {
  /** holodeck:platformAdminGroups: OIDC `groups` claim values. */
  platformAdminGroups: readonly string[];
}

export class PlatformAdminsView extends pulumi.ComponentResource {
  readonly binding: k8s.rbac.v1.ClusterRoleBinding;

  constructor(name: string, args: PlatformAdminsViewArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:PlatformAdminsView", name, {}, opts);
    this.binding = new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-binding`,
      {
        metadata: { name: PLATFORM_ADMINS_VIEW_BINDING },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: args.platformAdminGroups.map((group) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: `${SSO_PREFIX}${group}` })),
      },
      { parent: this },
    );
    this.registerOutputs({ binding: this.binding.metadata.name });
  }
}
