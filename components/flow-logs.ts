// VPC flow logs (all traffic) to a KMS-encrypted CloudWatch log group: the audit trail of
// who talked to what, kept for `retentionInDays`.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam-policy";

export interface FlowLogsArgs {
  vpcId: pulumi.Input<string>;
  logGroupName: string;
  kmsKeyArn: pulumi.Input<string>;
  retentionInDays: number;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
}

export class FlowLogs extends pulumi.ComponentResource {
  readonly logGroupArn: pulumi.Output<string>;

  constructor(name: string, args: FlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:network:FlowLogs", name, {}, opts);
    const child = { parent: this };
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: args.logGroupName, retentionInDays: args.retentionInDays, kmsKeyId: args.kmsKeyArn },
      { parent: this, retainOnDelete: true },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "VPC flow logs delivery to CloudWatch Logs",
        assumeRolePolicy: policyJson([
          {
            Effect: "Allow",
            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Confused-deputy guard: only flow logs of this account may use the role.
            Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
          },
        ]),
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-delivery`,
      {
        role: role.id,
        policy: policyJson([
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
          },
        ]),
      },
      child,
    );
    new aws.ec2.FlowLog(
      `${name}-vpc`,
      {
        vpcId: args.vpcId,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
      },
      child,
    );
    this.logGroupArn = logGroup.arn;
    this.registerOutputs({ logGroupArn: this.logGroupArn });
  }
}
