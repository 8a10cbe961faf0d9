// What the platform keeps in Pulumi so GitLab service pipelines can push images (OIDC id_token,
// no stored keys) to the registry of record, each only its own repository (docs/tenancy.md):
// GitLab's IAM OIDC provider and the permissions boundary of every per-service push role. The
// roles themselves are made by Crossplane from the team files (platform-apps/charts/team), one
// per service, trusted only by that service's project on the default branch.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson, type PolicyStatement } from "./iam-policy";

/** Audience of the job's id_token (`id_tokens: AWS_ID_TOKEN: aud:` in the service pipeline). */
export const GITLAB_AUDIENCE = "sts.amazonaws.com";

/**
 * What a layer push and a tag need (AWS "IAM permissions for pushing an image"), create-on-push,
 * the pipeline's "is this tag there already" check (describe-images) and a pull of its own layers.
 */
export const ECR_PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:CompleteLayerUpload",
  "ecr:CreateRepository",
  "ecr:DescribeImages",
  "ecr:DescribeRepositories",
  "ecr:GetDownloadUrlForLayer",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
] as const;

/**
 * Repositories under this prefix hold Helm charts (oci://<registry>/charts/holodeck-service):
 * service pipelines may never push or create there; a new chart version is the platform's.
 * Service images are the other repositories, named after the service (`<registry>/<service>`).
 */
export const CHART_REPOSITORY_PREFIX = "charts";

/** IAM path of every per-service push role: the Crossplane IAM provider may touch no other role. */
export const PUSH_ROLE_PATH = "/holodeck/push/";
/** A service's push role is `<prefix><service>` (role names are unique per account, whatever the path). */
export const PUSH_ROLE_NAME_PREFIX = "ecr-push-";
/** The boundary policy's path and name (one per account: only the registry of record has one). */
export const PUSH_BOUNDARY_PATH = "/holodeck/";
export const PUSH_BOUNDARY_NAME = "holodeck-ecr-push-boundary";
/** Longest session a push role hands out: a build and a push. */
export const PUSH_SESSION_SECONDS = 3600;

/** What the team chart needs to render each service's push role (platform value `pushRoles`). */
export interface ServicePushRoles {
  path: string;
  namePrefix: string;
  /** `arn:<partition>:iam::<account>:role<path>`: a service's role ARN is this + namePrefix + service. */
  roleArnPrefix: string;
  /** `arn:<partition>:ecr:<region>:<account>:repository/`: a service's repository ARN is this + service. */
  repositoryArnPrefix: string;
  oidcProviderArn: string;
  /** GitLab's host: IAM names the id_token's claims `<host>:sub` and `<host>:aud`. */
  oidcHost: string;
  audience: string;
  /** The group of the service projects; a service's project is `<group>/<service>`. */
  gitlabGroup: string;
  defaultBranch: string;
  boundaryPolicyArn: string;
  maxSessionSeconds: number;
  /** ECR_PUSH_ACTIONS: what each role may do on its own repository. */
  pushActions: string[];
}

export interface CiPushRoleArgs {
  /** GitLab instance URL, the `iss` of its id_tokens, e.g. https://gitlab.com. */
  gitlabUrl: string;
  /** e.g. holodeck/services: the service projects are below it. */
  gitlabGroup: string;
  defaultBranch: string;
  region: string;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
}

/** GitLab's host as IAM spells the claim keys (the issuer URL without https://). */
export function gitlabHost(gitlabUrl: string): string {
  return gitlabUrl.replace(/^https:\/\//, "");
}

/** `sub` of a GitLab id_token of one project's branch pipeline (exactly what GitLab emits). */
export function gitlabProjectSubject(group: string, project: string, branch: string): string {
  return `project_path:${group}/${project}:ref_type:branch:ref:${branch}`;
}

export function pushRoleName(service: string): string {
  return `${PUSH_ROLE_NAME_PREFIX}${service}`;
}

export function pushRoleArn(roles: Pick<ServicePushRoles, "roleArnPrefix" | "namePrefix">, service: string): string {
  return `${roles.roleArnPrefix}${roles.namePrefix}${service}`;
}

/** Trust of one service's push role: its own project's default-branch pipelines, GitLab's audience. */
export function servicePushTrustStatement(roles: ServicePushRoles, service: string): PolicyStatement {
  return {
    Effect: "Allow",
    Principal: { Federated: roles.oidcProviderArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${roles.oidcHost}:aud`]: roles.audience,
        [`${roles.oidcHost}:sub`]: gitlabProjectSubject(roles.gitlabGroup, service, roles.defaultBranch),
      },
    },
  };
}

/** Permissions of one service's push role: log in, push and pull its own repository only. */
export function servicePushStatements(roles: ServicePushRoles, service: string): PolicyStatement[] {
  return [
    // GetAuthorizationToken has no resource-level permissions: AWS requires Resource "*".
    { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    { Sid: "PushOwnRepository", Effect: "Allow", Action: [...ECR_PUSH_ACTIONS], Resource: `${roles.repositoryArnPrefix}${service}` },
  ];
}

/**
 * The permissions boundary every push role must carry: whatever a role's own policy says, it can
 * at most log in and push/pull service image repositories of this registry, never a chart.
 */
export function pushBoundaryStatements(repositoryArnPrefix: string): PolicyStatement[] {
  return [
    { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    { Sid: "PushServiceImages", Effect: "Allow", Action: [...ECR_PUSH_ACTIONS], Resource: `${repositoryArnPrefix}*` },
    // An explicit Deny wins over every Allow: no push role ever publishes a chart.
    { Sid: "NoChartPush", Effect: "Deny", Action: [...ECR_PUSH_ACTIONS], Resource: `${repositoryArnPrefix}${CHART_REPOSITORY_PREFIX}/*` },
  ];
}

export class CiPushRole extends pulumi.ComponentResource {
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly boundaryPolicyArn: pulumi.Output<string>;
  /** The team chart's `platform.pushRoles` on the cluster of this registry's stack. */
  readonly pushRoles: pulumi.Output<ServicePushRoles>;

  constructor(name: string, args: CiPushRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    // Type token and child names kept from the shared push role it replaces: the OIDC provider's URN is unchanged.
    super("holodeck:ci-push-role:CiPushRole", name, {}, opts);
    // IAM OIDC providers are per account and URL: if one for this GitLab exists already,
    // `pulumi import` it under this name (docs/foundation.md) instead of creating a second.
    const provider = new aws.iam.OpenIdConnectProvider(`${name}-gitlab`, { url: args.gitlabUrl, clientIdLists: [GITLAB_AUDIENCE] }, { parent: this });
    const repositoryArnPrefix = pulumi.interpolate`arn:${args.partition}:ecr:${args.region}:${args.accountId}:repository/`;
    const boundary = new aws.iam.Policy(
      `${name}-boundary`,
      {
        name: PUSH_BOUNDARY_NAME,
        path: PUSH_BOUNDARY_PATH,
        description: `Permissions boundary of the GitLab service push roles (${PUSH_ROLE_PATH}): ECR push of service images in ${args.region}, no chart`,
        policy: repositoryArnPrefix.apply((prefix) => policyJson(pushBoundaryStatements(prefix))),
      },
      { parent: this },
    );
    this.oidcProviderArn = provider.arn;
    this.boundaryPolicyArn = boundary.arn;
    this.pushRoles = pulumi
      .all([args.partition, args.accountId, repositoryArnPrefix, provider.arn, boundary.arn])
      .apply(([partition, accountId, repositories, providerArn, boundaryArn]) => ({
        path: PUSH_ROLE_PATH,
        namePrefix: PUSH_ROLE_NAME_PREFIX,
        roleArnPrefix: `arn:${partition}:iam::${accountId}:role${PUSH_ROLE_PATH}`,
        repositoryArnPrefix: repositories,
        oidcProviderArn: providerArn,
        oidcHost: gitlabHost(args.gitlabUrl),
        audience: GITLAB_AUDIENCE,
        gitlabGroup: args.gitlabGroup,
        defaultBranch: args.defaultBranch,
        boundaryPolicyArn: boundaryArn,
        maxSessionSeconds: PUSH_SESSION_SECONDS,
        pushActions: [...ECR_PUSH_ACTIONS],
      }));
    this.registerOutputs({ oidcProviderArn: this.oidcProviderArn, boundaryPolicyArn: this.boundaryPolicyArn });
  }
}
