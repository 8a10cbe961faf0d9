// EKS access entries (authenticationMode API, no aws-auth ConfigMap): each admin role and the
// CI deploy role get the AWS-managed cluster-admin access policy, cluster-wide; the optional CI
// preview role (merge-request `pulumi preview`) gets the read-only view policy, cluster-wide;
// the optional drift role (scheduled `pulumi preview --refresh`) the read-only admin-view policy,
// which also reads the Secrets and Helm release records Pulumi manages (a refresh reads them).
// People sign in to the Kubernetes API with the platform's SSO (Kiali's RBAC mode uses their
// ID token): an EKS OIDC identity provider config maps the `groups` claim to Kubernetes groups
// `sso:<group>` and users to `sso:<email>`; what they may do is RBAC (the team chart's view
// RoleBindings per service namespace).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SSO_PREFIX } from "../model/team";

export interface ClusterAccessArgs {
  clusterName: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  adminRoleArns: string[];
  ciRoleArn: string;
  /** Role of merge-request previews; read-only (no Secrets: the view policy excludes them). */
  previewRoleArn?: string;
  /** Role of the scheduled drift checks; read-only, Secrets included. */
  driftRoleArn?: string;
  /** The SSO issuer (holodeck:argocdOidc.issuer) whose Kiali ID tokens the API accepts. */
  ssoIssuerUrl: string;
}

export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";
/** AWS-managed access policy equal to the Kubernetes `view` ClusterRole (no Secrets). */
export const VIEW_POLICY = "AmazonEKSViewPolicy";
/** AWS-managed read-only access policy that includes Secrets (AmazonEKSAdminViewPolicy). */
export const ADMIN_VIEW_POLICY = "AmazonEKSAdminViewPolicy";
/**
 * The IdP client whose ID tokens the API accepts (aud): Kiali's (platform-apps/values/kiali).
 * Kubernetes sees SSO groups and users with SSO_PREFIX (model/team.ts), as the team chart binds them.
 */
export const SSO_KUBERNETES_CLIENT_ID = "kiali";

interface Principal {
  arn: string;
  kind: "admin" | "ci" | "preview" | "drift";
  policy: string;
}

/** Short stable child name for a role ARN: its role name. */
function roleName(arn: string): string {
  return arn.split("/").pop() ?? arn;
}

export class ClusterAccess extends pulumi.ComponentResource {
  /** Resolve when every access policy is associated: the Kubernetes API accepts our calls. */
  readonly associations: aws.eks.AccessPolicyAssociation[];

  constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:cluster:ClusterAccess", name, {}, opts);
    const principals: Principal[] = [
      ...args.adminRoleArns.map((arn): Principal => ({ arn, kind: "admin", policy: CLUSTER_ADMIN_POLICY })),
      { arn: args.ciRoleArn, kind: "ci", policy: CLUSTER_ADMIN_POLICY },
      ...(args.previewRoleArn ? [{ arn: args.previewRoleArn, kind: "preview", policy: VIEW_POLICY } satisfies Principal] : []),
      ...(args.driftRoleArn ? [{ arn: args.driftRoleArn, kind: "drift", policy: ADMIN_VIEW_POLICY } satisfies Principal] : []),
    ];
    this.associations = principals.map(({ arn, kind, policy }) => {
      const entryName = `${name}-${kind}-${roleName(arn)}`;
      const entry = new aws.eks.AccessEntry(entryName, { clusterName: args.clusterName, principalArn: arn, type: "STANDARD" }, { parent: this });
      return new aws.eks.AccessPolicyAssociation(
        entryName,
        {
          clusterName: args.clusterName,
          principalArn: entry.principalArn,
          policyArn: pulumi.interpolate`arn:${args.partition}:eks::aws:cluster-access-policy/${policy}`,
          accessScope: { type: "cluster" },
        },
        { parent: this },
      );
    });
    new aws.eks.IdentityProviderConfig(
      `${name}-sso`,
      {
        clusterName: args.clusterName,
        oidc: {
          identityProviderConfigName: "sso",
          issuerUrl: args.ssoIssuerUrl,
          clientId: SSO_KUBERNETES_CLIENT_ID,
          usernameClaim: "email",
          usernamePrefix: SSO_PREFIX,
          groupsClaim: "groups",
          groupsPrefix: SSO_PREFIX,
        },
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
