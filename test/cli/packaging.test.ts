import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildCli, type BuiltCli } from "../../cli/build";
import { cliProcess, expectedFile, fileAtTip, LAUNCHER, REPO_ROOT, seededRepo, sha, tempDir } from "./helpers";
import { ID_TOKEN_ENV } from "../../cli/services/id-token";
import { GitLabIdTokens, SERVICES_GROUP } from "../harness/gitlab-id-tokens";
import { holodeckOnPath } from "../template/deploy-script";

// The service pipelines' CLI: the esbuild bundle run by plain Node with no node_modules around.
describe("bundled CLI (what the holodeck-cli image contains)", () => {
  let built: BuiltCli;
  let bundle: (args: string[]) => ReturnType<typeof cliProcess>;
  beforeAll(async () => {
    const dir = tempDir("bundle"); // under the OS temp dir: no node_modules in any parent
    built = await buildCli(path.join(dir, "holodeck.cjs"));
    bundle = (args) => cliProcess(args, {}, [built.outfile]);
  }, 120_000);

  it("validates the example tree without any installed package", async () => {
    const result = await bundle(["services", "validate", path.join(REPO_ROOT, "services-root", "example")]);
    expect([result.code, result.stdout]).toEqual([0, "ok: 3 files valid\n"]); // two entries and teams/checkout.json
  }, 60_000);

  it("deploys against a bare repository", async () => {
    const repo = seededRepo(["bundled"]);
    const tag = sha("bundle");
    const result = await bundle(["services", "deploy", "--repo", repo.url, "--env", "staging", "--service", "bundled", "--image-tag", tag, "--revision", tag]);
    expect(result.code).toBe(0);
    expect(fileAtTip(repo.dir, "staging/bundled.json")).toBe(expectedFile("staging", "bundled", tag));
  }, 60_000);

  it("says plainly that plan needs the repository (exit 2)", async () => {
    const result = await bundle(["plan"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("holodeck plan needs a checkout of the holodeck repository");
  }, 60_000);

  it("the Dockerfile copies every source file the bundle is built from", () => {
    const dockerfile = fs.readFileSync(path.join(REPO_ROOT, "cli", "Dockerfile"), "utf8");
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(" "));
    expect(copied).toEqual(["package.json", "package-lock.json", "cli/", "model/", "services-root/service.schema.json", "services-root/team.schema.json"]);
    const uncovered = built.inputs.filter(
      (input) => !input.startsWith("node_modules/") && !copied.some((c) => (c.endsWith("/") ? input.startsWith(c) : input === c)),
    );
    expect(uncovered).toEqual([]);
    expect(dockerfile).toContain("RUN npx tsx cli/build.ts /out/holodeck.cjs");
  });
});

interface Job {
  image?: string;
  script: string[];
  rules?: Array<Record<string, unknown>>;
}

describe("services-root repository pipeline", () => {
  const ci = parse(fs.readFileSync(path.join(REPO_ROOT, "services-root", "example", ".gitlab-ci.yml"), "utf8")) as {
    workflow: { rules: Array<{ if: string; when?: string }> };
    validate: Job;
    publish: Job & { needs: string[]; resource_group: string };
  };

  it("runs for every merge request and every branch push but the gate's own, main always, without duplicates", () => {
    expect(ci.workflow.rules).toEqual([
      { if: '$CI_COMMIT_BRANCH == "published"', when: "never" },
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
      { if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" },
      { if: "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", when: "never" },
      { if: "$CI_COMMIT_BRANCH" },
    ]);
  });

  it("validates the whole tree with the pinned CLI image", () => {
    expect(ci.validate.image).toBe("$HOLODECK_CLI_IMAGE");
    expect(ci.validate.script).toEqual(["holodeck services validate ."]);
  });

  it("runs the publish gate on every push to the default branch, one at a time, whatever validate says", () => {
    expect(ci.publish.image).toBe("$HOLODECK_CLI_IMAGE");
    expect(ci.publish.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }]);
    expect(ci.publish.needs).toEqual([]);
    expect(ci.publish.resource_group).toBe("publish");
  });

  it("the publish job's script, run as the runner runs it, publishes a deploy carrying its service's ID token", async () => {
    const tokens = new GitLabIdTokens();
    // CI_SERVER_URL is a folder here: the job's ${CI_SERVER_URL}/oauth/discovery/keys is then the
    // JWKS file the stand-in instance wrote (the real job fetches it over https).
    const server = tempDir("gitlab");
    fs.mkdirSync(path.join(server, "oauth", "discovery"), { recursive: true });
    fs.writeFileSync(path.join(server, "oauth", "discovery", "keys"), JSON.stringify(tokens.jwks));
    const repo = seededRepo(["python-example"]);
    execFileSync("git", ["--git-dir", repo.dir, "update-ref", "refs/heads/published", "main"]); // the admins' first publish (README, set-up)
    const tag = sha("published by the job");
    const deploy = spawnSync(
      process.execPath,
      [LAUNCHER, "services", "deploy", "--repo", repo.url, "--env", "staging", "--service", "python-example", "--image-tag", tag, "--revision", tag],
      { encoding: "utf8", env: { ...process.env, [ID_TOKEN_ENV]: tokens.sign(GitLabIdTokens.claimsFor(`${SERVICES_GROUP}/python-example`, { iss: server })) } },
    );
    expect(deploy.status, deploy.stderr).toBe(0);
    const job = spawnSync("sh", ["-e", "-c", ci.publish.script.join("\n")], {
      encoding: "utf8",
      env: {
        PATH: `${await holodeckOnPath()}:${process.env.PATH}`,
        HOME: tempDir("ci-home"),
        CI_PROJECT_URL: repo.url.replace(/\.git$/, ""),
        CI_DEFAULT_BRANCH: "main",
        CI_SERVER_URL: server,
        HOLODECK_SERVICES_GROUP: SERVICES_GROUP,
        SERVICES_ROOT_PUBLISH_TOKEN: "glpat-publish",
      },
    });
    expect(job.status, job.stderr).toBe(0);
    expect(job.stdout).toMatch(/^published [0-9a-f]{40}: 1 entries accepted, 0 withheld\n$/);
    expect(execFileSync("git", ["--git-dir", repo.dir, "show", "published:staging/python-example.json"]).toString()).toBe(
      expectedFile("staging", "python-example", tag),
    );
  });
});
