// Rollback and re-deploy as pipeline buttons: the generated .gitlab-ci.yml under GitLab's own
// rules (gitlab-ci-local) offers manual, non-blocking rollback-<env> / redeploy-<env> jobs on
// the default branch, in the deploy's resource group; and ci/deploy.sh runs them for real with
// this repository's `holodeck` CLI against a local services-root.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { copierCopy, tempDir } from "../harness/copier";
import { bareRepo, fileAtTip, sha } from "../cli/helpers";
import { FULL } from "../template/combos";
import { holodeckOnPath, runDeployScript, type ScriptRun } from "../template/deploy-script";
import { resolvedJob } from "../template/gitlab-rules";

const SERVICE = String(FULL.answers.service_name);
const GITLAB_CI_LOCAL = path.resolve(__dirname, "..", "..", "node_modules", ".bin", "gitlab-ci-local");
const BUTTONS = {
  "rollback-staging": { stage: "deploy-staging", env: "staging" },
  "redeploy-staging": { stage: "deploy-staging", env: "staging" },
  "rollback-production": { stage: "deploy-production", env: "production" },
  "redeploy-production": { stage: "deploy-production", env: "production" },
} as const;
type Job = { stage: string; needs?: string[]; rules: unknown[]; environment?: { name: string }; resource_group?: string; script: string[]; image: string };

let project: string;
let jobs: Record<string, Job>;
beforeAll(() => {
  project = copierCopy(FULL.answers);
  const pipeline = parse(fs.readFileSync(path.join(project, ".gitlab-ci.yml"), "utf8")) as Record<string, Job & Record<string, unknown>>;
  jobs = Object.fromEntries(Object.keys(BUTTONS).map((name) => [name, resolvedJob(pipeline, name) as Job]));
});

describe("rollback / re-deploy buttons in the generated .gitlab-ci.yml", () => {
  it.each(Object.entries(BUTTONS))("%s is manual, never blocking, in its environment's resource group, through ci/deploy.sh", (name, { stage, env }) => {
    const job = jobs[name];
    expect(job.stage).toBe(stage);
    expect(job.needs).toEqual([]);
    expect(job.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual", allow_failure: true }]);
    expect(job.environment?.name).toBe(env);
    // The deploy of that environment holds the same lock: a button never races a deploy.
    expect(job.resource_group).toBe(env);
    expect(job.image).toBe("$HOLODECK_CLI_IMAGE");
    expect(job.script).toEqual([`ci/deploy.sh ${name}`]);
  });

  it("gitlab-ci-local (GitLab's schema and rules) lists them as manual, allowed to fail, on the default branch only", () => {
    const checkout = path.join(tempDir("gcl-buttons"), "svc");
    fs.cpSync(project, checkout, { recursive: true });
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: checkout });
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.dev", "commit", "-q", "--allow-empty", "-m", "init"], { cwd: checkout });
    const list = (args: string[]): string[] => {
      const run = spawnSync(GITLAB_CI_LOCAL, ["--color=false", "--json-schema-validation", "--list-csv", ...args], {
        cwd: checkout,
        encoding: "utf8",
        env: { ...process.env, HOME: tempDir("gcl-home"), GCL_IGNORE_PREDEFINED_VARS: "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH" },
      });
      expect(run.status, run.stderr).toBe(0);
      return run.stdout.trim().split("\n").slice(1);
    };
    const buttons = list([]).filter((row) => Object.keys(BUTTONS).includes(row.split(";")[0]));
    expect(buttons.map((row) => row.split(";").slice(0, 5).join(";"))).toEqual(
      Object.entries(BUTTONS).map(([name, { stage, env }]) => `${name};${stage};manual;true;${env}`),
    );
    const mergeRequest = list(["--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--unset-variable", "CI_COMMIT_BRANCH"]);
    expect(mergeRequest.filter((row) => Object.keys(BUTTONS).includes(row.split(";")[0]))).toEqual([]);
  });
});

describe("ci/deploy.sh rollback-<env> / redeploy-<env> against a local services-root", () => {
  const first = sha("release-1");
  const second = sha("release-2");
  let repo: { url: string; dir: string };
  let bin: string;

  const run = (target: string, env: NodeJS.ProcessEnv): ScriptRun => runDeployScript(project, target, { SERVICES_ROOT_URL: repo.url, ...env }, bin);
  /** The version an environment runs: imageTag and targetRevision of its services-root entry. */
  const version = (env: string): string[] => {
    const entry = JSON.parse(fileAtTip(repo.dir, `${env}/${SERVICE}.json`) ?? "{}") as { imageTag?: string; targetRevision?: string };
    return [entry.imageTag ?? "", entry.targetRevision ?? ""];
  };
  const staging = (): string[] => version("staging");
  const production = (): string[] => version("production");
  const at = (sha: string): string[] => [sha, sha];

  beforeAll(async () => {
    repo = bareRepo();
    // services-root knows the service through its team file (services deploy refuses otherwise).
    const seed = path.join(tempDir("seed"), "services-root");
    execFileSync("git", ["clone", "-q", repo.url, seed], { stdio: "ignore" });
    fs.mkdirSync(path.join(seed, "teams"));
    const team = { team: "weather", ssoGroups: ["holodeck-team-weather"], domains: ["services"], services: [{ name: SERVICE, domain: "services" }] };
    fs.writeFileSync(path.join(seed, "teams", "weather.json"), `${JSON.stringify(team, null, 2)}\n`);
    for (const args of [
      ["add", "."],
      ["-c", "user.name=p", "-c", "user.email=p@example.dev", "commit", "-q", "-m", "team weather"],
      ["push", "-q", "origin", "HEAD:main"],
    ]) {
      execFileSync("git", args, { cwd: seed, stdio: "ignore" });
    }
    bin = await holodeckOnPath();
    for (const version of [first, second]) {
      for (const target of ["staging", "production"]) {
        const result = run(target, { CI_COMMIT_SHA: version });
        expect(result.code, result.stderr).toBe(0);
      }
    }
    expect(staging()).toEqual(at(second));
  });

  it("rollback-staging sets staging back to its previous version; production is untouched", () => {
    const result = run("rollback-staging", { CI_COMMIT_SHA: second, CI_PIPELINE_URL: "https://gitlab.example.dev/svc/-/pipelines/9" });
    expect(result.code, result.stderr).toBe(0);
    expect(staging()).toEqual(at(first));
    expect(production()).toEqual(at(second));
    expect(execFileSync("git", ["--git-dir", repo.dir, "log", "-1", "--format=%B", "main"]).toString()).toContain(
      "pipeline: https://gitlab.example.dev/svc/-/pipelines/9",
    );
  });

  it("rollback-production sets production back to its previous version", () => {
    const result = run("rollback-production", { CI_COMMIT_SHA: second });
    expect(result.code, result.stderr).toBe(0);
    expect(production()).toEqual(at(first));
  });

  it("redeploy-<env> deploys the chosen version REDEPLOY_SHA", () => {
    expect(run("redeploy-staging", { CI_COMMIT_SHA: first, REDEPLOY_SHA: second }).code).toBe(0);
    expect(staging()).toEqual(at(second));
    expect(run("redeploy-production", { CI_COMMIT_SHA: first, REDEPLOY_SHA: second }).code).toBe(0);
    expect(production()).toEqual(at(second));
  });

  it("redeploy without REDEPLOY_SHA refuses, naming the variable", () => {
    const result = run("redeploy-staging", { CI_COMMIT_SHA: first });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("REDEPLOY_SHA is not set");
    expect(staging()).toEqual(at(second));
  });
});
