// The root pipeline and the generated child pipeline under GitLab's own schema and rules
// semantics (gitlab-ci-local): the jobs GitLab would create for a merge request, a schedule and the
// default branch are exactly the ones gitlab-ci.test.ts and stack-pipeline.test.ts reason
// about with their own reader. gitlab-ci-local validates the trigger job but does not start
// child pipelines, so the child file is run on its own with the variables the trigger passes
// (PARENT_*) and CI_PIPELINE_SOURCE=parent_pipeline, as GitLab sets it in a child.
// (gitlab-ci-local does not apply `workflow:rules`; gitlab-ci.test.ts checks those.)
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPipeline, loadStacks, needsOf, scriptOf, type Pipeline } from "./gitlab-ci";

const root = join(__dirname, "..", "..");
const GITLAB_CI_LOCAL = join(root, "node_modules", ".bin", "gitlab-ci-local");
const TSX = join(root, "node_modules", ".bin", "tsx");
const MR = ["--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--unset-variable", "CI_COMMIT_BRANCH"];
const DEFAULT_BRANCH = ["--variable", "CI_COMMIT_BRANCH=main", "--variable", "CI_DEFAULT_BRANCH=main"];
const SCHEDULE = [...DEFAULT_BRANCH, "--variable", "CI_PIPELINE_SOURCE=schedule"];
const CHILD = ["--variable", "CI_PIPELINE_SOURCE=parent_pipeline", "--unset-variable", "CI_COMMIT_BRANCH", "--variable", "CI_DEFAULT_BRANCH=main"];
// An MR pipeline has no CI_COMMIT_BRANCH: the trigger passes it empty or unexpanded.
const childOfMr = (branch: string) => [...CHILD, "--variable", "PARENT_PIPELINE_SOURCE=merge_request_event", "--variable", `PARENT_COMMIT_BRANCH=${branch}`];
const childOf = (source: string) => [...CHILD, "--variable", `PARENT_PIPELINE_SOURCE=${source}`, "--variable", "PARENT_COMMIT_BRANCH=main"];
const CHILD_OF_DEFAULT_BRANCH = childOf("push");
const pipeline = loadPipeline(join(root, ".gitlab-ci.yml"));
const stacks = loadStacks(join(root, "stacks"));
let scratch: string;
let rootCheckout: string;
let childCheckout: string;
let child: Pipeline;

function gitlabCiLocal(checkout: string, args: string[]): { code: number; out: string } {
  const home = mkdtempSync(join(scratch, "home-"));
  const run = spawnSync(GITLAB_CI_LOCAL, ["--color=false", "--json-schema-validation", ...args], {
    cwd: checkout,
    encoding: "utf8",
    env: { ...process.env, HOME: home, GCL_IGNORE_PREDEFINED_VARS: "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_DEFAULT_BRANCH" },
  });
  return { code: run.status ?? -1, out: `${run.stdout}\n${run.stderr}` };
}

/** `name;stage;when;allowFailure;environment;needs` per job GitLab would create. */
function jobsFor(checkout: string, context: string[]): string[] {
  const run = gitlabCiLocal(checkout, ["--list-csv", ...context]);
  expect(run.code, run.out).toBe(0);
  const lines = run.out.split("\n");
  const header = lines.indexOf("name;stage;when;allowFailure;environment;needs");
  expect(header, run.out).toBeGreaterThanOrEqual(0);
  return lines
    .slice(header + 1)
    .filter((line) => line.includes(";"))
    .sort();
}

/** The same rows from our own reader of the YAML. */
function expectedRows(from: Pipeline, keys: string[], when: (key: string) => string): string[] {
  return from.jobs
    .filter((job) => keys.includes(job.key))
    .map((job) => {
      const environment = (job.spec["environment"] as { name?: string } | undefined)?.name ?? "";
      const needs = job.spec["needs"] === undefined ? "" : `[${needsOf(job).join(",")}]`;
      return `${job.name};${String(job.spec["stage"])};${when(job.key)};false;${environment};${needs}`;
    })
    .sort();
}

function git(checkout: string, ...args: string[]): void {
  execFileSync("git", args, { cwd: checkout });
}

/** A git checkout holding `files`; `rules:changes` diffs the work tree against origin/main. */
function checkoutOf(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  for (const [target, source] of Object.entries(files)) {
    mkdirSync(join(dir, target, ".."), { recursive: true });
    cpSync(source, join(dir, target));
  }
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", "-A");
  git(dir, "-c", "user.name=t", "-c", "user.email=t@example.dev", "commit", "-q", "-m", "init");
  git(dir, "update-ref", "refs/remotes/origin/main", "HEAD");
  return dir;
}

/** Runs the generator the way the `generate` job does (its script line), writing into `out`. */
function runGenerator(out: string, extra: string[] = []): { code: number; stderr: string } {
  const line = scriptOf(pipeline.jobs.find((job) => job.key === "generate")!).find((command) => command.startsWith("npx tsx "))!;
  const args = line
    .replace(/^npx tsx /, "")
    .split(" ")
    .map((arg) => (arg === "stack-pipeline.yml" ? out : arg));
  const run = spawnSync(TSX, [...args, ...extra], { cwd: root, encoding: "utf8" });
  return { code: run.status ?? -1, stderr: run.stderr };
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "gcl-"));
  rootCheckout = checkoutOf("root", Object.fromEntries([".gitlab-ci.yml", ...pipeline.includes].map((file) => [file, join(root, file)])));
  const generated = join(scratch, "stack-pipeline.yml");
  const run = runGenerator(generated);
  expect(run.code, run.stderr).toBe(0);
  childCheckout = checkoutOf("child", { ".gitlab-ci.yml": generated });
  child = loadPipeline(join(childCheckout, ".gitlab-ci.yml"));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe(".gitlab-ci.yml under GitLab semantics", () => {
  const rootRows = () => expectedRows(pipeline, ["test", "generate", "stacks"], () => "on_success");

  it("creates the tests, the generator and the child pipeline trigger for a merge request", () => {
    expect(jobsFor(rootCheckout, MR)).toEqual(rootRows());
  });

  it("creates the same three jobs on the default branch", () => {
    expect(jobsFor(rootCheckout, DEFAULT_BRANCH)).toEqual(rootRows());
  });

  it("creates the same three jobs in a scheduled pipeline (the drift checks run in its child)", () => {
    expect(jobsFor(rootCheckout, SCHEDULE)).toEqual(rootRows());
  });

  it("builds the included holodeck CLI image on the default branch only when cli/ changed", () => {
    const imageRow = "holodeck-cli-image;test;on_success;false;;";
    const cliFile = pipeline.includes[0];
    appendFileSync(join(rootCheckout, cliFile), "# changed\n");
    try {
      expect(jobsFor(rootCheckout, DEFAULT_BRANCH)).toEqual([imageRow, ...rootRows()].sort());
      expect(jobsFor(rootCheckout, MR)).not.toContain(imageRow);
      // A schedule has no push: GitLab would count cli/ as changed and rebuild the image nightly.
      expect(jobsFor(rootCheckout, SCHEDULE)).toEqual(rootRows());
    } finally {
      git(rootCheckout, "checkout", "-q", "--", cliFile);
    }
  });
});

describe("generated child pipeline under GitLab semantics", () => {
  const previewKeys = () => child.jobs.filter((job) => job.key.startsWith("preview:")).map((job) => job.key);
  const upKeys = () => child.jobs.filter((job) => job.key.startsWith("up:")).map((job) => job.key);
  const driftKeys = () => child.jobs.filter((job) => job.key.startsWith("drift:")).map((job) => job.key);

  it("is what the generate job's command writes for the shipped stacks", () => {
    expect(child.jobs.map((job) => job.key).sort()).toEqual(stacks.flatMap((s) => [`preview:${s.stack}`, `drift:${s.stack}`, `up:${s.stack}`]).sort());
  });

  // Any source branch, protected or not: the trigger no longer passes the branch's protection.
  it.each(["", "$CI_COMMIT_BRANCH", "feature/unprotected"])(
    "creates one preview per stack and nothing else when the parent is a merge request pipeline (branch %j)",
    (branch) => {
      const rows = jobsFor(childCheckout, childOfMr(branch));
      expect(rows).toEqual(expectedRows(child, previewKeys(), () => "on_success"));
      expect(rows).toHaveLength(stacks.length);
    },
  );

  it("creates one drift check per stack and nothing else in a scheduled pipeline of the default branch: no up, no preview", () => {
    const rows = jobsFor(childCheckout, childOf("schedule"));
    expect(rows).toEqual(expectedRows(child, driftKeys(), () => "on_success"));
    expect(rows.map((row) => row.split(";")[0]).sort()).toEqual(stacks.map((s) => `drift:${s.stack}`).sort());
    expect(rows.map((row) => row.split(";")[1])).toEqual(stacks.map(() => "drift"));
  });

  it("creates one manual, blocking up per stack, chained, and no preview on the default branch", () => {
    const rows = jobsFor(childCheckout, CHILD_OF_DEFAULT_BRANCH);
    expect(rows).toEqual(expectedRows(child, upKeys(), () => "manual"));
    expect(rows).toHaveLength(stacks.length);
  });

  it("creates the manual ups for a pipeline run by hand on the default branch, and no drift check", () => {
    expect(jobsFor(childCheckout, childOf("web"))).toEqual(expectedRows(child, upKeys(), () => "manual"));
  });

  it("creates no job for a parent that is neither (e.g. another branch)", () => {
    expect(jobsFor(childCheckout, [...CHILD, "--variable", "PARENT_PIPELINE_SOURCE=push", "--variable", "PARENT_COMMIT_BRANCH=feature"])).toEqual([]);
  });

  it("fails the generate job with one error naming the stack file and key when a stack file is wrong", () => {
    const bad = join(scratch, "bad-stacks");
    mkdirSync(bad);
    for (const s of stacks) copyFileSync(join(root, "stacks", `Pulumi.${s.stack}.yaml`), join(bad, `Pulumi.${s.stack}.yaml`));
    const file = join(bad, "Pulumi.production-us-east-1.yaml");
    writeFileSync(file, readFileSync(join(bad, "Pulumi.production-eu-central-1.yaml"), "utf8"));
    const out = join(scratch, "bad.yml");
    const run = runGenerator(out, ["--stacks", bad]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([
      `stack-pipeline: ${file}: aws:region = "eu-central-1" (allowed: an AWS region equal to the stack name suffix "us-east-1")`,
    ]);
    expect(() => readFileSync(out)).toThrow();
  });
});
