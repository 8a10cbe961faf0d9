// The IAM role of the nodes Karpenter launches (Karpenter makes their instance profile from
// it) and its EKS access entry of type EC2_LINUX, which lets those nodes join the cluster
// (authenticationMode API: no aws-auth ConfigMap). Same managed policies as the managed node
// groups' role: the VPC CNI uses its own IRSA role, so no CNI policy here.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "../../components/iam-policy";
import type { Tags } from "../../model";

export const NODE_ROLE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"] as const;

export interface KarpenterNodeRoleArgs {
  clusterName: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  tags: Tags;
}

export class KarpenterNodeRole extends pulumi.ComponentResource {
  readonly roleName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  /** The role, its policies and its access entry: what a node needs to join and keep running. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: KarpenterNodeRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:karpenter:KarpenterNodeRole", name, {}, opts);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: pulumi.interpolate`Nodes Karpenter launches in ${args.clusterName}`,
        assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
        tags: args.tags,
      },
      { parent: this },
    );
    const attachments = NODE_ROLE_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-${policy}`,
          { role: role.name, policyArn: pulumi.interpolate`arn:${args.partition}:iam::aws:policy/${policy}` },
          { parent: this },
        ),
    );
    const entry = new aws.eks.AccessEntry(
      `${name}-access`,
      { clusterName: args.clusterName, principalArn: role.arn, type: "EC2_LINUX", tags: args.tags },
      { parent: this },
    );
    this.roleName = role.name;
    this.roleArn = role.arn;
    this.ready = [role, ...attachments, entry];
    this.registerOutputs({ roleName: this.roleName, roleArn: this.roleArn });
  }
}
