// A customer-managed KMS key with yearly rotation, an alias, and a key policy that keeps
// the account in control and lets the named AWS services use it. Keys are protected:
// losing one makes everything it encrypted unreadable.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson, type PolicyStatement } from "./iam-policy";

export interface KmsKeyArgs {
  description: string;
  /** Without the `alias/` prefix. */
  aliasName: string;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  /** Extra key policy statements, e.g. for CloudWatch Logs. */
  statements?: PolicyStatement[];
}

export class KmsKey extends pulumi.ComponentResource {
  readonly keyArn: pulumi.Output<string>;
  readonly keyId: pulumi.Output<string>;
  readonly aliasName: pulumi.Output<string>;

  constructor(name: string, args: KmsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:kms:KmsKey", name, {}, opts);
    const accountRoot = pulumi.interpolate`arn:${args.partition}:iam::${args.accountId}:root`;
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: args.description,
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: 30,
        policy: policyJson([
          // Without this statement IAM policies cannot grant use of the key (and nobody could manage it).
          { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: accountRoot }, Action: "kms:*", Resource: "*" },
          ...(args.statements ?? []),
        ]),
      },
      { parent: this, protect: true },
    );
    const alias = new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.aliasName}`, targetKeyId: key.keyId }, { parent: this });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = alias.name;
    this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId, aliasName: this.aliasName });
  }
}
