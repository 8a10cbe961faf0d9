// AWS resources that platform-apps (installed later by Argo CD) need but cannot create
// without cloud credentials: the Crossplane AWS provider's role (RDS for PostgresInstance)
// and Loki's bucket and role. Their ids reach platform-apps through the cluster Secret.
import * as pulumi from "@pulumi/pulumi";
import { addonRole } from "./irsa";
import { bucketAccessStatements, SecureBucket } from "./secure-bucket";
import type { PolicyStatement } from "../components/iam-policy";
import type { AccountRef, ClusterIdentity, Environment, ServiceAccountRef, Tags } from "./types";

/** platform-apps must run these add-ons under exactly these service accounts (contracts §2). */
export const CROSSPLANE_PROVIDER_ACCOUNT: ServiceAccountRef = { namespace: "crossplane-system", serviceAccount: "provider-aws" };
export const LOKI_ACCOUNT: ServiceAccountRef = { namespace: "loki", serviceAccount: "loki" };

export interface PlatformAwsArgs {
  cluster: ClusterIdentity;
  environment: Environment;
  region: string;
  account: AccountRef;
  /** Physical name prefix, e.g. holodeck-staging-eu-west-1. */
  clusterName: string;
  tags: Tags;
}

/** RDS rights of the Crossplane provider, limited to this account and region. */
export function crossplaneRdsStatements(region: string, accountId: string): PolicyStatement[] {
  return [
    {
      Sid: "ManageRdsInRegion",
      Effect: "Allow",
      Action: [
        "rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:RebootDBInstance",
        "rds:DescribeDBInstances", "rds:CreateDBSnapshot", "rds:DescribeDBSnapshots",
        "rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup", "rds:DeleteDBParameterGroup",
        "rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:DescribeDBSubnetGroups",
        "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
      ],
      Resource: `arn:aws:rds:${region}:${accountId}:*`,
    },
    { Sid: "DescribeRdsCatalog", Effect: "Allow", Action: ["rds:DescribeDBEngineVersions", "rds:DescribeOrderableDBInstanceOptions"], Resource: "*" },
    { Sid: "DescribeNetwork", Effect: "Allow", Action: ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], Resource: "*" },
    {
      Sid: "RdsServiceLinkedRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: "*",
      Condition: { StringEquals: { "iam:AWSServiceName": "rds.amazonaws.com" } },
    },
  ];
}

export class PlatformAws extends pulumi.ComponentResource {
  public readonly crossplaneRoleArn: pulumi.Output<string>;
  public readonly lokiRoleArn: pulumi.Output<string>;
  public readonly lokiBucketName: pulumi.Output<string>;

  constructor(name: string, args: PlatformAwsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:PlatformAws", name, {}, opts);
    const crossplane = addonRole(
      `${name}-crossplane`,
      args.cluster,
      CROSSPLANE_PROVIDER_ACCOUNT,
      pulumi.output(args.account.accountId).apply((account) => crossplaneRdsStatements(args.region, account)),
      args.tags,
      { parent: this },
    );
    const lokiBucket = new SecureBucket(
      `${name}-loki`,
      {
        bucketName: pulumi.interpolate`${args.clusterName}-${args.account.accountId}-loki`,
        description: "Loki log chunks and index",
        noncurrentVersionDays: 7,
        expireAfterDays: args.environment === "production" ? 90 : 30,
        tags: args.tags,
        account: args.account,
        keyAlias: `${args.clusterName}-loki`,
      },
      { parent: this },
    );
    const loki = addonRole(`${name}-loki`, args.cluster, LOKI_ACCOUNT, bucketAccessStatements(lokiBucket, true), args.tags, { parent: this });
    this.crossplaneRoleArn = crossplane.roleArn;
    this.lokiRoleArn = loki.roleArn;
    this.lokiBucketName = lokiBucket.name;
    this.registerOutputs({ crossplaneRoleArn: this.crossplaneRoleArn, lokiRoleArn: this.lokiRoleArn, lokiBucketName: this.lokiBucketName });
  }
}
