// The local git server: plain `git` with bare repositories in a temporary folder, reached by
// Argo CD's repo-server as file:// URLs. Each repository is edited through a work tree next to
// it and pushed, as a developer would.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { SERVICES_ROOT_PUBLISHED_BRANCH } from "../../../model/team";
import { REPO } from "./tools";

const GIT_ENV = {
  GIT_AUTHOR_NAME: "holodeck test",
  GIT_AUTHOR_EMAIL: "test@holodeck.dev",
  GIT_COMMITTER_NAME: "holodeck test",
  GIT_COMMITTER_EMAIL: "test@holodeck.dev",
  GIT_CONFIG_NOSYSTEM: "1",
};

export class LocalGit {
  constructor(readonly root: string) {
    mkdirSync(path.join(root, "remote"), { recursive: true });
    mkdirSync(path.join(root, "work"), { recursive: true });
  }

  git(cwd: string, args: string[]): string {
    return execFileSync("git", args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  /** file:// URL of repository `name` (name may hold slashes: a group/project path). */
  url(name: string): string {
    return `file://${this.bare(name)}`;
  }

  bare(name: string): string {
    return path.join(this.root, "remote", `${name}.git`);
  }

  /** The work tree of `name`, where tests edit files before commit(). */
  workTree(name: string): string {
    return path.join(this.root, "work", name);
  }

  /** Creates the bare repository and its work tree on branch `branch` (empty until the first commit). */
  create(name: string, branch = "main"): string {
    const bare = this.bare(name);
    const work = this.workTree(name);
    if (existsSync(bare)) throw new Error(`git repository ${name} exists already`);
    mkdirSync(bare, { recursive: true });
    this.git(bare, ["init", "--bare", "--quiet", `--initial-branch=${branch}`]);
    mkdirSync(work, { recursive: true });
    this.git(work, ["init", "--quiet", `--initial-branch=${branch}`]);
    this.git(work, ["remote", "add", "origin", bare]);
    return work;
  }

  /** Writes files (path -> content; null deletes) into the work tree. */
  write(name: string, files: Record<string, string | null>): void {
    const work = this.workTree(name);
    for (const [file, content] of Object.entries(files)) {
      const target = path.join(work, file);
      if (content === null) {
        rmSync(target, { force: true });
      } else {
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
    }
  }

  /** Copies folders of this repository (repo-relative paths) into the work tree at the same paths. */
  copyFromRepository(name: string, folders: string[]): void {
    for (const folder of folders) cpSync(path.join(REPO, folder), path.join(this.workTree(name), folder), { recursive: true });
  }

  /** Commits everything in the work tree and pushes it; returns the new commit SHA. */
  commit(name: string, message: string, branch = "main"): string {
    const work = this.workTree(name);
    this.git(work, ["add", "--all"]);
    this.git(work, ["commit", "--quiet", "--allow-empty", "-m", message]);
    this.git(work, ["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`]);
    return this.head(name);
  }

  /**
   * A platform admin's first publish (services-root README, set-up): `published`, the branch
   * Argo CD reads, fast-forwarded to main's tip. Only while the publish gate has not written it:
   * after that an admin publishes with `holodeck services publish --accept <commit>`.
   */
  publishByHand(name: string): void {
    const bare = this.bare(name);
    const published = `refs/heads/${SERVICES_ROOT_PUBLISHED_BRANCH}`;
    const tip = spawnSync("git", ["rev-parse", "-q", "--verify", published], { cwd: bare, encoding: "utf8" }).stdout.trim();
    if (tip && spawnSync("git", ["merge-base", "--is-ancestor", tip, "refs/heads/main"], { cwd: bare }).status !== 0) {
      throw new Error(
        `${name}: ${SERVICES_ROOT_PUBLISHED_BRANCH} holds the gate's commits (not a fast-forward); publish with holodeck services publish --accept`,
      );
    }
    this.git(bare, ["update-ref", published, "refs/heads/main"]);
  }

  head(name: string): string {
    return this.git(this.workTree(name), ["rev-parse", "HEAD"]).trim();
  }
}
