import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildCli, type BuiltCli } from "../../cli/build";
import { cliProcess, expectedFile, fileAtTip, REPO_ROOT, seededRepo, sha, tempDir } from "./helpers";

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
  };

  it("runs for every merge request and every branch push, without duplicates", () => {
    expect(ci.workflow.rules).toEqual([
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
      { if: "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", when: "never" },
      { if: "$CI_COMMIT_BRANCH" },
    ]);
  });

  it("validates the whole tree with the pinned CLI image", () => {
    expect(ci.validate.image).toBe("$HOLODECK_CLI_IMAGE");
    expect(ci.validate.script).toEqual(["holodeck services validate ."]);
  });
});
