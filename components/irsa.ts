// IAM role for one Kubernetes service account (IRSA). The trust policy is scoped to exactly
// `system:serviceaccount:<namespace>:<serviceAccount>` and the STS audience, so no other pod
// of the cluster can assume it. Every add-on that calls AWS gets its role from here.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam-policy";

export interface IrsaRoleArgs {
  oidcProviderArn: pulumi.Input<string>;
  /** Issuer without `https://`, e.g. oidc.eks.eu-west-1.amazonaws.com/id/ABC. */
  oidcProviderUrl: pulumi.Input<string>;
  namespace: string;
  serviceAccount: string;
  /** Inline policy JSON. */
  policyJson?: pulumi.Input<string>;
  /** Managed policies to attach, e.g. arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy. */
  managedPolicyArns?: pulumi.Input<string>[];
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export const STS_AUDIENCE = "sts.amazonaws.com";

export function irsaTrustPolicy(args: Pick<IrsaRoleArgs, "oidcProviderArn" | "oidcProviderUrl" | "namespace" | "serviceAccount">): pulumi.Output<string> {
  return pulumi.output(args.oidcProviderUrl).apply((url) =>
    policyJson([
      {
        Effect: "Allow",
        Principal: { Federated: args.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${url}:sub`]: `system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
            [`${url}:aud`]: STS_AUDIENCE,
          },
        },
      },
    ]),
  );
}

/** Stable child name for a managed policy: its name when the ARN is known now, else its index. */
function attachmentName(arn: pulumi.Input<string>, index: number): string {
  return typeof arn === "string" ? (arn.split("/").pop() ?? String(index)) : String(index);
}

export class IrsaRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly role: aws.iam.Role;

  constructor(name: string, args: IrsaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:irsa:IrsaRole", name, {}, opts);
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `IRSA role of ${args.namespace}/${args.serviceAccount}`,
        assumeRolePolicy: irsaTrustPolicy(args),
        tags: args.tags,
      },
      { parent: this },
    );
    if (args.policyJson !== undefined) {
      new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.id, policy: args.policyJson }, { parent: this });
    }
    (args.managedPolicyArns ?? []).forEach(
      (policyArn, i) => new aws.iam.RolePolicyAttachment(`${name}-${attachmentName(policyArn, i)}`, { role: this.role.name, policyArn }, { parent: this }),
    );
    this.roleArn = this.role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
