// The generated .gitlab-ci.yml: stages, jobs, needs, environments, resource groups, and which
// jobs run for a merge request, a default-branch push and another branch (read directly, and
// through gitlab-ci-local, which applies GitLab's CI schema and rules semantics), and the build
// job's script (deploy-script.test.ts runs the deploy script).
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { copierCopy, tempDir } from "../harness/copier";
import { FULL } from "./combos";
import type { ScriptRun as Run } from "./deploy-script";
import { isMapping, resolvedJob, ruleOutcome, type Rule } from "./gitlab-rules";
import { ID_TOKEN_ENV, SERVICES_ROOT_AUDIENCE } from "../../cli/services/id-token";
import { GITLAB_AUDIENCE, PUSH_ROLE_NAME_PREFIX, PUSH_ROLE_PATH, pushRoleArn } from "../../components/ci-push-role";

type Job = {
  stage: string;
  needs?: string[];
  rules: Rule[];
  environment?: { name: string; deployment_tier: string };
  resource_group?: string;
  script: string[];
  image: string;
};
type Pipeline = { workflow: { rules: Rule[] }; stages: string[]; variables: Record<string, string> } & Record<string, Job>;

type Mapping = Record<string, unknown>;
const resolved = (name: string): Mapping => resolvedJob(pipeline, name);

const SERVICE = String(FULL.answers.service_name);
/** python:<version>-slim digests the template pins (spelled out: a change must be deliberate). */
const PYTHON_DIGESTS: Record<string, string> = {
  "3.11": "sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7",
  "3.12": "sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea",
  "3.13": "sha256:7c61056e61ac89e852de05f3dc6fa51a6dd2181797bceed46aa725dd7cb2cd3b",
};
const JOBS = ["test", "build", "deploy-staging", "deploy-production"];
/** Manual, non-blocking rollback / re-deploy buttons (test/self-service/rollback-pipeline.test.ts runs them). */
const BUTTONS = ["rollback-staging", "redeploy-staging", "rollback-production", "redeploy-production"];
const CONTEXTS = {
  mergeRequest: { CI_PIPELINE_SOURCE: "merge_request_event", CI_DEFAULT_BRANCH: "main", CI_MERGE_REQUEST_IID: "7" },
  defaultBranch: { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main" },
  otherBranch: { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "feature/x", CI_DEFAULT_BRANCH: "main" },
};

let project: string;
let pipeline: Pipeline;
beforeAll(() => {
  project = copierCopy(FULL.answers);
  pipeline = parse(fs.readFileSync(path.join(project, ".gitlab-ci.yml"), "utf8")) as Pipeline;
});

describe("generated .gitlab-ci.yml", () => {
  it("has the four stages and one job each, chained by needs", () => {
    expect(pipeline.stages).toEqual(["test", "build", "deploy-staging", "deploy-production"]);
    const jobs = Object.keys(pipeline).filter((key) => !["workflow", "stages", "variables"].includes(key) && !key.startsWith("."));
    expect(jobs).toEqual([...JOBS, ...BUTTONS]);
    expect(JOBS.map((job) => pipeline[job].stage)).toEqual(pipeline.stages);
    expect(JOBS.map((job) => pipeline[job].needs)).toEqual([undefined, ["test"], ["build"], ["deploy-staging"]]);
  });

  it.each([
    ["a merge request", CONTEXTS.mergeRequest, ["on_success", "never", "never", "never"]],
    ["a default-branch push", CONTEXTS.defaultBranch, ["on_success", "on_success", "on_success", "manual"]],
  ])("for %s runs %j", (_, context, outcomes) => {
    expect(ruleOutcome(pipeline.workflow.rules, context)).toBe("on_success");
    expect(JOBS.map((job) => ruleOutcome(pipeline[job].rules, context))).toEqual(outcomes);
  });

  it("starts no pipeline for a push to another branch (its merge request runs the tests)", () => {
    expect(ruleOutcome(pipeline.workflow.rules, CONTEXTS.otherBranch)).toBe("never");
  });

  it("makes production a blocking manual gate", () => {
    expect(pipeline["deploy-production"].rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual", allow_failure: false }]);
  });

  it("deploys each environment under its own environment and resource group", () => {
    expect(pipeline["deploy-staging"].environment).toEqual({ name: "staging", deployment_tier: "staging" });
    expect(pipeline["deploy-production"].environment).toEqual({ name: "production", deployment_tier: "production" });
    expect(pipeline["deploy-staging"].resource_group).toBe("staging");
    expect(pipeline["deploy-production"].resource_group).toBe("production");
    expect(pipeline["deploy-staging"].script).toEqual(["ci/deploy.sh staging"]);
    expect(pipeline["deploy-production"].script).toEqual(["ci/deploy.sh production"]);
    expect(resolved("deploy-staging").image).toBe("$HOLODECK_CLI_IMAGE");
  });

  it("gives every job that writes services-root this project's ID token for the publish gate, in the CLI image", () => {
    for (const name of ["deploy-staging", "deploy-production", ...BUTTONS]) {
      const job = resolved(name);
      expect(job.id_tokens, name).toEqual({ [ID_TOKEN_ENV]: { aud: SERVICES_ROOT_AUDIENCE } });
      expect(job.image, name).toBe("$HOLODECK_CLI_IMAGE");
    }
    // No other job asks for it: a token counts for one services-root write.
    const holders = Object.keys(pipeline).filter(
      (name) =>
        !name.startsWith(".") && isMapping(pipeline[name]) && isMapping(resolved(name).id_tokens) && ID_TOKEN_ENV in (resolved(name).id_tokens as Mapping),
    );
    expect(holders.sort()).toEqual(["deploy-production", "deploy-staging", ...BUTTONS].sort());
  });

  it("tags the image with the commit SHA and tests in the Dockerfile's pinned Python", () => {
    expect(pipeline.variables.IMAGE).toBe("$PLATFORM_REGISTRY/$SERVICE_NAME:$CI_COMMIT_SHA");
    expect(pipeline.variables.SERVICE_NAME).toBe(SERVICE);
    expect(pipeline["build"].script).toContain('docker push "$IMAGE"');
    // The first push creates the repository from the registry's creation template
    // (components/registry.ts); an explicit create-repository would bypass it.
    expect(pipeline["build"].script.filter((line: string) => line.includes("ecr create-repository"))).toEqual([]);
    const dockerBase = fs.readFileSync(path.join(project, "Dockerfile"), "utf8").match(/^ARG PYTHON_IMAGE=(\S+)$/m)?.[1];
    expect(pipeline.variables.PYTHON_IMAGE).toBe(dockerBase);
    expect(dockerBase).toBe(`docker.io/library/python:${String(FULL.answers.python_version)}-slim@${PYTHON_DIGESTS[String(FULL.answers.python_version)]}`);
  });

  it("keeps the base-image digests in one place (copier.yml python_base_image)", () => {
    const templateDir = path.resolve(__dirname, "..", "..", "templates", "python-service");
    const copierYml = fs.readFileSync(path.join(templateDir, "copier.yml"), "utf8");
    const projectFiles = fs
      .readdirSync(path.join(templateDir, "project"), { recursive: true, encoding: "utf8" })
      .filter((file) => fs.statSync(path.join(templateDir, "project", file)).isFile());
    for (const digest of Object.values(PYTHON_DIGESTS)) {
      expect(copierYml.split(digest).length - 1, digest).toBe(1);
      for (const file of projectFiles) expect(fs.readFileSync(path.join(templateDir, "project", file), "utf8"), file).not.toContain(digest);
    }
    expect(pipeline["test"].script).toEqual([
      "python -m venv /tmp/venv",
      "/tmp/venv/bin/pip install --no-deps --require-hashes -r requirements.lock -r requirements-dev.lock",
      "/tmp/venv/bin/ruff check .",
      "/tmp/venv/bin/python -m pytest --junitxml=report.xml",
    ]);
  });
});

/**
 * Runs the build job's script lines in one `sh -e` (as the docker:cli image's runner shell
 * does) with `apk`, `aws` and `docker` fakes that log their arguments; `aws ecr
 * describe-images` succeeds only when `imageExists`.
 */
function runBuildScript(imageExists: boolean): { run: Run; calls: string[]; roles: string[] } {
  const bin = tempDir("build-bin");
  const log = path.join(bin, "calls");
  const fake = (name: string, body = ""): void =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
  fake("apk");
  fake("docker", "cat >/dev/null 2>&1 || true");
  // Records the role each aws call would assume (the web identity the AWS CLI reads from the env).
  fake(
    "aws",
    `echo "$AWS_ROLE_ARN" >> "${path.join(bin, "roles")}"; case "$2" in describe-images) ${imageExists ? "echo '{\"imageDetails\": []}'; exit 0" : "echo 'ImageNotFoundException' >&2; exit 254"};; get-login-password) echo pw;; esac`,
  );
  const sha40 = "c".repeat(40);
  const run = spawnSync("sh", ["-e", "-c", pipeline["build"].script.join("\n")], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      AWS_ID_TOKEN: "token",
      PLATFORM_REGISTRY: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
      SERVICE_NAME: SERVICE,
      CI_COMMIT_SHA: sha40,
      IMAGE: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${SERVICE}:${sha40}`,
      CI_PROJECT_URL: "https://gitlab.example.dev/x",
    },
  });
  const lines = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : []);
  return { run: { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr }, calls: lines(log), roles: lines(path.join(bin, "roles")) };
}

describe("the build job's AWS identity", () => {
  it("assumes this service's own push role, derived from the registry's account and the service name (no role variable)", () => {
    const { run, roles } = runBuildScript(false);
    expect(run.code, run.stderr).toBe(0);
    const own = pushRoleArn({ roleArnPrefix: `arn:aws:iam::123456789012:role${PUSH_ROLE_PATH}`, namePrefix: PUSH_ROLE_NAME_PREFIX }, SERVICE);
    expect(own).toBe(`arn:aws:iam::123456789012:role/holodeck/push/ecr-push-${SERVICE}`);
    // describe-images and get-login-password: every AWS call runs as that role.
    expect(roles).toEqual([own, own]);
  });

  it("asks GitLab for an id_token with the audience the push roles trust, and reads no shared role variable", () => {
    const build = pipeline["build"] as Job & { id_tokens: Record<string, { aud: string }> };
    expect(build.id_tokens).toEqual({ AWS_ID_TOKEN: { aud: GITLAB_AUDIENCE } });
    expect(JSON.stringify(pipeline)).not.toContain("ECR_PUSH_ROLE_ARN");
  });
});

describe("the build job with IMMUTABLE ECR tags", () => {
  const describeCall = `aws ecr describe-images --registry-id 123456789012 --repository-name ${SERVICE} --image-ids imageTag=${"c".repeat(40)}`;

  it("skips build and push when the commit's tag is already in ECR (a re-run)", () => {
    const { run, calls } = runBuildScript(true);
    expect(run.code, run.stderr).toBe(0);
    expect(calls).toEqual(["apk add --no-cache aws-cli", describeCall]);
    expect(run.stdout).toContain("is already in ECR (immutable tag): skipping build and push");
  });

  it("builds and pushes when the tag (or the repository) is not there yet", () => {
    const { run, calls } = runBuildScript(false);
    expect(run.code, run.stderr).toBe(0);
    expect(calls.slice(0, 2)).toEqual(["apk add --no-cache aws-cli", describeCall]);
    // `aws ecr get-login-password | docker login ...` is one pipeline: both start at once,
    // so their log lines come in either order.
    expect(calls.slice(2, 4).sort()).toEqual([
      "aws ecr get-login-password",
      "docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    ]);
    expect(
      calls.filter((call) => call.startsWith("docker build") || call.startsWith("docker push")).map((call) => call.split(" ").slice(0, 2).join(" ")),
    ).toEqual(["docker build", "docker push"]);
  });
});

const GITLAB_CI_LOCAL = path.resolve(__dirname, "..", "..", "node_modules", ".bin", "gitlab-ci-local");

/** gitlab-ci-local (GitLab's CI schema and rules semantics) in a git checkout of `dir`. */
function gitlabCiLocal(dir: string, args: string[]): Run {
  const run = spawnSync(GITLAB_CI_LOCAL, ["--color=false", "--json-schema-validation", ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, HOME: tempDir("gcl-home"), GCL_IGNORE_PREDEFINED_VARS: "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH" },
  });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** `--list-csv` rows for a context: "name;stage;when;allowFailure;environment;needs". */
function jobsFor(dir: string, context: string[]): string[] {
  const run = gitlabCiLocal(dir, ["--list-csv", ...context]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim().split("\n").slice(1);
}

const MR = ["--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--unset-variable", "CI_COMMIT_BRANCH"];

describe("generated .gitlab-ci.yml under GitLab's own rules (gitlab-ci-local)", () => {
  let checkout: string;
  beforeAll(() => {
    checkout = path.join(tempDir("gcl"), "svc");
    fs.cpSync(project, checkout, { recursive: true });
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: checkout });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.dev", "commit", "-q", "--allow-empty", "-m", "init"], { cwd: checkout });
  });

  it("passes GitLab's CI schema and runs every job on the default branch, production manual", () => {
    expect(jobsFor(checkout, [])).toEqual([
      "test;test;on_success;false;;",
      "build;build;on_success;false;;[test]",
      "deploy-staging;deploy-staging;on_success;false;staging;[build]",
      "rollback-staging;deploy-staging;manual;true;staging;[]",
      "redeploy-staging;deploy-staging;manual;true;staging;[]",
      "deploy-production;deploy-production;manual;false;production;[deploy-staging]",
      "rollback-production;deploy-production;manual;true;production;[]",
      "redeploy-production;deploy-production;manual;true;production;[]",
    ]);
  });

  it("runs only the tests for a merge request, and nothing for another branch", () => {
    expect(jobsFor(checkout, MR)).toEqual(["test;test;on_success;false;;"]);
    expect(jobsFor(checkout, ["--variable", "CI_COMMIT_BRANCH=feature/x"])).toEqual([]);
  });

  it("never needs a job that is not in the pipeline", () => {
    for (const context of [[], MR]) {
      const run = gitlabCiLocal(checkout, ["--validate-dependency-chain", ...context]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).toContain("All job dependencies are valid");
    }
  });

  it("rejects a schema error", () => {
    const broken = path.join(tempDir("gcl-broken"), "svc");
    fs.cpSync(checkout, broken, { recursive: true });
    const file = path.join(broken, ".gitlab-ci.yml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("  resource_group: staging", "  resource_group: [staging]"));
    const run = gitlabCiLocal(broken, ["--list-csv"]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain("resource_group");
  });
});
