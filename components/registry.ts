// The stack's ECR registry. Every stack: a KMS key, a ROOT repository creation template (for
// repositories ECR creates on push or by replication: immutable tags, KMS, lifecycle) and
// scan-on-push. The registry of record also replicates every image to the other stacks and
// holds GitLab's OIDC provider and the boundary of the per-service push roles; a replica in another account lets the source account replicate
// into it. Each cluster pulls only from its own registry, so a region pulls with the others down.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryConfig } from "../model";
import { CiPushRole, type ServicePushRoles } from "./ci-push-role";
import { policyJson, serviceTrustPolicy } from "./iam-policy";
import { KmsKey } from "./kms";

/** Images kept per repository: production may run a tag pushed long ago (promotion lags staging). */
export const KEEP_IMAGES = 200;
/** Untagged images (interrupted pushes, superseded manifests) expire after this many days. */
export const UNTAGGED_EXPIRY_DAYS = 14;
/** ECR applies the template to repositories it creates itself (both happen in holodeck). */
export const TEMPLATE_APPLIED_FOR = ["CREATE_ON_PUSH", "REPLICATION"] as const;
/** What ECR does with the template's custom role (AWS: "Create a custom policy for repository creation templates"). */
export const CREATION_ROLE_ECR_ACTIONS = ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"] as const;
export const CREATION_ROLE_KMS_ACTIONS = ["kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"] as const;
/** What a source account needs in a replica's registry policy (only these are allowed there). */
export const REPLICATION_ACTIONS = ["ecr:CreateRepository", "ecr:ReplicateImage"] as const;
/** What another stack's account may do on the registry of record's repositories: pull (Argo CD fetches the service chart there). */
export const CROSS_ACCOUNT_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"] as const;

/**
 * Repository policy of the registry of record's creation template: every other account of
 * the platform (the replicateTo accounts that are not this one) may pull; their own IAM
 * policies still decide which principals do. Undefined when every stack shares this account.
 */
export function crossAccountPullPolicy(config: RegistryConfig, accountId: string, partition: pulumi.Input<string>): pulumi.Output<string> | undefined {
  if (!config.source) return undefined;
  const accounts = [...new Set(config.replicateTo.map((d) => d.accountId))].filter((a) => a !== accountId).sort();
  if (accounts.length === 0) return undefined;
  return policyJson([
    {
      Sid: "PullFromPlatformAccounts",
      Effect: "Allow",
      Principal: { AWS: accounts.map((a) => pulumi.interpolate`arn:${partition}:iam::${a}:root`) },
      Action: [...CROSS_ACCOUNT_PULL_ACTIONS],
    },
  ]);
}

export interface RegistryArgs {
  config: RegistryConfig;
  /** Prefix of the KMS alias and descriptions, e.g. holodeck-production-eu-west-1. */
  clusterName: string;
  region: string;
  /** This stack's account (the provider may only use it: allowedAccountIds). */
  accountId: string;
  partition: pulumi.Input<string>;
  /** Tags of the repositories ECR creates (provider default tags do not reach them). */
  tags: Record<string, string>;
}

export function lifecyclePolicy(keep: number, untaggedDays: number): string {
  const expire = { type: "expire" };
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedDays} days`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
        action: expire,
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keep} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: expire,
      },
    ],
  });
}

export class Registry extends pulumi.ComponentResource {
  /** `<account>.dkr.ecr.<region>.amazonaws.com`: PLATFORM_REGISTRY on the source, global.imageRegistry everywhere. */
  readonly url: string;
  /** What the team chart makes each service's push role from; only the registry of record has it. */
  readonly pushRoles?: pulumi.Output<ServicePushRoles>;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:registry:Registry", name, {}, opts);
    const child = { parent: this };
    const repositories = pulumi.interpolate`arn:${args.partition}:ecr:${args.region}:${args.accountId}:repository/*`;
    const key = new KmsKey(
      `${name}-key`,
      { description: `ECR repositories of ${args.clusterName}`, aliasName: `${args.clusterName}-ecr`, accountId: args.accountId, partition: args.partition },
      child,
    );
    // ECR assumes this role to create repositories from the template with KMS and tags.
    const creationRole = new aws.iam.Role(
      `${name}-create`,
      { description: `ECR creates repositories of ${args.clusterName} from the creation template`, assumeRolePolicy: serviceTrustPolicy("ecr.amazonaws.com") },
      child,
    );
    const creationPolicy = new aws.iam.RolePolicy(
      `${name}-create`,
      {
        role: creationRole.id,
        policy: policyJson([
          { Sid: "CreateRepositories", Effect: "Allow", Action: [...CREATION_ROLE_ECR_ACTIONS], Resource: repositories },
          { Sid: "EncryptWithRegistryKey", Effect: "Allow", Action: [...CREATION_ROLE_KMS_ACTIONS], Resource: key.keyArn },
        ]),
      },
      child,
    );
    new aws.ecr.RepositoryCreationTemplate(
      `${name}-template`,
      {
        prefix: "ROOT",
        description: `Every repository ECR creates in ${args.clusterName} (create on push, replication)`,
        appliedFors: [...TEMPLATE_APPLIED_FOR],
        imageTagMutability: "IMMUTABLE",
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.keyArn }],
        lifecyclePolicy: lifecyclePolicy(KEEP_IMAGES, UNTAGGED_EXPIRY_DAYS),
        customRoleArn: creationRole.arn,
        repositoryPolicy: crossAccountPullPolicy(args.config, args.accountId, args.partition),
        resourceTags: args.tags,
      },
      { ...child, dependsOn: [creationPolicy] },
    );
    new aws.ecr.RegistryScanningConfiguration(
      `${name}-scanning`,
      { scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }] },
      child,
    );
    this.url = `${args.accountId}.dkr.ecr.${args.region}.amazonaws.com`;
    if (args.config.source) {
      new aws.ecr.ReplicationConfiguration(
        `${name}-replication`,
        { replicationConfiguration: { rules: [{ destinations: args.config.replicateTo.map((d) => ({ region: d.region, registryId: d.accountId })) }] } },
        child,
      );
      const { gitlabUrl, gitlabGroup, defaultBranch } = args.config;
      this.pushRoles = new CiPushRole(
        `${name}-push`,
        { gitlabUrl, gitlabGroup, defaultBranch, region: args.region, accountId: args.accountId, partition: args.partition },
        child,
      ).pushRoles;
    } else if (args.config.sourceAccountId !== args.accountId) {
      // Same-account replication needs no policy; another account must be let in explicitly.
      new aws.ecr.RegistryPolicy(
        `${name}-replication`,
        {
          policy: policyJson([
            {
              Sid: "ReplicationFromRegistryOfRecord",
              Effect: "Allow",
              Principal: { AWS: pulumi.interpolate`arn:${args.partition}:iam::${args.config.sourceAccountId}:root` },
              Action: [...REPLICATION_ACTIONS],
              Resource: repositories,
            },
          ]),
        },
        child,
      );
    }
    this.registerOutputs({ url: this.url, pushRoles: this.pushRoles });
  }
}
