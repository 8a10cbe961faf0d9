// .gitlab-ci.yml under GitLab's own schema and rules semantics (gitlab-ci-local): the jobs
// GitLab would create for a merge request and for the default branch are exactly the ones
// test/pipeline/gitlab-ci.test.ts reasons about with its own reader. (gitlab-ci-local does
// not apply `workflow:rules`; gitlab-ci.test.ts checks those.)
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPipeline, loadStacks, needsOf } from "./gitlab-ci";

const root = join(__dirname, "..", "..");
const GITLAB_CI_LOCAL = join(root, "node_modules", ".bin", "gitlab-ci-local");
const MR = ["--variable", "CI_PIPELINE_SOURCE=merge_request_event", "--unset-variable", "CI_COMMIT_BRANCH"];
const DEFAULT_BRANCH = ["--variable", "CI_COMMIT_BRANCH=main", "--variable", "CI_DEFAULT_BRANCH=main"];
const pipeline = loadPipeline(join(root, ".gitlab-ci.yml"));
const stacks = loadStacks(join(root, "stacks"));
let scratch: string;
let checkout: string;

function gitlabCiLocal(args: string[]): { code: number; out: string } {
  const home = mkdtempSync(join(scratch, "home-"));
  const run = spawnSync(GITLAB_CI_LOCAL, ["--color=false", "--json-schema-validation", ...args], {
    cwd: checkout,
    encoding: "utf8",
    env: { ...process.env, HOME: home, GCL_IGNORE_PREDEFINED_VARS: "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_DEFAULT_BRANCH" },
  });
  return { code: run.status ?? -1, out: `${run.stdout}\n${run.stderr}` };
}

/** `name;stage;when;allowFailure;environment;needs` per job GitLab would create. */
function jobsFor(context: string[]): string[] {
  const run = gitlabCiLocal(["--list-csv", ...context]);
  expect(run.code, run.out).toBe(0);
  const lines = run.out.split("\n");
  const header = lines.indexOf("name;stage;when;allowFailure;environment;needs");
  return lines.slice(header + 1).filter((line) => line.includes(";")).sort();
}

/** The same rows from our own reader of the YAML. */
function expectedRows(keys: string[], when: (key: string) => string): string[] {
  return pipeline.jobs
    .filter((job) => keys.includes(job.key))
    .map((job) => {
      const environment = (job.spec["environment"] as { name?: string } | undefined)?.name ?? "";
      const needs = needsOf(job);
      const name = job.name.replace(/, /g, ",");
      return `${name};${String(job.spec["stage"])};${when(job.key)};false;${environment};${needs.length ? `[${needs.join(",")}]` : ""}`;
    })
    .sort();
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "gcl-"));
  checkout = join(scratch, "holodeck");
  mkdirSync(checkout);
  for (const file of [".gitlab-ci.yml", ...pipeline.includes]) cpSync(join(root, file), join(checkout, file), { recursive: true });
  // Local includes must be tracked; `rules:changes` diffs the work tree against origin/main.
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@example.dev", "commit", "-q", "-m", "init");
  git("update-ref", "refs/remotes/origin/main", "HEAD");
});

function git(...args: string[]): void {
  execFileSync("git", args, { cwd: checkout });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe(".gitlab-ci.yml under GitLab semantics", () => {
  const upKeys = pipeline.jobs.filter((job) => job.key.startsWith("up:")).map((job) => job.key);

  it("creates the tests and one preview per stack for a merge request", () => {
    const rows = jobsFor(MR);
    expect(rows).toEqual(expectedRows(["test", "preview"], () => "on_success"));
    expect(rows.filter((row) => row.startsWith("preview: ["))).toHaveLength(stacks.length);
  });

  it("creates the tests and one manual, blocking up per stack on the default branch", () => {
    const rows = jobsFor(DEFAULT_BRANCH);
    expect(rows).toEqual(expectedRows(["test", ...upKeys], (key) => (key === "test" ? "on_success" : "manual")));
    expect(upKeys).toHaveLength(stacks.length);
  });

  it("builds the included holodeck CLI image on the default branch only when cli/ changed", () => {
    const imageRow = "holodeck-cli-image;test;on_success;false;;";
    const cliFile = pipeline.includes[0]!;
    appendFileSync(join(checkout, cliFile), "# changed\n");
    try {
      expect(jobsFor(DEFAULT_BRANCH)).toEqual([imageRow, ...expectedRows(["test", ...upKeys], (key) => (key === "test" ? "on_success" : "manual"))].sort());
      expect(jobsFor(MR)).not.toContain(imageRow);
    } finally {
      git("checkout", "-q", "--", cliFile);
    }
  });
});
