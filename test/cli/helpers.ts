import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../cli/main";
import { redactingIo } from "../../cli/io";
import { SERVICE_DOMAINS, TEAMS_FOLDER, type ServiceDomain, type ServiceOwner, type Team } from "../../model/team";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const LAUNCHER = path.join(REPO_ROOT, "cli", "holodeck.cjs");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A deterministic, distinct 40-hex SHA per seed. */
export function sha(seed: number | string): string {
  return execFileSync("git", ["hash-object", "--stdin"], { input: `seed ${seed}` })
    .toString()
    .trim();
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `holodeck-test-${prefix}-`));
}

/** An empty bare repository whose default branch is main; returns its file:// URL and path. */
export function bareRepo(): { url: string; dir: string } {
  const dir = path.join(tempDir("bare"), "services-root.git");
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", dir]);
  return { url: `file://${dir}`, dir };
}

export function gitIn(dir: string, args: string[]): string {
  return execFileSync("git", args, { cwd: dir, env: { ...process.env, LC_ALL: "C" } }).toString();
}

/** File content at the tip of main in a bare repository, or undefined when absent. */
export function fileAtTip(bareDir: string, file: string): string | undefined {
  try {
    return execFileSync("git", ["--git-dir", bareDir, "show", `main:${file}`], { stdio: ["ignore", "pipe", "ignore"] }).toString();
  } catch {
    return undefined;
  }
}

/** Commits of main, newest first, that touched `file` (all commits when omitted). */
export function history(bareDir: string, file?: string): string[] {
  const args = ["--git-dir", bareDir, "log", "--format=%H", "main", ...(file ? ["--", file] : [])];
  return execFileSync("git", args).toString().split("\n").filter(Boolean);
}

/** Runs the CLI in this process (fast); output is captured and redacted like the real thing. */
export async function cli(...args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(args, redactingIo({ out: (t) => (stdout += t), err: (t) => (stderr += t) }));
  return { code, stdout, stderr };
}

/** Runs the CLI as its own process through the package.json bin launcher (or `command`), in `cwd`. */
export function cliProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  command: string[] = [process.execPath, LAUNCHER],
  cwd: string = REPO_ROOT,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], [...command.slice(1), ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The team every test service belongs to unless a test says otherwise, and the domain it gives them. */
export const TEST_TEAM = "checkout";
export const TEST_DOMAIN: ServiceDomain = SERVICE_DOMAINS[0];
export const TEST_OWNER: ServiceOwner = { team: TEST_TEAM, domain: TEST_DOMAIN };

/** Path of a team's file inside services-root. */
export const teamFilePath = (team: string): string => `${TEAMS_FOLDER}/${team}.json`;

/** A schema-valid team listing `services`, all in the team's one domain. */
export function testTeam(services: readonly string[], owner: ServiceOwner = TEST_OWNER): Team {
  return {
    team: owner.team,
    ssoGroups: [`holodeck-team-${owner.team}`],
    domains: [owner.domain],
    services: services.map((name) => ({ name, domain: owner.domain })),
  };
}

export const teamFileContent = (team: Team): string => `${JSON.stringify(team, null, 2)}\n`;

export interface SeededRepo {
  url: string;
  dir: string;
  /** the commit on main holding the team files, before any test writes */
  seed: string;
}

/**
 * A bare services-root repository whose main is one commit with the team files — by default one
 * team (TEST_OWNER) listing `services` — as deploy, promote and rollback need before they write.
 */
export function seededRepo(services: readonly string[], teams: readonly Team[] = [testTeam(services)]): SeededRepo {
  const repo = bareRepo();
  const git = (args: string[], input?: string): string =>
    execFileSync("git", ["--git-dir", repo.dir, ...args], { input, env: { ...process.env, LC_ALL: "C" } })
      .toString()
      .trim();
  const entries = teams.map((team) => `100644 blob ${git(["hash-object", "-w", "--stdin"], teamFileContent(team))}\t${team.team}.json\n`);
  const teamsTree = git(["mktree"], entries.join(""));
  const root = git(["mktree"], `040000 tree ${teamsTree}\t${TEAMS_FOLDER}\n`);
  const seed = git(["-c", "user.name=t", "-c", "user.email=t@example.dev", "commit-tree", root, "-m", "teams"]);
  git(["update-ref", "refs/heads/main", seed]);
  return { ...repo, seed };
}

/** The exact bytes `deploy` writes, spelled out here so a formatting change fails the tests. */
export function expectedFile(cluster: string, service: string, imageTag: string, revision: string = imageTag, owner: ServiceOwner = TEST_OWNER): string {
  return (
    `{\n  "cluster": "${cluster}",\n  "service": "${service}",\n  "team": "${owner.team}",\n  "domain": "${owner.domain}",\n` +
    `  "imageTag": "${imageTag}",\n  "targetRevision": "${revision}"\n}\n`
  );
}
