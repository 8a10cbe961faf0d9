// The generated per-stack child pipeline as a contract: every stack file is previewed on every
// merge request with the policy pack, checked for drift on schedules with the read-only drift role
// (never `up`), and applied by hand on the default branch (staging first,
// production one region at a time), one lock per stack, the stack file's region and secrets
// provider, short-lived AWS credentials only; a new stack file gets its jobs with no other change.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expand, loadPipeline, loadStacks, needsOf, parsePipeline, scriptOf, type Job, type Pipeline, type Yaml } from "./gitlab-ci";
import { renderStackPipeline } from "../../cli/ci/stack-pipeline";

const root = join(__dirname, "..", "..");
const ROOT_FILE = join(root, ".gitlab-ci.yml");
const stacks = loadStacks(join(root, "stacks"));
const generate = (stacksDir: string): Pipeline => parsePipeline(renderStackPipeline(stacksDir, ROOT_FILE));
const child = generate(join(root, "stacks"));
// In the child, CI_PIPELINE_SOURCE is always parent_pipeline: the rules read what the trigger passes.
// Previews for every merge request, whatever its source branch (the preview role changes nothing).
const MR_RULE = '$PARENT_PIPELINE_SOURCE == "merge_request_event"';
const SCHEDULE_RULE = '$PARENT_PIPELINE_SOURCE == "schedule"';
const DEFAULT_BRANCH_RULE = '$PARENT_PIPELINE_SOURCE != "schedule" && $PARENT_COMMIT_BRANCH == $CI_DEFAULT_BRANCH';

const pulumiCommand = (job: Job) => scriptOf(job).find((line) => /^pulumi (preview|up) /.test(line)) ?? "";
const isDrift = (job: Job) => pulumiCommand(job).includes(" --expect-no-changes");
const previewsOf = (p: Pipeline) => p.jobs.filter((job) => pulumiCommand(job).startsWith("pulumi preview ") && !isDrift(job));
const driftsOf = (p: Pipeline) => p.jobs.filter(isDrift);
const upsOf = (p: Pipeline) => p.jobs.filter((job) => pulumiCommand(job).startsWith("pulumi up "));
const [previews, drifts, ups] = [previewsOf(child), driftsOf(child), upsOf(child)];
const jobFor = (jobs: Job[], stack: string) => {
  const found = jobs.filter((job) => job.variables["STACK"] === stack);
  expect(
    found.map((job) => job.name),
    `jobs for ${stack}`,
  ).toHaveLength(1);
  return found[0];
};
const rulesOf = (job: Job) => [job.spec["rules"] ?? []].flat() as Yaml[];
const resourceGroup = (job: Job) => expand(typeof job.spec["resource_group"] === "string" ? job.spec["resource_group"] : "", job.variables);

/** Production ups in the order their `needs` chain them; staging ups must all precede the head. */
function productionChain(p: Pipeline): string[] {
  const all = upsOf(p);
  const isProduction = (job: Job) => String(job.variables["STACK"]).startsWith("production-");
  const production = all.filter(isProduction);
  const staging = all.filter((job) => !isProduction(job));
  for (const job of staging) expect(needsOf(job), job.name).toEqual([]);
  const heads = production.filter((job) => !production.some((other) => needsOf(job).includes(other.key)));
  expect(heads.map((job) => job.key)).toHaveLength(1);
  expect(needsOf(heads[0]).sort(), "production starts after every staging up").toEqual(staging.map((job) => job.key).sort());
  const chain = [heads[0]];
  for (
    let next = production.filter((job) => needsOf(job).includes(chain[0].key));
    next.length > 0;
    next = production.filter((job) => needsOf(job).includes(chain.at(-1)!.key))
  ) {
    expect(
      next.map((job) => job.name),
      `successors of ${chain.at(-1)!.name}`,
    ).toHaveLength(1);
    expect(needsOf(next[0]), next[0].name).toEqual([chain.at(-1)!.key]);
    chain.push(next[0]);
  }
  expect(chain.map((job) => job.key).sort(), "every production up is in the one chain").toEqual(production.map((job) => job.key).sort());
  return chain.map((job) => String(job.variables["STACK"]));
}

describe("generated stack pipeline (cli/ci/stack-pipeline.ts) for the shipped stacks", () => {
  it("finds the stack files (staging and production) it checks the jobs against", () => {
    expect(stacks.map((s) => s.stack)).toContain("staging-eu-west-1");
    expect(new Set(stacks.map((s) => s.environment))).toEqual(new Set(["staging", "production"]));
    expect(previews).toHaveLength(stacks.length);
    expect(drifts).toHaveLength(stacks.length);
    expect(ups).toHaveLength(stacks.length);
    expect(child.jobs).toHaveLength(3 * stacks.length);
  });

  it("runs with the root pipeline's image, cache and variables, in stages preview then staging then production", () => {
    const rootDoc = loadPipeline(ROOT_FILE).raw;
    expect(child.raw["default"]).toEqual(rootDoc["default"]);
    expect(child.raw["variables"]).toEqual(rootDoc["variables"]);
    expect(child.raw["stages"]).toEqual(["preview", "drift", "deploy-staging", "deploy-production"]);
  });

  describe.each(stacks)("stack $stack", ({ stack, environment, region, secretsProvider }) => {
    it("is previewed on every merge request with --diff and the policy pack, output kept as an artifact", () => {
      const job = jobFor(previews, stack);
      expect(job.key).toBe(`preview:${stack}`);
      expect(job.spec["stage"]).toBe("preview");
      expect(rulesOf(job)).toEqual([{ if: MR_RULE }]);
      expect(pulumiCommand(job)).toBe('pulumi preview --stack "$STACK" --diff --policy-pack policy --non-interactive 2>&1 | tee preview.txt');
      expect(job.spec["artifacts"]).toMatchObject({ paths: ["preview.txt"], when: "always" });
    });

    it("is checked for drift on schedules: refresh, fail on any difference with the diff kept, never up", () => {
      const job = jobFor(drifts, stack);
      expect(job.key).toBe(`drift:${stack}`);
      expect(job.spec["stage"]).toBe("drift");
      expect(rulesOf(job)).toEqual([{ if: SCHEDULE_RULE }]);
      expect(pulumiCommand(job)).toBe('pulumi preview --stack "$STACK" --refresh --expect-no-changes --diff --non-interactive 2>&1 | tee drift.txt');
      // pipefail (set in before_script, same shell) makes the job fail with preview's exit code, not tee's.
      expect(scriptOf(job, "before_script")[0]).toBe("set -euo pipefail");
      expect(job.spec["artifacts"]).toMatchObject({ paths: ["drift.txt"], when: "always" });
      expect(scriptOf(job).join("\n")).not.toMatch(/pulumi (up|refresh|destroy|import|state)\b/);
    });

    it("runs previews with the preview role and drift checks with the drift role, both read-only on an existing stack; ups with the deploy role", () => {
      expect(jobFor(previews, stack).variables["AWS_ROLE_ARN"]).toBe("$AWS_PREVIEW_ROLE_ARN");
      expect(jobFor(drifts, stack).variables["AWS_ROLE_ARN"]).toBe("$AWS_DRIFT_ROLE_ARN");
      for (const job of [jobFor(previews, stack), jobFor(drifts, stack)]) {
        expect(scriptOf(job)[0], job.name).toMatch(/^pulumi stack select "\$STACK" \|\| \{ echo .*; exit 1; \}$/);
        expect(scriptOf(job).join("\n"), job.name).not.toContain("--create");
      }
      expect(jobFor(ups, stack).variables["AWS_ROLE_ARN"]).toBe("$AWS_DEPLOY_ROLE_ARN");
    });

    it("is applied only by hand on the default branch, blocking what comes after it", () => {
      const job = jobFor(ups, stack);
      expect(job.key).toBe(`up:${stack}`);
      expect(job.spec["stage"]).toBe(`deploy-${environment}`);
      expect(rulesOf(job)).toEqual([{ if: DEFAULT_BRANCH_RULE, when: "manual" }]);
      expect(job.spec["allow_failure"]).toBe(false);
      expect(scriptOf(job).find((line) => line.startsWith("pulumi up "))).toContain("--policy-pack policy");
      expect(job.spec["environment"]).toEqual({ name: stack, deployment_tier: environment });
    });

    it("uses the stack file's region, and its secrets provider when the up creates the stack", () => {
      for (const job of [jobFor(previews, stack), jobFor(drifts, stack), jobFor(ups, stack)]) expect(job.variables["AWS_REGION"], job.name).toBe(region);
      const select = scriptOf(jobFor(ups, stack))[0];
      expect(select).toMatch(/^pulumi stack select --create .* "\$STACK"$/);
      const provider = /--secrets-provider "([^"]+)"/.exec(select)?.[1] ?? "";
      expect(expand(provider, jobFor(ups, stack).variables)).toBe(secretsProvider);
    });

    it("has one resource group shared by its preview, drift check and up, and by no other stack", () => {
      const group = resourceGroup(jobFor(previews, stack));
      expect(group).toBe(`holodeck-${stack}`);
      expect(resourceGroup(jobFor(ups, stack))).toBe(group);
      expect(resourceGroup(jobFor(drifts, stack))).toBe(group);
      const others = [...previews, ...drifts, ...ups].filter((job) => job.variables["STACK"] !== stack);
      expect(others.map(resourceGroup)).not.toContain(group);
    });
  });

  it("orders ups: staging first, then production regions one at a time in a single, stable chain", () => {
    const chain = productionChain(child).map((stack) => stacks.find((s) => s.stack === stack)!);
    // Stable order: production regions staging also runs in come first, then by region name.
    const stagingRegions = new Set(stacks.filter((s) => s.environment === "staging").map((s) => s.region));
    const rank = (region: string) => `${stagingRegions.has(region) ? 0 : 1}-${region}`;
    expect(chain.map((s) => rank(s.region))).toEqual(chain.map((s) => rank(s.region)).sort());
    const stages = child.raw["stages"] as string[];
    expect(stages.indexOf("deploy-staging")).toBeLessThan(stages.indexOf("deploy-production"));
  });

  it("gets AWS credentials only through OIDC web identity, never from stored keys", () => {
    for (const job of [...previews, ...drifts, ...ups]) {
      expect(job.spec["id_tokens"], job.name).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
      const setup = scriptOf(job, "before_script").join("\n");
      expect(setup, job.name).toContain("aws sts assume-role-with-web-identity");
      expect(setup, job.name).toContain('--web-identity-token "$AWS_ID_TOKEN"');
      expect(setup, job.name).toMatch(/pulumi login "s3:\/\/\$\{PULUMI_STATE_BUCKET\}\?region=/);
      const role = { "up:": "$AWS_DEPLOY_ROLE_ARN", "drift:": "$AWS_DRIFT_ROLE_ARN", "preview:": "$AWS_PREVIEW_ROLE_ARN" };
      expect(job.variables["AWS_ROLE_ARN"], job.name).toBe(Object.entries(role).find(([prefix]) => job.key.startsWith(prefix))?.[1]);
      expect(job.variables["PULUMI_VERSION"], job.name).toBe("3.276.0");
    }
    // The CLI the jobs install is the SDK the programs and the policy pack run (released together).
    const sdkPin = (file: string): unknown =>
      (JSON.parse(readFileSync(file, "utf8")) as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"];
    expect([sdkPin("package.json"), sdkPin(join("policy", "package.json"))]).toEqual(["3.276.0", "3.276.0"]);
    const declared = [child.globalVariables, ...child.jobs.map((job) => job.variables)].flatMap(Object.keys);
    for (const forbidden of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]) {
      expect(declared).not.toContain(forbidden);
    }
  });
});

describe("a new stack file joins the generated pipeline with no other change", () => {
  const scratch = mkdtempSync(join(tmpdir(), "stack-pipeline-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  // A fixed set of shipped stack files, so these expectations hold while regions are added.
  const BASE = ["staging-eu-west-1", "production-eu-west-1", "production-eu-central-1"];
  /** The BASE stack files plus new ones made from a shipped one with its region replaced. */
  const stacksWith = (name: string, extra: Record<string, [string, string]>): string => {
    const dir = join(scratch, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const stack of BASE) copyFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
    for (const [stack, [from, region]] of Object.entries(extra)) {
      const source = readFileSync(join(root, "stacks", `Pulumi.${from}.yaml`), "utf8");
      const fromRegion = from.replace(/^(staging|production)-/, "");
      writeFileSync(
        join(dir, `Pulumi.${stack}.yaml`),
        source.replaceAll(`region=${fromRegion}`, `region=${region}`).replace(`aws:region: ${fromRegion}`, `aws:region: ${region}`),
      );
    }
    return dir;
  };
  const base = () => generate(stacksWith("base", {}));

  it("adds a preview, a drift check and a manual up for production-us-east-1, chained after the last production region", () => {
    const grown = generate(stacksWith("one", { "production-us-east-1": ["production-eu-central-1", "us-east-1"] }));
    const preview = jobFor(previewsOf(grown), "production-us-east-1");
    const drift = jobFor(driftsOf(grown), "production-us-east-1");
    const up = jobFor(upsOf(grown), "production-us-east-1");
    expect(preview.key).toBe("preview:production-us-east-1");
    expect(rulesOf(preview)).toEqual([{ if: MR_RULE }]);
    expect([drift.key, rulesOf(drift), resourceGroup(drift)]).toEqual(["drift:production-us-east-1", [{ if: SCHEDULE_RULE }], "holodeck-production-us-east-1"]);
    expect(rulesOf(up)).toEqual([{ if: DEFAULT_BRANCH_RULE, when: "manual" }]);
    expect([preview.variables["AWS_REGION"], up.variables["AWS_REGION"]]).toEqual(["us-east-1", "us-east-1"]);
    expect(expand("$PULUMI_SECRETS_PROVIDER", up.variables)).toBe("awskms://alias/holodeck-pulumi-secrets?region=us-east-1");
    expect([resourceGroup(preview), resourceGroup(up)]).toEqual(["holodeck-production-us-east-1", "holodeck-production-us-east-1"]);
    expect(up.spec["environment"]).toEqual({ name: "production-us-east-1", deployment_tier: "production" });
    expect(productionChain(grown)).toEqual(["production-eu-west-1", "production-eu-central-1", "production-us-east-1"]);
    // The existing stacks' jobs are exactly what they were.
    const before = base();
    expect(productionChain(before)).toEqual(["production-eu-west-1", "production-eu-central-1"]);
    for (const job of before.jobs) expect(grown.jobs.find((other) => other.key === job.key)?.spec, job.key).toEqual(job.spec);
    expect(grown.jobs).toHaveLength(before.jobs.length + 3);
  });

  it("runs every staging up before production, and production regions staging also runs in first", () => {
    const grown = generate(
      stacksWith("three", {
        "staging-us-east-1": ["staging-eu-west-1", "us-east-1"],
        "production-us-east-1": ["production-eu-central-1", "us-east-1"],
        "production-ap-southeast-2": ["production-eu-central-1", "ap-southeast-2"],
      }),
    );
    expect(productionChain(grown)).toEqual(["production-eu-west-1", "production-us-east-1", "production-ap-southeast-2", "production-eu-central-1"]);
    expect(needsOf(jobFor(upsOf(grown), "production-eu-west-1")).sort()).toEqual(["up:staging-eu-west-1", "up:staging-us-east-1"]);
    const groups = [...previewsOf(grown), ...driftsOf(grown), ...upsOf(grown)].map(resourceGroup);
    expect(new Set(groups).size).toBe(groups.length / 3);
  });

  it.each([
    ["Pulumi.dev-eu-west-1.yaml", "aws:region: eu-west-1", "stack name", "staging-<region> | production-<region>"],
    ["Pulumi.production-us-east-1.yaml", "aws:region: us-east-2", "aws:region", 'equal to the stack name suffix "us-east-1"'],
    ["Pulumi.production-us-east-1.yaml", "aws:region: us-east-1\n  holodeck:environment: staging", "holodeck:environment", "staging | production"],
    ["Pulumi.production-us-east-1.yaml", "aws:region: us-east-1", "secretsprovider", "awskms://<key alias or id>?region=us-east-1"],
  ])("rejects %s with %j: one error naming the file, %s and the allowed values", (file, config, key, allowed) => {
    const dir = stacksWith("bad", {});
    const provider = key === "secretsprovider" ? "passphrase" : "awskms://alias/holodeck-pulumi-secrets?region=us-east-1";
    writeFileSync(join(dir, file), `secretsprovider: ${provider}\nconfig:\n  ${config}\n`);
    const error = (() => {
      try {
        generate(dir);
      } catch (caught: unknown) {
        return caught instanceof Error ? caught.message : String(caught);
      }
      return "no error";
    })();
    expect(error).toContain(join(dir, file));
    expect(error).toContain(key);
    expect(error).toContain(allowed);
  });
});
