// The job definitions of the per-stack child pipeline, in one place: the shared templates
// (`.pulumi`, `.preview`, `.up`) and the two small jobs each stack file gets.
import type { StackTarget } from "./stack-files";

export type CiJob = Record<string, unknown>;

/**
 * Previews run branch code with the preview role's credentials (state bucket, KMS decrypt of
 * stack secrets, read-only cluster view), so only merge requests whose source branch is
 * protected (only maintainers push there) get one. CI_MERGE_REQUEST_SOURCE_BRANCH_PROTECTED is
 * "true"/"false" in merge request pipelines (GitLab 16.4+). This rule keeps jobs from failing;
 * the boundary is the preview role's trust, which matches only protected branch refs
 * (docs/runbooks/new-region.md#ci-roles-what-each-may-do).
 */
export const MERGE_REQUEST_RULE = '$PARENT_PIPELINE_SOURCE == "merge_request_event" && $PARENT_MR_SOURCE_BRANCH_PROTECTED == "true"';
export const DEFAULT_BRANCH_RULE = "$PARENT_COMMIT_BRANCH == $CI_DEFAULT_BRANCH";

export const STAGES = ["preview", "deploy-staging", "deploy-production"] as const;

export const PULUMI_VERSION = "3.248.0";

/**
 * Installs the pinned Pulumi CLI and the AWS CLI, exchanges the job's OIDC token for one-hour
 * role credentials, logs in to the S3 backend and selects the stack with the secrets provider
 * of its stack file. Jobs set STACK, AWS_REGION, PULUMI_SECRETS_PROVIDER and AWS_ROLE_ARN.
 */
const PULUMI: CiJob = {
  id_tokens: { AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } },
  variables: { PULUMI_VERSION, PULUMI_SKIP_UPDATE_CHECK: "true" },
  before_script: [
    "set -euo pipefail",
    "apt-get update -qq && apt-get install -y -qq awscli >/dev/null",
    'curl -fsSL https://get.pulumi.com | sh -s -- --version "$PULUMI_VERSION"',
    'export PATH="$HOME/.pulumi/bin:$PATH"',
    [
      "CREDS=$(aws sts assume-role-with-web-identity",
      '--role-arn "$AWS_ROLE_ARN"',
      '--role-session-name "holodeck-${CI_PIPELINE_ID}-${CI_JOB_ID}"',
      '--web-identity-token "$AWS_ID_TOKEN"',
      "--duration-seconds 3600",
      "--query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]'",
      "--output text)",
    ].join(" "),
    'export AWS_ACCESS_KEY_ID=$(echo "$CREDS" | cut -f1)',
    'export AWS_SECRET_ACCESS_KEY=$(echo "$CREDS" | cut -f2)',
    'export AWS_SESSION_TOKEN=$(echo "$CREDS" | cut -f3)',
    "npm ci",
    'pulumi login "s3://${PULUMI_STATE_BUCKET}?region=${PULUMI_STATE_REGION}&awssdk=v2"',
    'pulumi stack select --create --secrets-provider "$PULUMI_SECRETS_PROVIDER" "$STACK"',
  ],
};

/** Merge requests: diff and policy pack; the log and the artifact keep the output. */
const PREVIEW: CiJob = {
  extends: ".pulumi",
  stage: "preview",
  rules: [{ if: MERGE_REQUEST_RULE }],
  variables: { AWS_ROLE_ARN: "$AWS_PREVIEW_ROLE_ARN" },
  script: ['pulumi preview --stack "$STACK" --diff --policy-pack policy --non-interactive 2>&1 | tee preview.txt'],
  // No expose_as: GitLab does not link exposed artifacts of child pipelines in the merge
  // request (gitlab-org/gitlab#220998); the MR pipeline's downstream card leads to the job.
  artifacts: { name: "preview-$STACK", paths: ["preview.txt"], when: "always", expire_in: "30 days" },
};

/**
 * Default branch: manual, never automatic; a person reads the preview, then presses play.
 * allow_failure: false keeps later ups waiting until this one has run and succeeded.
 */
const UP: CiJob = {
  extends: ".pulumi",
  rules: [{ if: DEFAULT_BRANCH_RULE, when: "manual" }],
  allow_failure: false,
  variables: { AWS_ROLE_ARN: "$AWS_DEPLOY_ROLE_ARN" },
  script: ['pulumi up --stack "$STACK" --yes --diff --policy-pack policy --non-interactive 2>&1 | tee up.txt'],
  artifacts: { name: "up-$STACK", paths: ["up.txt"], when: "always", expire_in: "90 days" },
};

export const TEMPLATES: Record<string, CiJob> = { ".pulumi": PULUMI, ".preview": PREVIEW, ".up": UP };

export const previewJobName = (target: StackTarget) => `preview:${target.stack}`;
export const upJobName = (target: StackTarget) => `up:${target.stack}`;

/** One lock per stack, shared by its preview and its up: two pipelines never touch one stack at once. */
export const resourceGroup = (target: StackTarget) => `holodeck-${target.stack}`;

function stackVariables(target: StackTarget): Record<string, string> {
  return { STACK: target.stack, AWS_REGION: target.region, PULUMI_SECRETS_PROVIDER: target.secretsProvider };
}

export function previewJob(target: StackTarget): CiJob {
  return { extends: ".preview", variables: stackVariables(target), resource_group: resourceGroup(target) };
}

/** `needs` are the ups that must have succeeded first (none: it may run at once). */
export function upJob(target: StackTarget, needs: string[]): CiJob {
  return {
    extends: ".up",
    stage: `deploy-${target.environment}`,
    needs,
    variables: stackVariables(target),
    resource_group: resourceGroup(target),
    environment: { name: target.stack, deployment_tier: target.environment },
  };
}
