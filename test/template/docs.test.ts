// docs/new-service.md, executed: every shell block marked `<!-- rehearse -->` runs, in order,
// in one bash session (HOLODECK = this checkout, WORK = a fresh folder), as a new user would
// type them. The path must end in a staging services-root entry that `holodeck services
// validate` accepts. (Its pip step installs the generated lock from PyPI, like a user does.)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../harness/copier";
import { expectedFile, teamFilePath, testTeam } from "../cli/helpers";
import type { ServiceOwner } from "../../model/team";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const DOC = path.join(REPO_ROOT, "docs", "new-service.md");
/** The team the doc's services-root lists weather in (its copier answers: owner_team, domain). */
const WEATHER: ServiceOwner = { team: "weather", domain: "services" };

/** The ```sh blocks that directly follow a `<!-- rehearse -->` line. */
export function rehearsalBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^<!-- rehearse -->\n```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

describe("docs/new-service.md, followed step by step", () => {
  let work: string;
  let run: { code: number; stdout: string; stderr: string };
  const gitOut = (args: string[]): string => spawnSync("git", args, { cwd: path.join(work, "weather"), encoding: "utf8" }).stdout.trim();
  beforeAll(() => {
    work = tempDir("new-service");
    const script = ["set -euo pipefail", ...rehearsalBlocks(fs.readFileSync(DOC, "utf8"))].join("\n");
    const result = spawnSync("bash", ["-c", script], {
      cwd: work,
      encoding: "utf8",
      timeout: 280_000,
      env: {
        ...process.env,
        HOLODECK: REPO_ROOT,
        WORK: work,
        PIP_DISABLE_PIP_VERSION_CHECK: "1",
        GIT_AUTHOR_NAME: "Ada Dev",
        GIT_AUTHOR_EMAIL: "ada@example.dev",
        GIT_COMMITTER_NAME: "Ada Dev",
        GIT_COMMITTER_EMAIL: "ada@example.dev",
      },
    });
    run = { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }, 300_000);

  it("has the steps a user runs: generate, test, render, commit, deploy, validate, roll back", () => {
    const blocks = rehearsalBlocks(fs.readFileSync(DOC, "utf8"));
    expect(blocks.length).toBe(6);
    // Each block by the first of these it contains (a later block may also commit).
    const steps = ['copier" copy', "pytest", 'helm" template', "ci/deploy.sh rollback-staging", "ci/deploy.sh staging", "git commit"];
    expect(blocks.map((b) => steps.find((step) => b.includes(step)))).toEqual([
      'copier" copy',
      "pytest",
      'helm" template',
      "git commit",
      "ci/deploy.sh staging",
      "ci/deploy.sh rollback-staging",
    ]);
  });

  it("runs to the end", () => {
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  });

  it("passes the generated service's tests", () => {
    expect(run.stdout).toMatch(/^24 passed/m);
  });

  it("renders the database, migration, Redis and Vault secret", () => {
    for (const kind of ["PostgresInstance", "Job", "HTTPRoute", "Password"]) expect(run.stdout).toMatch(new RegExp(`^\\s+1 kind: ${kind}$`, "m"));
    // app + Redis; the Vault secret (WEATHER_API_KEY) + Redis's password from the Password generator.
    expect(run.stdout).toMatch(/^\s+2 kind: Deployment$/m);
    expect(run.stdout).toMatch(/^\s+2 kind: ExternalSecret$/m);
  });

  it("lists the service in its team's file first, as the merge request the platform team merges", () => {
    // The doc's team file is the one team listing weather in its one domain (the copier answer).
    expect(JSON.parse(fs.readFileSync(path.join(work, "services-root", teamFilePath(WEATHER.team)), "utf8"))).toEqual(testTeam(["weather"], WEATHER));
    expect(run.stdout).toContain("ok: 1 files valid");
  });

  it("deployed the first commit to staging as a valid services-root entry, owned by the team file", () => {
    const first = gitOut(["rev-parse", "HEAD~1"]);
    expect(run.stdout).toContain(expectedFile("staging", "weather", first, first, WEATHER));
    expect(run.stdout).toContain("ok: 2 files valid");
  });

  it("rolled staging back from the second commit to the first, each step a services-root commit naming its pipeline", () => {
    const [first, second] = [gitOut(["rev-parse", "HEAD~1"]), gitOut(["rev-parse", "HEAD"])];
    expect(fs.readFileSync(path.join(work, "services-root", "staging", "weather.json"), "utf8")).toBe(
      expectedFile("staging", "weather", first, first, WEATHER),
    );
    expect(run.stdout).toMatch(/^2$/m);
    const history = spawnSync("git", ["log", "--format=%B%x00", "--", "staging/weather.json"], { cwd: path.join(work, "services-root"), encoding: "utf8" })
      .stdout.split("\0")
      .map((m) => m.trim())
      .filter(Boolean);
    expect(history).toHaveLength(3);
    expect(history.map((m) => /pipelines\/\d/.exec(m)?.[0])).toEqual(["pipelines/2", "pipelines/2", "pipelines/1"]);
    expect(history[1]).toContain(second.slice(0, 12));
  });
});
