// EKS access entries (authenticationMode API, no aws-auth ConfigMap): each admin role and the
// CI role get the AWS-managed cluster-admin access policy, cluster-wide.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ClusterAccessArgs {
  clusterName: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  adminRoleArns: string[];
  ciRoleArn: string;
}

export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";

/** Short stable child name for a role ARN: its role name. */
function roleName(arn: string): string {
  return arn.split("/").pop() ?? arn;
}

export class ClusterAccess extends pulumi.ComponentResource {
  /** Resolve when every access policy is associated: the Kubernetes API accepts our calls. */
  readonly associations: aws.eks.AccessPolicyAssociation[];

  constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:cluster:ClusterAccess", name, {}, opts);
    const principals = [...args.adminRoleArns.map((arn) => ({ arn, kind: "admin" })), { arn: args.ciRoleArn, kind: "ci" }];
    this.associations = principals.map(({ arn, kind }) => {
      const entryName = `${name}-${kind}-${roleName(arn)}`;
      const entry = new aws.eks.AccessEntry(entryName, { clusterName: args.clusterName, principalArn: arn, type: "STANDARD" }, { parent: this });
      return new aws.eks.AccessPolicyAssociation(
        entryName,
        {
          clusterName: args.clusterName,
          principalArn: entry.principalArn,
          policyArn: pulumi.interpolate`arn:${args.partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`,
          accessScope: { type: "cluster" },
        },
        { parent: this },
      );
    });
    this.registerOutputs({});
  }
}
