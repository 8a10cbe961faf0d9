// The role GitLab service pipelines assume (OIDC id_token, no stored keys) to push images to
// the registry of record. Trust: only projects of one GitLab group, only pipelines of the
// default branch; permissions: push (and create-on-push) in this account+region's registry only.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson, type PolicyStatement } from "./iam-policy";

/** Audience of the job's id_token (`id_tokens: AWS_ID_TOKEN: aud:` in the service pipeline). */
export const GITLAB_AUDIENCE = "sts.amazonaws.com";

/** What a layer push and a tag need (AWS "IAM permissions for pushing an image"), plus create-on-push. */
export const ECR_PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:CompleteLayerUpload",
  "ecr:CreateRepository",
  "ecr:DescribeRepositories",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
] as const;

/**
 * Repositories under this prefix hold Helm charts (oci://<registry>/charts/holodeck-service):
 * service pipelines may never push or create there; a new chart version is the platform's.
 */
export const CHART_REPOSITORY_PREFIX = "charts";

export interface CiPushRoleArgs {
  /** GitLab instance URL, the `iss` of its id_tokens, e.g. https://gitlab.com. */
  gitlabUrl: string;
  /** e.g. holodeck/services: every project below it may push. */
  gitlabGroup: string;
  defaultBranch: string;
  region: string;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
}

/** `sub` of a GitLab id_token: project_path:<group>/<project>:ref_type:branch:ref:<branch>. */
export function gitlabSubject(group: string, branch: string): string {
  return `project_path:${group}/*:ref_type:branch:ref:${branch}`;
}

export function gitlabTrustStatement(
  providerArn: pulumi.Input<string>,
  args: Pick<CiPushRoleArgs, "gitlabUrl" | "gitlabGroup" | "defaultBranch">,
): PolicyStatement {
  const host = args.gitlabUrl.replace(/^https:\/\//, "");
  return {
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: { [`${host}:aud`]: GITLAB_AUDIENCE },
      StringLike: { [`${host}:sub`]: gitlabSubject(args.gitlabGroup, args.defaultBranch) },
    },
  };
}

export class CiPushRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;

  constructor(name: string, args: CiPushRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:ci-push-role:CiPushRole", name, {}, opts);
    // IAM OIDC providers are per account and URL: if one for this GitLab exists already,
    // `pulumi import` it under this name (docs/foundation.md) instead of creating a second.
    const provider = new aws.iam.OpenIdConnectProvider(`${name}-gitlab`, { url: args.gitlabUrl, clientIdLists: [GITLAB_AUDIENCE] }, { parent: this });
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `GitLab CI (${args.gitlabGroup}/*, branch ${args.defaultBranch}) pushes service images to ECR in ${args.region}`,
        assumeRolePolicy: policyJson([gitlabTrustStatement(provider.arn, args)]),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    const repositories = pulumi.interpolate`arn:${args.partition}:ecr:${args.region}:${args.accountId}:repository/*`;
    new aws.iam.RolePolicy(
      `${name}-push`,
      {
        role: role.id,
        policy: policyJson([
          // GetAuthorizationToken has no resource-level permissions: AWS requires Resource "*".
          { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          { Sid: "PushToThisRegistry", Effect: "Allow", Action: [...ECR_PUSH_ACTIONS], Resource: repositories },
          // An explicit Deny wins over the Allow above: no service pipeline publishes a chart.
          {
            Sid: "NoChartPush",
            Effect: "Deny",
            Action: [...ECR_PUSH_ACTIONS],
            Resource: pulumi.interpolate`arn:${args.partition}:ecr:${args.region}:${args.accountId}:repository/${CHART_REPOSITORY_PREFIX}/*`,
          },
        ]),
      },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.oidcProviderArn = provider.arn;
    this.registerOutputs({ roleArn: this.roleArn, oidcProviderArn: this.oidcProviderArn });
  }
}
