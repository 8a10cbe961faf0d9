// The root infra pipeline as a contract: tests on every change, the per-stack jobs generated
// from the stack files and started as a child pipeline that mirrors its status, the parent's
// context passed down, short-lived AWS credentials only. (The child's jobs: stack-pipeline.test.ts.)
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPipeline, loadStacks, needsOf, parsePipeline, scriptOf, type Job, type Yaml } from "./gitlab-ci";
import { renderStackPipeline } from "../../cli/ci/stack-pipeline";

const root = join(__dirname, "..", "..");
const pipeline = loadPipeline(join(root, ".gitlab-ci.yml"));
const MR_RULE = '$CI_PIPELINE_SOURCE == "merge_request_event"';
const DEFAULT_BRANCH_RULE = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH";
const SCHEDULE_RULE = '$CI_PIPELINE_SOURCE == "schedule"';
const CHILD_FILE = "stack-pipeline.yml";

const job = (key: string): Job => {
  const found = pipeline.jobs.filter((candidate) => candidate.key === key);
  expect(
    found.map((candidate) => candidate.name),
    `root job ${key}`,
  ).toHaveLength(1);
  return found[0];
};
const rulesOf = (candidate: Job) => [candidate.spec["rules"] ?? []].flat() as Yaml[];

describe(".gitlab-ci.yml", () => {
  it("runs pipelines only for merge requests, the default branch and schedules (drift checks)", () => {
    expect((pipeline.raw["workflow"] as Yaml)["rules"]).toEqual([{ if: MR_RULE }, { if: DEFAULT_BRANCH_RULE }, { if: SCHEDULE_RULE }]);
  });

  it("has only the test, generate and trigger jobs of its own (no per-stack job to edit for a new region)", () => {
    const own = pipeline.jobs.filter((candidate) => candidate.key !== "holodeck-cli-image").map((candidate) => candidate.key);
    expect(own.sort()).toEqual(["generate", "stacks", "test"]);
    expect(pipeline.raw["stages"]).toEqual(["test", "stacks"]);
    const text = JSON.stringify(pipeline.raw);
    for (const { stack } of loadStacks(join(root, "stacks"))) expect(text).not.toContain(stack);
  });

  it("tests every change with npm ci and npm test", () => {
    expect(scriptOf(job("test"))).toEqual(["npm ci", "npm test"]);
    expect(rulesOf(job("test"))).toEqual([]);
  });

  it("generates the per-stack child pipeline from the stack files as an artifact, in every pipeline", () => {
    const generate = job("generate");
    expect(generate.spec["stage"]).toBe("test");
    expect(needsOf(generate)).toEqual([]);
    expect(rulesOf(generate)).toEqual([]);
    expect(scriptOf(generate)).toEqual(["npm ci", `npx tsx cli/ci/stack-pipeline.ts --out ${CHILD_FILE}`, `cat ${CHILD_FILE}`]);
    expect(generate.spec["artifacts"]).toMatchObject({ paths: [CHILD_FILE] });
    expect(generate.spec["id_tokens"]).toBeUndefined();
  });

  it("starts the generated file as a child pipeline after the tests, mirroring its status", () => {
    const stacks = job("stacks");
    expect(stacks.spec["trigger"]).toEqual({ include: [{ artifact: CHILD_FILE, job: "generate" }], strategy: "depend" });
    expect(needsOf(stacks).sort()).toEqual(["generate", "test"]);
    expect(stacks.spec["stage"]).toBe("stacks");
    const stages = pipeline.raw["stages"] as string[];
    expect(stages.indexOf("stacks")).toBeGreaterThan(stages.indexOf(String(job("generate").spec["stage"])));
    expect(rulesOf(stacks)).toEqual([]);
    expect(stacks.spec["script"]).toBeUndefined();
  });

  it("passes exactly the parent's source and branch down, and no global variable", () => {
    const stacks = job("stacks");
    expect(stacks.spec["inherit"]).toEqual({ variables: false });
    expect(stacks.spec["variables"]).toEqual({
      PARENT_PIPELINE_SOURCE: "$CI_PIPELINE_SOURCE",
      PARENT_COMMIT_BRANCH: "$CI_COMMIT_BRANCH",
    });
    // Every PARENT_* variable the child's rules read is one the trigger passes.
    const child = parsePipeline(renderStackPipeline(join(root, "stacks"), join(root, ".gitlab-ci.yml")));
    const ruleText = child.jobs.flatMap((candidate) => rulesOf(candidate).map((rule) => String(rule["if"]))).join("\n");
    const read = [...new Set(ruleText.match(/\$PARENT_\w+/g) ?? [])].map((name) => name.slice(1)).sort();
    expect(read).toEqual(["PARENT_COMMIT_BRANCH", "PARENT_PIPELINE_SOURCE"]);
  });

  it("includes the holodeck CLI image job: default branch only (not its schedules), when cli/ changes, in the test stage", () => {
    expect(pipeline.includes).toEqual(["cli/holodeck-cli.gitlab-ci.yml"]);
    const image = job("holodeck-cli-image");
    expect(image.spec["stage"]).toBe("test");
    const rules = rulesOf(image);
    // Scheduled pipelines have no push, so GitLab counts every `changes` entry as changed there.
    expect(rules.map((rule) => rule["if"])).toEqual([`${DEFAULT_BRANCH_RULE} && $CI_PIPELINE_SOURCE != "schedule"`]);
    expect(rules[0]["changes"]).toContain("cli/**/*");
    expect(scriptOf(image).filter((line) => line.startsWith("docker build -f cli/Dockerfile "))).toHaveLength(1);
    expect(image.spec["id_tokens"]).toBeUndefined();
  });

  it("declares no credential of any kind", () => {
    const declared = [pipeline.globalVariables, ...pipeline.jobs.map((candidate) => candidate.variables)].flatMap(Object.keys);
    for (const forbidden of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]) {
      expect(declared).not.toContain(forbidden);
    }
    for (const candidate of pipeline.jobs) expect(scriptOf(candidate).join("\n"), candidate.name).not.toMatch(/aws configure|AWS_SECRET_ACCESS_KEY=/);
  });
});
