// The AWS identities (IRSA roles) and buckets that platform-apps (installed later by Argo CD)
// need but cannot create without cloud credentials: the Crossplane AWS provider's role (RDS
// for PostgresInstance), on the registry of record's stack the Crossplane IAM provider's role
// (the per-service ECR push roles, bounded: crossplaneIamStatements), Loki's bucket and role, and the role External Secrets mints Argo
// CD's chart-pull token with. Their ids reach platform-apps through the cluster Secret.
import * as pulumi from "@pulumi/pulumi";
import { CHART_REPOSITORY_PREFIX, type ServicePushRoles } from "../../components/ci-push-role";
import type { PolicyStatement } from "../../components/iam-policy";
import { bucketAccessStatements, SecureBucket } from "../../components/secure-bucket";
import type { Environment, Tags } from "../../model";
import { addonRole } from "../shared/irsa";
import type { AccountRef, ClusterIdentity, ServiceAccountRef } from "../shared/types";

/** platform-apps must run these add-ons under exactly these service accounts (contracts §2). */
export const CROSSPLANE_PROVIDER_ACCOUNT: ServiceAccountRef = { namespace: "crossplane-system", serviceAccount: "provider-aws" };
/** The Crossplane IAM provider's own account (DeploymentRuntimeConfig aws-iam-irsa): its role is not the RDS provider's. */
export const CROSSPLANE_IAM_PROVIDER_ACCOUNT: ServiceAccountRef = { namespace: "crossplane-system", serviceAccount: "provider-aws-iam" };
export const LOKI_ACCOUNT: ServiceAccountRef = { namespace: "loki", serviceAccount: "loki" };
/** External Secrets mints Argo CD's ECR token for the service chart as this account (contracts §8). */
export const CHART_PULL_ACCOUNT: ServiceAccountRef = { namespace: "argocd", serviceAccount: "ecr-chart-pull" };
/** Where the holodeck-service chart lives in the registry of record (`oci://<host>/charts`). */
export { CHART_REPOSITORY_PREFIX };

/** The registry of record: every cluster pulls the service chart from there. */
export interface ChartRegistry {
  accountId: string;
  region: string;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com`, the chart registry host of the cluster Secret. */
export function chartRegistryHost(registry: ChartRegistry): string {
  return `${registry.accountId}.dkr.ecr.${registry.region}.amazonaws.com`;
}

/** A token for ECR (any registry: the call has no resource) and pulls from the chart repositories only. */
export function chartPullStatements(partition: string, registry: ChartRegistry): PolicyStatement[] {
  return [
    { Sid: "EcrToken", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
    {
      Sid: "PullCharts",
      Effect: "Allow",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      Resource: `arn:${partition}:ecr:${registry.region}:${registry.accountId}:repository/${CHART_REPOSITORY_PREFIX}/*`,
    },
  ];
}

export interface PlatformIdentitiesArgs {
  cluster: ClusterIdentity;
  environment: Environment;
  region: string;
  account: AccountRef;
  /** Physical name prefix, e.g. holodeck-staging-eu-west-1. */
  clusterName: string;
  /** The registry of record (config holodeck:registry), where the service chart is pulled from. */
  chartRegistry: ChartRegistry;
  /** Only on the registry of record's stack (Registry.pushRoles): the Crossplane IAM provider gets a role. */
  pushRoles?: pulumi.Input<ServicePushRoles>;
  tags: Tags;
}

/** Tag the compositions put on every RDS resource they create (value: the cluster name). */
export const RDS_OWNER_TAG = "holodeck-cluster";

/**
 * RDS rights of the Crossplane provider: read in this account and region; create only what
 * carries this cluster's owner tag; change, reboot, re-tag or delete only what already
 * carries it (other databases in the account stay out of reach).
 */
export function crossplaneRdsStatements(partition: string, region: string, accountId: string, clusterName: string): PolicyStatement[] {
  const rdsInRegion = `arn:${partition}:rds:${region}:${accountId}:*`;
  return [
    {
      Sid: "ReadRdsInRegion",
      Effect: "Allow",
      Action: [
        "rds:DescribeDBInstances",
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBParameterGroups",
        "rds:DescribeDBParameters",
        "rds:DescribeDBSubnetGroups",
        "rds:ListTagsForResource",
      ],
      Resource: rdsInRegion,
    },
    {
      Sid: "CreateOwnedRds",
      Effect: "Allow",
      Action: ["rds:CreateDBInstance", "rds:CreateDBParameterGroup", "rds:AddTagsToResource"],
      Resource: rdsInRegion,
      Condition: { StringEquals: { [`aws:RequestTag/${RDS_OWNER_TAG}`]: clusterName } },
    },
    {
      Sid: "ManageOwnedRds",
      Effect: "Allow",
      Action: [
        "rds:ModifyDBInstance",
        "rds:DeleteDBInstance",
        "rds:RebootDBInstance",
        "rds:ModifyDBParameterGroup",
        "rds:DeleteDBParameterGroup",
        "rds:AddTagsToResource",
        "rds:RemoveTagsFromResource",
      ],
      Resource: rdsInRegion,
      Condition: { StringEquals: { [`aws:ResourceTag/${RDS_OWNER_TAG}`]: clusterName } },
    },
    {
      // Without this, removing the owner tag would hand an instance to no one (or re-tagging to another cluster).
      Sid: "KeepOwnerTag",
      Effect: "Deny",
      Action: ["rds:RemoveTagsFromResource"],
      Resource: "*",
      Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": [RDS_OWNER_TAG] } },
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

/** What the IAM provider does to a role (upjet's aws_iam_role and aws_iam_role_policy: create, read, update, delete). */
export const PUSH_ROLE_READ_ACTIONS = [
  "iam:GetRole",
  "iam:GetRolePolicy",
  "iam:ListAttachedRolePolicies",
  "iam:ListInstanceProfilesForRole",
  "iam:ListRolePolicies",
  "iam:ListRoleTags",
] as const;
/** Only with the boundary: IAM checks `iam:PermissionsBoundary` on these (the role's boundary after the call). */
export const PUSH_ROLE_BOUNDED_ACTIONS = ["iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"] as const;
/** Changes that keep the boundary (a role under the path has it: it could only be created with it, and it cannot be removed). */
export const PUSH_ROLE_CHANGE_ACTIONS = [
  "iam:DeleteRole",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
] as const;
/** Whatever would change the boundary policy itself. */
export const BOUNDARY_POLICY_EDIT_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:DeletePolicy",
  "iam:DeletePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:TagPolicy",
  "iam:UntagPolicy",
] as const;

/**
 * IAM rights of the Crossplane IAM provider, which makes each service's ECR push role from the
 * team files. Bounded so a wrong or hostile team chart value cannot escalate: roles under the
 * push path only, created or given policies only with the push boundary (ECR push of service
 * images at most), never without it, never the boundary policy itself, never iam:PassRole.
 */
export function crossplaneIamStatements(roles: Pick<ServicePushRoles, "roleArnPrefix" | "boundaryPolicyArn">): PolicyStatement[] {
  const pushRoles = `${roles.roleArnPrefix}*`;
  return [
    { Sid: "ReadPushRoles", Effect: "Allow", Action: [...PUSH_ROLE_READ_ACTIONS], Resource: pushRoles },
    {
      Sid: "WritePushRolesWithBoundary",
      Effect: "Allow",
      Action: [...PUSH_ROLE_BOUNDED_ACTIONS],
      Resource: pushRoles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": roles.boundaryPolicyArn } },
    },
    { Sid: "ChangePushRoles", Effect: "Allow", Action: [...PUSH_ROLE_CHANGE_ACTIONS], Resource: pushRoles },
    { Sid: "NoBoundaryRemoval", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary"], Resource: "*" },
    {
      Sid: "NoOtherBoundary",
      Effect: "Deny",
      Action: [...PUSH_ROLE_BOUNDED_ACTIONS],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": roles.boundaryPolicyArn } },
    },
    { Sid: "NoBoundaryPolicyEdit", Effect: "Deny", Action: [...BOUNDARY_POLICY_EDIT_ACTIONS], Resource: roles.boundaryPolicyArn },
    { Sid: "NoPassRole", Effect: "Deny", Action: ["iam:PassRole"], Resource: "*" },
  ];
}

export class PlatformIdentities extends pulumi.ComponentResource {
  public readonly crossplaneRoleArn: pulumi.Output<string>;
  /** The Crossplane IAM provider's role, on the registry of record's stack only. */
  public readonly crossplaneIamRoleArn?: pulumi.Output<string>;
  public readonly lokiRoleArn: pulumi.Output<string>;
  public readonly lokiBucketName: pulumi.Output<string>;
  public readonly chartPullRoleArn: pulumi.Output<string>;

  constructor(name: string, args: PlatformIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
    // Type token of the former PlatformAws component, kept so the children's URNs do not change.
    super("holodeck:bootstrap:PlatformAws", name, {}, opts);
    const crossplane = addonRole(
      `${name}-crossplane`,
      args.cluster,
      CROSSPLANE_PROVIDER_ACCOUNT,
      pulumi
        .all([args.account.partition, args.account.accountId])
        .apply(([partition, account]) => crossplaneRdsStatements(partition, args.region, account, args.clusterName)),
      args.tags,
      { parent: this },
    );
    if (args.pushRoles) {
      this.crossplaneIamRoleArn = addonRole(
        `${name}-crossplane-iam`,
        args.cluster,
        CROSSPLANE_IAM_PROVIDER_ACCOUNT,
        pulumi.output(args.pushRoles).apply((roles) => crossplaneIamStatements(roles)),
        args.tags,
        { parent: this },
      ).roleArn;
    }
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
    const chartPull = addonRole(
      `${name}-chart-pull`,
      args.cluster,
      CHART_PULL_ACCOUNT,
      pulumi.output(args.account.partition).apply((partition) => chartPullStatements(partition, args.chartRegistry)),
      args.tags,
      { parent: this },
    );
    this.chartPullRoleArn = chartPull.roleArn;
    this.crossplaneRoleArn = crossplane.roleArn;
    this.lokiRoleArn = loki.roleArn;
    this.lokiBucketName = lokiBucket.name;
    this.registerOutputs({
      crossplaneRoleArn: this.crossplaneRoleArn,
      crossplaneIamRoleArn: this.crossplaneIamRoleArn,
      lokiRoleArn: this.lokiRoleArn,
      lokiBucketName: this.lokiBucketName,
      chartPullRoleArn: this.chartPullRoleArn,
    });
  }
}
