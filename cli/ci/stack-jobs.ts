// The job definitions of the per-stack child pipeline, in one place: the shared templates
// (`.pulumi`, `.preview`, `.up`) and the two small jobs each stack file gets.
import type { StackTarget } from "./stack-files";

export type CiJob = Record<string, unknown>;

/**
 * Every merge request gets a preview, whatever its source branch: previews run the branch's
 * code with the preview role, which can read what a preview needs and change nothing (its
 * policy and trust are cli/ci/iam/preview-role.*.json; what a branch could read with it:
 * docs/runbooks/new-region.md#ci-roles-what-each-may-do). In a child pipeline
 * CI_PIPELINE_SOURCE is always parent_pipeline, so the rules read what the trigger passes.
 */
export const MERGE_REQUEST_RULE = '$PARENT_PIPELINE_SOURCE == "merge_request_event"';
/** A scheduled pipeline of the default branch is a drift check, never a deploy. */
export const DEFAULT_BRANCH_RULE = '$PARENT_PIPELINE_SOURCE != "schedule" && $PARENT_COMMIT_BRANCH == $CI_DEFAULT_BRANCH';
/** Pipeline schedules (CI/CD > Schedules, on the default branch) run the drift check only. */
export const SCHEDULE_RULE = '$PARENT_PIPELINE_SOURCE == "schedule"';

export const STAGES = ["preview", "drift", "deploy-staging", "deploy-production"] as const;

export const PULUMI_VERSION = "3.276.0";

/**
 * Installs the pinned Pulumi CLI and the AWS CLI, exchanges the job's OIDC token for one-hour
 * role credentials and logs in to the S3 backend. Jobs set STACK, AWS_REGION and AWS_ROLE_ARN
 * and select the stack first thing in their script.
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
  ],
};

/**
 * The preview role may write nothing but lock files, so read-only jobs never create a stack:
 * a stack without state (a new region) is initialised by its first `up` or by an admin.
 */
const SELECT_EXISTING =
  'pulumi stack select "$STACK" || { echo "stack $STACK has no state yet: run up:$STACK or pulumi stack init as an admin first" >&2; exit 1; }';
/** The deploy role creates the stack on its first up, with the secrets provider of its stack file. */
const SELECT_OR_CREATE = 'pulumi stack select --create --secrets-provider "$PULUMI_SECRETS_PROVIDER" "$STACK"';

/** Merge requests: diff and policy pack; the log and the artifact keep the output. */
const PREVIEW: CiJob = {
  extends: ".pulumi",
  stage: "preview",
  rules: [{ if: MERGE_REQUEST_RULE }],
  variables: { AWS_ROLE_ARN: "$AWS_PREVIEW_ROLE_ARN" },
  script: [SELECT_EXISTING, 'pulumi preview --stack "$STACK" --diff --policy-pack policy --non-interactive 2>&1 | tee preview.txt'],
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
  script: [SELECT_OR_CREATE, 'pulumi up --stack "$STACK" --yes --diff --policy-pack policy --non-interactive 2>&1 | tee up.txt'],
  artifacts: { name: "up-$STACK", paths: ["up.txt"], when: "always", expire_in: "90 days" },
};

/**
 * Schedules: refresh against the cloud and fail (--expect-no-changes exits non-zero, kept through
 * tee by pipefail) when code and cloud differ; the diff is in the log and the artifact. The
 * drift role reads what the preview role reads plus the cluster's Secrets (the refresh reads
 * every Secret and Helm release Pulumi manages), changes nothing, and trusts the default
 * branch only (cli/ci/iam/drift-role.trust.json). The refresh is not saved.
 */
const DRIFT: CiJob = {
  extends: ".pulumi",
  stage: "drift",
  rules: [{ if: SCHEDULE_RULE }],
  variables: { AWS_ROLE_ARN: "$AWS_DRIFT_ROLE_ARN" },
  script: [SELECT_EXISTING, 'pulumi preview --stack "$STACK" --refresh --expect-no-changes --diff --non-interactive 2>&1 | tee drift.txt'],
  artifacts: { name: "drift-$STACK", paths: ["drift.txt"], when: "always", expire_in: "30 days" },
};

export const TEMPLATES: Record<string, CiJob> = { ".pulumi": PULUMI, ".preview": PREVIEW, ".drift": DRIFT, ".up": UP };

export const previewJobName = (target: StackTarget) => `preview:${target.stack}`;
export const driftJobName = (target: StackTarget) => `drift:${target.stack}`;
export const upJobName = (target: StackTarget) => `up:${target.stack}`;

/** One lock per stack, shared by its preview, drift check and up: two pipelines never touch one stack at once. */
export const resourceGroup = (target: StackTarget) => `holodeck-${target.stack}`;

function stackVariables(target: StackTarget): Record<string, string> {
  return { STACK: target.stack, AWS_REGION: target.region };
}

export function previewJob(target: StackTarget): CiJob {
  return { extends: ".preview", variables: stackVariables(target), resource_group: resourceGroup(target) };
}

export function driftJob(target: StackTarget): CiJob {
  return { extends: ".drift", variables: stackVariables(target), resource_group: resourceGroup(target) };
}

/** `needs` are the ups that must have succeeded first (none: it may run at once). */
export function upJob(target: StackTarget, needs: string[]): CiJob {
  return {
    extends: ".up",
    stage: `deploy-${target.environment}`,
    needs,
    variables: { ...stackVariables(target), PULUMI_SECRETS_PROVIDER: target.secretsProvider },
    resource_group: resourceGroup(target),
    environment: { name: target.stack, deployment_tier: target.environment },
  };
}
