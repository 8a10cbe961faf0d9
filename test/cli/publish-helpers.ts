// Shared by the publish gate's tests (publish.test.ts, publish-hardening.test.ts): services-root
// repositories on real git, the CLI as a deploy job runs it, and commits any holder of the shared
// deploy token can push.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { GitLabIdTokens, withIdToken } from "../harness/gitlab-id-tokens";
import { cli, tempDir, type CliResult, type SeededRepo } from "./helpers";

export const OWNER = { team: "checkout", domain: "services" } as const;
export const INTRUDER = { team: "intruders", domain: "payments" } as const;
export const tokens = new GitLabIdTokens();
export const ENTRY = "staging/python-example.json";

/** What a deploy job runs: the CLI with the job's ID token in its environment. */
export function deployAs(token: string | undefined, repo: SeededRepo, service: string, tag: string): Promise<CliResult> {
  return withIdToken(token, () =>
    cli("services", "deploy", "--repo", repo.url, "--env", "staging", "--service", service, "--image-tag", tag, "--revision", tag),
  );
}

/** services-root's publish job (or an admin's run with --accept). */
export const publish = (repo: SeededRepo, ...extra: string[]): Promise<CliResult> => cli(...tokens.gateArgs(repo.url, ...extra));

export const publishedFile = (repo: SeededRepo, file: string): string | undefined => {
  try {
    return execFileSync("git", ["--git-dir", repo.dir, "show", `published:${file}`], { stdio: ["ignore", "pipe", "ignore"] }).toString();
  } catch {
    return undefined;
  }
};

/** A clone of services-root as any holder of the shared token has one; `git` runs in it as "intruder". */
export function intruderClone(repo: SeededRepo, name: string): { work: string; git: (...args: string[]) => string } {
  const work = path.join(tempDir(name), "w");
  execFileSync("git", ["clone", "-q", repo.url, work]);
  const git = (...args: string[]): string =>
    execFileSync("git", ["-c", "user.name=intruder", "-c", "user.email=i@example.dev", ...args], {
      cwd: work,
      env: { ...process.env, LC_ALL: "C" },
    }).toString();
  return { work, git };
}

/** A raw commit on main as any holder of the shared token can make one: `files` written (null deletes), `message` verbatim. */
export function pushRaw(repo: SeededRepo, files: Record<string, string | null>, message: string): string {
  const { work, git } = intruderClone(repo, "raw");
  for (const [file, content] of Object.entries(files)) {
    if (content === null) git("rm", "-q", file);
    else {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.rmSync(path.join(work, file), { force: true }); // a symlink an earlier attack left is replaced, never written through
      fs.writeFileSync(path.join(work, file), content);
      git("add", file);
    }
  }
  const messageFile = path.join(work, "..", "message");
  fs.writeFileSync(messageFile, message); // from a file: a message may be larger than a command line
  git("commit", "-q", "--cleanup=verbatim", "-F", messageFile);
  git("push", "-q", "origin", "HEAD:main");
  return git("rev-parse", "HEAD").trim();
}

/** The platform admins' first publish of a reviewed main (services-root README, set-up): `git push origin main:published`. */
export const initPublished = (repo: SeededRepo): void => void execFileSync("git", ["--git-dir", repo.dir, "update-ref", "refs/heads/published", "main"]);
export const lastMessage = (repo: SeededRepo, file: string): string =>
  execFileSync("git", ["--git-dir", repo.dir, "log", "-1", "--format=%B", "main", "--", file]).toString().trimEnd();
