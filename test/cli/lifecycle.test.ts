import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { StatusReport } from "../../cli/services/status";
import { TEAMS_FOLDER, type Team } from "../../model/team";
import {
  cli,
  expectedFile,
  fileAtTip,
  gitIn,
  history,
  seededRepo,
  sha,
  teamFileContent,
  teamFilePath,
  TEST_TEAM,
  tempDir,
  testTeam,
  type CliResult,
} from "./helpers";

const repoFlag = (url: string): string[] => ["--repo", url];
const deploy = (url: string, env: string, service: string, tag: string, revision = tag): Promise<CliResult> =>
  cli("services", "deploy", ...repoFlag(url), "--env", env, "--service", service, "--image-tag", tag, "--revision", revision);

async function ok(result: Promise<CliResult>): Promise<CliResult> {
  const r = await result;
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r;
}

describe("promote", () => {
  const repo = seededRepo(["python-example"]);
  const tag = sha("promote-tag");
  const revision = sha("promote-rev");
  let promoted: CliResult;
  let missing: CliResult;
  let stale: CliResult;
  beforeAll(async () => {
    await ok(deploy(repo.url, "staging", "python-example", tag, revision));
    missing = await cli("services", "promote", ...repoFlag(repo.url), "--from", "staging", "--to", "production", "--service", "not-deployed");
    stale = await cli(
      "services",
      "promote",
      ...repoFlag(repo.url),
      "--from",
      "staging",
      "--to",
      "production",
      "--service",
      "python-example",
      "--image-tag",
      sha("older"),
    );
    promoted = await cli(
      "services",
      "promote",
      ...repoFlag(repo.url),
      "--from",
      "staging",
      "--to",
      "production",
      "--service",
      "python-example",
      "--image-tag",
      tag,
      "--pipeline-url",
      "https://ci/p/7",
    );
  });

  it("copies the exact imageTag and targetRevision into the target environment", () => {
    expect(promoted.code).toBe(0);
    expect(fileAtTip(repo.dir, "production/python-example.json")).toBe(expectedFile("production", "python-example", tag, revision));
    expect(gitIn(repo.dir, ["log", "-1", "--format=%s", "main"])).toBe(`promote python-example from staging to production: ${tag.slice(0, 12)}\n`);
  });

  it("refuses (exit 1, no commit) when the service has no entry in the source environment", () => {
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('holodeck: service "not-deployed" has no entry in staging (staging/not-deployed.json does not exist)\n');
  });

  it("refuses when the source no longer runs the image the pipeline tested", () => {
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`staging runs python-example at ${tag}, not the expected ${sha("older")}`);
    expect(history(repo.dir)).toHaveLength(3); // the seed, the deploy and the one successful promote
  });

  it("refuses to promote an environment onto itself", async () => {
    const result = await cli("services", "promote", ...repoFlag(repo.url), "--from", "staging", "--to", "staging", "--service", "python-example");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--from and --to are both "staging"');
  });
});

describe("promote follows the team files at the tip", () => {
  const repo = seededRepo(["moving"]);
  const tag = sha("moving");
  const promote = (): Promise<CliResult> => cli("services", "promote", ...repoFlag(repo.url), "--from", "staging", "--to", "production", "--service", "moving");
  /** Replaces the team files at the tip by `teams` (a hand push, as a platform merge request would). */
  const pushTeams = (...teams: Team[]): void => {
    const clone = path.join(tempDir("teams"), "clone");
    gitIn(path.dirname(clone), ["clone", "-q", repo.url, clone]);
    fs.rmSync(path.join(clone, TEAMS_FOLDER), { recursive: true });
    fs.mkdirSync(path.join(clone, TEAMS_FOLDER));
    for (const team of teams) fs.writeFileSync(path.join(clone, teamFilePath(team.team)), teamFileContent(team));
    gitIn(clone, ["add", "-A"]);
    gitIn(clone, ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "teams"]);
    gitIn(clone, ["push", "-q", "origin", "HEAD:main"]);
  };
  beforeAll(async () => {
    await ok(deploy(repo.url, "staging", "moving", tag));
  });

  it("refuses (exit 1, no commit) once no team lists the service", async () => {
    pushTeams(testTeam([]));
    const before = history(repo.dir);
    const result = await promote();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`service "moving" is listed by no team file`);
    expect(result.stderr).toContain(`${TEAMS_FOLDER}/<team>.json (teams: ${TEST_TEAM})`);
    expect(history(repo.dir)).toEqual(before);
  });

  it("writes the new owner, not the source entry's, when the service moved to another team", async () => {
    const data = { team: "data", domain: "data" } as const;
    pushTeams(testTeam([]), testTeam(["moving"], data));
    await ok(promote());
    expect(fileAtTip(repo.dir, "production/moving.json")).toBe(expectedFile("production", "moving", tag, tag, data));
    expect(fileAtTip(repo.dir, "staging/moving.json")).toBe(expectedFile("staging", "moving", tag));
  });
});

describe("status", () => {
  const repo = seededRepo(["alpha", "beta", "gamma"]);
  const [a1, a2, b1] = [sha("a1"), sha("a2"), sha("b1")];
  beforeAll(async () => {
    await ok(deploy(repo.url, "staging", "alpha", a2));
    await ok(deploy(repo.url, "production", "alpha", a1));
    await ok(deploy(repo.url, "staging", "beta", b1, sha("b-rev")));
  });

  it("prints a service × environment table with short SHAs", async () => {
    const result = await ok(cli("services", "status", ...repoFlag(repo.url)));
    const betaStaging = `${b1.slice(0, 12)} (rev ${sha("b-rev").slice(0, 12)})`;
    const width = betaStaging.length;
    expect(result.stdout).toBe(
      `SERVICE  ${"STAGING".padEnd(width)}  PRODUCTION\n` + `alpha    ${a2.slice(0, 12).padEnd(width)}  ${a1.slice(0, 12)}\n` + `beta     ${betaStaging}  -\n`,
    );
  });

  it("prints full versions as JSON, filtered by --env", async () => {
    const report = JSON.parse((await ok(cli("services", "status", ...repoFlag(repo.url), "--env", "production", "--json"))).stdout) as StatusReport;
    expect(report).toEqual({
      environments: ["production"],
      services: [{ service: "alpha", versions: { production: { imageTag: a1, targetRevision: a1 } } }],
      invalid: [],
    });
  });

  it("reports an invalid entry pushed by hand and exits 1", async () => {
    const clone = path.join(tempDir("hand"), "clone");
    gitIn(path.dirname(clone), ["clone", "-q", repo.url, clone]);
    fs.writeFileSync(path.join(clone, "staging", "gamma.json"), '{"cluster": "staging"}\n');
    gitIn(clone, ["add", "."]);
    gitIn(clone, ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "hand edit"]);
    gitIn(clone, ["push", "-q", "origin", "HEAD:main"]);
    const result = await cli("services", "status", ...repoFlag(repo.url), "--json");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as StatusReport;
    expect(report.services.map((s) => s.service)).toEqual(["alpha", "beta"]);
    expect(report.invalid.map((e) => `${e.file}:${e.field}`)).toEqual([
      "staging/gamma.json:service",
      "staging/gamma.json:team",
      "staging/gamma.json:domain",
      "staging/gamma.json:imageTag",
      "staging/gamma.json:targetRevision",
    ]);
  });
});

describe("rollback", () => {
  const repo = seededRepo(["shop", "fresh", "legacy"]);
  const [v1, v2] = [sha("v1"), sha("v2")];
  const file = "production/shop.json";
  beforeAll(async () => {
    await ok(deploy(repo.url, "production", "shop", v1));
    await ok(deploy(repo.url, "production", "shop", v2));
    // 40 unrelated commits push the previous version beyond the first deepening of the shallow clone
    const clone = path.join(tempDir("noise"), "clone");
    gitIn(path.dirname(clone), ["clone", "-q", repo.url, clone]);
    fs.mkdirSync(path.join(clone, "staging"));
    for (let i = 0; i < 40; i++) {
      fs.writeFileSync(path.join(clone, "staging", `noise.json`), expectedFile("staging", "noise", sha(`noise-${i}`)));
      gitIn(clone, ["add", "."]);
      gitIn(clone, ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", `noise ${i}`]);
    }
    gitIn(clone, ["push", "-q", "origin", "HEAD:main"]);
  });

  it("restores the previous version from history, deepening the shallow clone as needed", async () => {
    await ok(cli("services", "rollback", ...repoFlag(repo.url), "--env", "production", "--service", "shop"));
    expect(fileAtTip(repo.dir, file)).toBe(expectedFile("production", "shop", v1));
    const message = gitIn(repo.dir, ["log", "-1", "--format=%B", "main"]);
    expect(message.split("\n")[0]).toBe(`rollback shop in production: ${v2.slice(0, 12)} -> ${v1.slice(0, 12)}`);
    expect(message).toContain(`restores: ${history(repo.dir, file)[2]}`);
  });

  it("a second rollback returns to where we started (like helm rollback)", async () => {
    await ok(cli("services", "rollback", ...repoFlag(repo.url), "--env", "production", "--service", "shop"));
    expect(fileAtTip(repo.dir, file)).toBe(expectedFile("production", "shop", v2));
    expect(history(repo.dir, file)).toHaveLength(4);
  });

  it("refuses when there is no earlier version or no entry at all (exit 1)", async () => {
    await ok(deploy(repo.url, "staging", "fresh", sha("fresh")));
    const single = await cli("services", "rollback", ...repoFlag(repo.url), "--env", "staging", "--service", "fresh");
    expect(single.code).toBe(1);
    expect(single.stderr).toBe(`holodeck: staging/fresh.json has no earlier version different from ${sha("fresh")}; nothing to roll back to\n`);
    const absent = await cli("services", "rollback", ...repoFlag(repo.url), "--env", "production", "--service", "fresh");
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain("production/fresh.json does not exist");
  });

  it("restores a version written before team and domain existed, with the team file's owner", async () => {
    const old = sha("legacy-old");
    const clone = path.join(tempDir("legacy"), "clone");
    gitIn(path.dirname(clone), ["clone", "-q", repo.url, clone]);
    fs.writeFileSync(
      path.join(clone, "staging", "legacy.json"),
      `${JSON.stringify({ cluster: "staging", service: "legacy", imageTag: old, targetRevision: old }, null, 2)}\n`,
    );
    gitIn(clone, ["add", "."]);
    gitIn(clone, ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "four-key entry"]);
    gitIn(clone, ["push", "-q", "origin", "HEAD:main"]);
    await ok(deploy(repo.url, "staging", "legacy", sha("legacy-new")));
    await ok(cli("services", "rollback", ...repoFlag(repo.url), "--env", "staging", "--service", "legacy"));
    expect(fileAtTip(repo.dir, "staging/legacy.json")).toBe(expectedFile("staging", "legacy", old));
  });
});
