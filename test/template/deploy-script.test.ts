// The generated service's deploy script for real: ci/deploy.sh against a local bare
// services-root repository with this repository's `holodeck` CLI on PATH (as the CLI image has
// it), checked by `holodeck services validate`.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { copierCopy, tempDir } from "../harness/copier";
import { cli, expectedFile, fileAtTip, LAUNCHER, seededRepo, sha, type SeededRepo } from "../cli/helpers";
import { ID_TOKEN_ENV } from "../../cli/services/id-token";
import { GitLabIdTokens } from "../harness/gitlab-id-tokens";
import { FULL } from "./combos";
import { holodeckOnPath, runDeployScript, type ScriptRun as Run } from "./deploy-script";

const SERVICE = String(FULL.answers.service_name);

let project: string;
beforeAll(() => {
  project = copierCopy(FULL.answers);
});

/** A directory with a `holodeck` that runs this repository's CLI (as the CLI image does). */
const deploy = (target: string, env: NodeJS.ProcessEnv, bin: string): Run => runDeployScript(project, target, env, bin);

function validate(bareDir: string): Run {
  const checkout = path.join(tempDir("services-root"), "checkout");
  execFileSync("git", ["clone", "-q", bareDir, checkout]);
  const run = spawnSync(process.execPath, [LAUNCHER, "services", "validate", checkout], { encoding: "utf8" });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

describe("ci/deploy.sh against a local services-root", () => {
  const first = sha("pipeline-1");
  const second = sha("pipeline-2");
  const pipelineUrl = "https://gitlab.example.dev/weather/svc-7/-/pipelines/42";
  let repo: SeededRepo;
  let bin: string;
  beforeAll(async () => {
    // services-root as the platform hands it over: a team file lists the service before it deploys.
    repo = seededRepo([SERVICE]);
    bin = await holodeckOnPath();
  });

  it("deploy-staging writes the staging entry, which holodeck services validate accepts", () => {
    const run = deploy("staging", { SERVICES_ROOT_URL: repo.url, CI_COMMIT_SHA: first, CI_PIPELINE_URL: pipelineUrl }, bin);
    expect(run.code, run.stderr).toBe(0);
    expect(fileAtTip(repo.dir, `staging/${SERVICE}.json`)).toBe(expectedFile("staging", SERVICE, first));
    const message = execFileSync("git", ["--git-dir", repo.dir, "log", "-1", "--format=%B%n%an", "main"]).toString();
    expect(message).toContain(SERVICE);
    expect(message).toContain(`pipeline: ${pipelineUrl}`);
    expect(message).toContain("Ada Dev");
    const validation = validate(repo.dir);
    expect(validation.code, validation.stdout + validation.stderr).toBe(0);
  });

  it("deploy-production promotes exactly the version staging runs", () => {
    const promoteUrl = "https://gitlab.example.dev/weather/svc-7/-/pipelines/43";
    const run = deploy("production", { SERVICES_ROOT_URL: repo.url, CI_COMMIT_SHA: first, CI_PIPELINE_URL: promoteUrl }, bin);
    expect(run.code, run.stderr).toBe(0);
    expect(fileAtTip(repo.dir, `production/${SERVICE}.json`)).toBe(expectedFile("production", SERVICE, first));
    expect(execFileSync("git", ["--git-dir", repo.dir, "log", "-1", "--format=%B", "main"]).toString()).toContain(`pipeline: ${promoteUrl}`);
    expect(validate(repo.dir).code).toBe(0);
  });

  it("an older pipeline cannot promote once a newer commit reached staging", () => {
    expect(deploy("staging", { SERVICES_ROOT_URL: repo.url, CI_COMMIT_SHA: second }, bin).code).toBe(0);
    const stale = deploy("production", { SERVICES_ROOT_URL: repo.url, CI_COMMIT_SHA: first }, bin);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`not the expected ${first}`);
    expect(fileAtTip(repo.dir, `production/${SERVICE}.json`)).toBe(expectedFile("production", SERVICE, first));
    expect(deploy("production", { SERVICES_ROOT_URL: repo.url, CI_COMMIT_SHA: second }, bin).code).toBe(0);
    expect(fileAtTip(repo.dir, `production/${SERVICE}.json`)).toBe(expectedFile("production", SERVICE, second));
  });

  it("carries the job's ID token into the commit, and services-root's publish gate publishes that entry", async () => {
    const tokens = new GitLabIdTokens();
    const token = tokens.forService(SERVICE);
    const third = sha("pipeline-3");
    // The platform admins' first publish of the reviewed main (services-root README, set-up).
    execFileSync("git", ["--git-dir", repo.dir, "update-ref", "refs/heads/published", "main"]);
    expect(deploy("staging", { SERVICES_ROOT_URL: repo.url, CI_COMMIT_SHA: third, [ID_TOKEN_ENV]: token }, bin).code).toBe(0);
    const message = execFileSync("git", ["--git-dir", repo.dir, "log", "-1", "--format=%B", "main"]).toString();
    expect(message.trimEnd().split("\n").slice(-2)).toEqual(["", `Holodeck-Id-Token: ${token}`]);
    const gate = await cli(...tokens.gateArgs(repo.url, "--json"));
    const report = JSON.parse(gate.stdout) as { accepted: { path: string }[]; refused: { path: string }[] };
    expect(report.accepted.map((a) => a.path)).toEqual([`staging/${SERVICE}.json`]);
    expect(report.refused).toEqual([]);
    expect(execFileSync("git", ["--git-dir", repo.dir, "show", `published:staging/${SERVICE}.json`]).toString()).toBe(expectedFile("staging", SERVICE, third));
  });

  it("refuses to run without its inputs, naming what is missing", () => {
    const noRepo = deploy("staging", { CI_COMMIT_SHA: first }, bin);
    expect(noRepo.code).not.toBe(0);
    expect(noRepo.stderr).toContain("SERVICES_ROOT_URL is not set");
    const badTarget = deploy("qa", { SERVICES_ROOT_URL: repo.url, CI_COMMIT_SHA: first }, bin);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toContain(
      "usage: ci/deploy.sh staging|production|rollback-staging|rollback-production|redeploy-staging|redeploy-production (got 'qa')",
    );
  });

  it("hands the deploy token to git through a credential helper, never on a command line", () => {
    const spy = tempDir("holodeck-spy");
    const record = path.join(spy, "record");
    // Stands in for the CLI: records its arguments and what git's credential machinery answers.
    fs.writeFileSync(
      path.join(spy, "holodeck"),
      ["#!/bin/sh", `echo "argv: $*" > "${record}"`, `printf 'protocol=https\\nhost=gitlab.example.dev\\n\\n' | git credential fill >> "${record}"`].join(
        "\n",
      ) + "\n",
      { mode: 0o755 },
    );
    const token = "glpat-Secret123";
    const run = deploy(
      "staging",
      {
        SERVICES_ROOT_URL: "https://gitlab.example.dev/platform/services-root.git",
        CI_COMMIT_SHA: first,
        SERVICES_ROOT_DEPLOY_USER: "services-root-deployer",
        SERVICES_ROOT_DEPLOY_TOKEN: token,
        GIT_TERMINAL_PROMPT: "0",
        CI_PIPELINE_URL: pipelineUrl,
      },
      spy,
    );
    expect(run.code, run.stderr).toBe(0);
    const recorded = fs.readFileSync(record, "utf8");
    expect(recorded).toContain("username=services-root-deployer\npassword=glpat-Secret123\n");
    expect(recorded.split("\n")[0]).toBe(
      `argv: services deploy --repo https://gitlab.example.dev/platform/services-root.git --env staging --service ${SERVICE} --image-tag ${first} --revision ${first} --pipeline-url ${pipelineUrl}`,
    );
    expect(run.stdout + run.stderr).not.toContain(token);
  });
});
