// The infra pipeline as a contract: every stack previewed on MRs with the policy pack,
// applied by hand on the default branch (staging first, production one region at a
// time), one lock per stack, short-lived AWS credentials only.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expand, loadPipeline, loadStacks, needsOf, scriptOf, type Job, type Yaml } from "./gitlab-ci";

const root = join(__dirname, "..", "..");
const pipeline = loadPipeline(join(root, ".gitlab-ci.yml"));
const stacks = loadStacks(join(root, "stacks"));
const MR_RULE = '$CI_PIPELINE_SOURCE == "merge_request_event"';
const DEFAULT_BRANCH_RULE = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH";

const runsPulumi = (job: Job, command: "preview" | "up") => scriptOf(job).some((line) => line.startsWith(`pulumi ${command} `));
const previews = pipeline.jobs.filter((job) => runsPulumi(job, "preview"));
const ups = pipeline.jobs.filter((job) => runsPulumi(job, "up"));
const jobFor = (jobs: Job[], stack: string) => {
  const found = jobs.filter((job) => job.variables["STACK"] === stack);
  expect(found.map((job) => job.name), `jobs for ${stack}`).toHaveLength(1);
  return found[0]!;
};
const rulesOf = (job: Job) => [job.spec["rules"] ?? []].flat() as Yaml[];
const resourceGroup = (job: Job) => expand(String(job.spec["resource_group"] ?? ""), job.variables);
const environmentOf = (stack: string) => stacks.find((s) => s.stack === stack)?.environment;

describe(".gitlab-ci.yml", () => {
  it("finds the stack files (staging and production) it checks the jobs against", () => {
    expect(stacks.map((s) => s.stack)).toContain("staging-eu-west-1");
    expect(new Set(stacks.map((s) => s.environment))).toEqual(new Set(["staging", "production"]));
    for (const s of stacks) expect(s.stack, "stack name = <environment>-<region>").toBe(`${s.environment}-${s.region}`);
  });

  it("runs pipelines only for merge requests and the default branch", () => {
    expect((pipeline.raw["workflow"] as Yaml)["rules"]).toEqual([{ if: MR_RULE }, { if: DEFAULT_BRANCH_RULE }]);
  });

  it("tests every change with npm ci and npm test before any preview or up", () => {
    const test = pipeline.jobs.find((job) => job.key === "test");
    expect(scriptOf(test!)).toEqual(["npm ci", "npm test"]);
    for (const job of [...previews, ...ups.filter((up) => environmentOf(up.variables["STACK"]!) === "staging")]) {
      expect(needsOf(job), job.name).toEqual(["test"]);
    }
  });

  describe.each(stacks)("stack $stack", ({ stack, region, secretsProvider }) => {
    it("is previewed on merge requests with --diff and the policy pack, output kept as an artifact", () => {
      const job = jobFor(previews, stack);
      expect(job.key).toBe("preview");
      expect(pipeline.raw["preview"]).toHaveProperty("parallel.matrix");
      expect(rulesOf(job)).toEqual([{ if: MR_RULE }]);
      const command = scriptOf(job).find((line) => line.startsWith("pulumi preview "))!;
      expect(command).toContain('--stack "$STACK"');
      expect(command).toContain("--diff");
      expect(command).toContain("--policy-pack policy");
      expect(command).toMatch(/\| tee preview\.txt$/);
      expect(job.spec["artifacts"]).toMatchObject({ paths: ["preview.txt"], when: "always", expose_as: "pulumi preview" });
    });

    it("is applied only by hand on the default branch, blocking what comes after it", () => {
      const job = jobFor(ups, stack);
      expect(rulesOf(job)).toEqual([{ if: DEFAULT_BRANCH_RULE, when: "manual" }]);
      expect(job.spec["allow_failure"]).toBe(false);
      expect(scriptOf(job).find((line) => line.startsWith("pulumi up "))).toContain("--policy-pack policy");
      expect(job.spec["environment"]).toMatchObject({ name: stack });
    });

    it("uses the stack file's region and KMS secrets provider, from CI variables", () => {
      for (const job of [jobFor(previews, stack), jobFor(ups, stack)]) {
        expect(job.variables["AWS_REGION"], job.name).toBe(region);
        const select = scriptOf(job, "before_script").find((line) => line.startsWith("pulumi stack select"))!;
        const provider = /--secrets-provider "([^"]+)"/.exec(select)?.[1] ?? "";
        expect(expand(provider, job.variables), job.name).toBe(secretsProvider);
      }
    });

    it("has one resource group shared by its preview and its up, and by no other stack", () => {
      const group = resourceGroup(jobFor(previews, stack));
      expect(group).toBe(`holodeck-${stack}`);
      expect(resourceGroup(jobFor(ups, stack))).toBe(group);
      const others = [...previews, ...ups].filter((job) => job.variables["STACK"] !== stack);
      expect(others.map(resourceGroup)).not.toContain(group);
    });
  });

  it("orders ups: staging first, then production regions one at a time in a single chain", () => {
    const upByKey = new Map(ups.map((job) => [job.key, job]));
    const upNeeds = (job: Job) => needsOf(job).filter((need) => upByKey.has(need));
    const isProduction = (job: Job) => environmentOf(job.variables["STACK"]!) === "production";
    const production = ups.filter(isProduction);
    for (const job of ups.filter((up) => !isProduction(up))) expect(upNeeds(job), job.name).toEqual([]);
    for (const job of production) expect(upNeeds(job), job.name).toHaveLength(1);
    // Walk the chain from its head: every production up appears exactly once, so no two
    // production regions can run at the same time within a pipeline.
    const heads = production.filter((job) => !isProduction(upByKey.get(upNeeds(job)[0]!)!));
    expect(heads.map((job) => job.name)).toHaveLength(1);
    const chain = [heads[0]!];
    const successorsOf = (job: Job) => production.filter((candidate) => upNeeds(candidate)[0] === job.key);
    for (let next = successorsOf(chain[0]!); next.length > 0; next = successorsOf(chain.at(-1)!)) {
      expect(next.map((job) => job.name), `successors of ${chain.at(-1)!.name}`).toHaveLength(1);
      chain.push(next[0]!);
    }
    expect(chain.map((job) => job.key).sort()).toEqual(production.map((job) => job.key).sort());
    expect(String(heads[0]!.spec["stage"])).not.toBe(String(upByKey.get(upNeeds(heads[0]!)[0]!)!.spec["stage"]));
    const stages = pipeline.raw["stages"] as string[];
    expect(stages.indexOf("deploy-staging")).toBeLessThan(stages.indexOf("deploy-production"));
  });

  it("includes the holodeck CLI image job: default branch only, when cli/ changes, in the test stage", () => {
    expect(pipeline.includes).toEqual(["cli/holodeck-cli.gitlab-ci.yml"]);
    const image = pipeline.jobs.filter((job) => job.key === "holodeck-cli-image");
    expect(image).toHaveLength(1);
    const job = image[0]!;
    expect(job.spec["stage"]).toBe("test");
    expect(pipeline.raw["stages"] as string[]).toContain("test");
    const rules = rulesOf(job);
    expect(rules.map((rule) => rule["if"])).toEqual([DEFAULT_BRANCH_RULE]);
    expect(rules[0]!["changes"]).toContain("cli/**/*");
    expect(scriptOf(job).filter((line) => line.startsWith("docker build -f cli/Dockerfile "))).toHaveLength(1);
    expect(job.spec["id_tokens"]).toBeUndefined();
  });

  it("gets AWS credentials only through OIDC web identity, never from stored keys", () => {
    for (const job of [...previews, ...ups]) {
      expect(job.spec["id_tokens"], job.name).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
      const setup = scriptOf(job, "before_script").join("\n");
      expect(setup, job.name).toContain("aws sts assume-role-with-web-identity");
      expect(setup, job.name).toContain('--web-identity-token "$AWS_ID_TOKEN"');
      expect(setup, job.name).toMatch(/pulumi login "s3:\/\/\$\{PULUMI_STATE_BUCKET\}\?region=/);
      expect(job.variables["AWS_ROLE_ARN"], job.name).toBe(job.key === "preview" ? "$AWS_PREVIEW_ROLE_ARN" : "$AWS_DEPLOY_ROLE_ARN");
    }
    const declared = [pipeline.globalVariables, ...pipeline.jobs.map((job) => job.variables)].flatMap(Object.keys);
    for (const forbidden of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]) {
      expect(declared).not.toContain(forbidden);
    }
  });
});
