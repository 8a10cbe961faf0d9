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

  it("has the steps a user runs: generate, test, render, commit, deploy, validate", () => {
    const blocks = rehearsalBlocks(fs.readFileSync(DOC, "utf8"));
    expect(blocks.length).toBe(5);
    expect(blocks.map((b) => /copier" copy|pytest|helm" template|git commit|ci\/deploy\.sh staging/.exec(b)?.[0])).toEqual([
      'copier" copy',
      "pytest",
      'helm" template',
      "git commit",
      "ci/deploy.sh staging",
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

  it("ends with a valid staging services-root entry for the commit, owned by the team file", () => {
    const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: path.join(work, "weather"), encoding: "utf8" }).stdout.trim();
    const entry = expectedFile("staging", "weather", head, head, WEATHER);
    expect(fs.readFileSync(path.join(work, "services-root", "staging", "weather.json"), "utf8")).toBe(entry);
    expect(run.stdout).toContain(entry);
    expect(run.stdout).toContain("ok: 2 files valid");
  });
});
