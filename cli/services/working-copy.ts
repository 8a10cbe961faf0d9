import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { git, GitError } from "./git";
import { withoutCredentials } from "./redact";
import { UsageError } from "../errors";

export interface WorkingCopyOptions {
  /** clone URL; may carry a CI token, which is never written to disk */
  repoUrl: string;
  branch: string;
  /** reuse this directory between runs; a fresh temporary directory otherwise */
  workdir?: string;
}

export type PushOutcome = "pushed" | "rejected";

export interface TreeFile {
  /** '/'-separated path inside the repository */
  path: string;
  bytes: Buffer;
}

// The only push failures a fetch + retry can fix: someone else moved the branch first. git
// reports it as `[rejected] (fetch first)` / `(non-fast-forward)` / `(stale info)` (porcelain
// status), or, when two pushes race inside the server, as the ref lock's "cannot lock ref
// '<ref>': is at <sha> but expected <sha>" (or "reference already exists" for the first
// push, "Unable to create '<ref>.lock': File exists" while the other holds it). Anything else (network reset, HTTP 5xx, a hook
// declining or timing out, credentials) is the git error itself: retrying would only hide it.
const RETRYABLE_PUSH =
  /\[rejected\]\s+\((fetch first|non-fast-forward|stale info)\)|cannot lock ref '[^']+': (is at [0-9a-f]+ but expected [0-9a-f]+|reference already exists|Unable to create '[^']+\.lock': File exists)/;

/** Whether git push's output (stdout + stderr) says the branch moved under us. */
export function isRetryablePushRejection(output: string): boolean {
  return RETRYABLE_PUSH.test(output);
}
const MISSING_BRANCH = /couldn't find remote ref/i;
const REPO_KEY = "holodeck.repo";

/**
 * A shallow working copy of the services-root branch. The URL is passed to every fetch/push
 * instead of being stored as a remote, so a token in it never lands in .git/config.
 */
export class WorkingCopy {
  private identity: string[] | undefined;

  private constructor(
    readonly dir: string,
    private readonly repoUrl: string,
    readonly branch: string,
    private readonly temporary: boolean,
  ) {}

  static async open(options: WorkingCopyOptions): Promise<WorkingCopy> {
    const temporary = options.workdir === undefined;
    const dir = options.workdir ?? fs.mkdtempSync(path.join(os.tmpdir(), "holodeck-services-"));
    fs.mkdirSync(dir, { recursive: true });
    const cleanUrl = withoutCredentials(options.repoUrl);
    if (fs.existsSync(path.join(dir, ".git"))) {
      const stored = (await git(dir, ["config", "--get", REPO_KEY], { allowFailure: true })).stdout.trim();
      if (stored !== cleanUrl) {
        throw new UsageError(`--workdir ${dir} is a working copy of "${stored || "another repository"}", not of "${cleanUrl}"`);
      }
    } else {
      await git(dir, ["init", "-q"]);
      await git(dir, ["config", REPO_KEY, cleanUrl]);
    }
    return new WorkingCopy(dir, options.repoUrl, options.branch, temporary);
  }

  private get trackingRef(): string {
    return `refs/remotes/origin/${this.branch}`;
  }

  /**
   * Makes HEAD and the index exactly the remote branch tip (depth 1); an absent branch gives an
   * empty tree. Nothing is checked out: every change goes through the index, so a deploy costs
   * the same whether services-root holds 10 files or 10,000.
   */
  async sync(): Promise<void> {
    const fetched = await git(this.dir, ["fetch", "-q", "--depth", "1", "--no-tags", this.repoUrl, `+refs/heads/${this.branch}:${this.trackingRef}`], {
      allowFailure: true,
    });
    await git(this.dir, ["symbolic-ref", "HEAD", `refs/heads/${this.branch}`]);
    if (fetched.code === 0) {
      await git(this.dir, ["update-ref", `refs/heads/${this.branch}`, this.trackingRef]);
      await git(this.dir, ["read-tree", "HEAD"]);
    } else if (MISSING_BRANCH.test(fetched.stderr)) {
      // empty repository: the first deploy creates the branch with a root commit
      await git(this.dir, ["update-ref", "-d", `refs/heads/${this.branch}`], { allowFailure: true });
      await git(this.dir, ["read-tree", "--empty"]);
    } else {
      throw new GitError(["fetch", this.repoUrl, this.branch], fetched);
    }
  }

  /** Fetches more history of the branch; false once the whole history is there. */
  async deepen(commits: number): Promise<boolean> {
    if (!fs.existsSync(path.join(this.dir, ".git", "shallow"))) return false;
    await git(this.dir, ["fetch", "-q", `--deepen=${commits}`, "--no-tags", this.repoUrl, `+refs/heads/${this.branch}:${this.trackingRef}`]);
    return true;
  }

  /** A file's bytes at the current tip (from the index), or undefined when absent. */
  async read(relativePath: string): Promise<Buffer | undefined> {
    const shown = await git(this.dir, ["cat-file", "blob", `:${relativePath}`], { allowFailure: true });
    return shown.code === 0 ? shown.raw : undefined;
  }

  /** Every file under the given folders at the current tip, read in one `cat-file --batch`. */
  async readFolders(folders: readonly string[]): Promise<TreeFile[]> {
    const listing = await git(this.dir, ["ls-files", "-s", "-z", "--", ...folders.map((f) => `${f}/`)]);
    const entries = listing.stdout
      .split("\0")
      .filter(Boolean)
      .map((line) => {
        const [meta, file] = line.split("\t");
        return { path: file, blob: meta.split(" ")[1] };
      });
    if (entries.length === 0) return [];
    const batch = (await git(this.dir, ["cat-file", "--batch"], { input: entries.map((e) => e.blob).join("\n") + "\n" })).raw;
    const files: TreeFile[] = [];
    let offset = 0;
    for (const entry of entries) {
      const headerEnd = batch.indexOf(0x0a, offset);
      const size = Number(batch.subarray(offset, headerEnd).toString("latin1").split(" ")[2]);
      files.push({ path: entry.path, bytes: batch.subarray(headerEnd + 1, headerEnd + 1 + size) });
      offset = headerEnd + 1 + size + 1; // content is followed by a newline
    }
    return files;
  }

  /** Writes and commits one file; returns the new commit, or undefined when the bytes are unchanged. */
  async commitFile(relativePath: string, content: string, message: string): Promise<string | undefined> {
    const existing = await this.read(relativePath);
    if (existing !== undefined && existing.equals(Buffer.from(content, "utf8"))) return undefined;
    const blob = (await git(this.dir, ["hash-object", "-w", "--stdin"], { input: content })).stdout.trim();
    await git(this.dir, ["update-index", "--add", "--cacheinfo", `100644,${blob},${relativePath}`]);
    const tree = (await git(this.dir, ["write-tree"])).stdout.trim();
    const parent = (await git(this.dir, ["rev-parse", "-q", "--verify", "HEAD"], { allowFailure: true })).stdout.trim();
    const commitArgs = [...(await this.committer()), "commit-tree", tree, ...(parent ? ["-p", parent] : []), "-F", "-"];
    const commit = (await git(this.dir, commitArgs, { input: message })).stdout.trim();
    await git(this.dir, ["update-ref", "HEAD", commit]);
    return commit;
  }

  async head(): Promise<string> {
    return (await git(this.dir, ["rev-parse", "HEAD"])).stdout.trim();
  }

  /** Commits (newest first) of the fetched history that touched `relativePath`. */
  async fileHistory(relativePath: string): Promise<string[]> {
    const log = await git(this.dir, ["log", "--format=%H", "HEAD", "--", relativePath]);
    return log.stdout.split("\n").filter((line) => line !== "");
  }

  /** The file's bytes at `commit`, or undefined when it did not exist there. */
  async fileAt(commit: string, relativePath: string): Promise<Buffer | undefined> {
    const shown = await git(this.dir, ["show", `${commit}:${relativePath}`], { allowFailure: true });
    return shown.code === 0 ? shown.raw : undefined;
  }

  /** Pushes HEAD to the branch: "rejected" when someone else pushed first (retry), throws when retrying cannot help. */
  async push(): Promise<PushOutcome> {
    const result = await git(this.dir, ["push", "--porcelain", this.repoUrl, `HEAD:refs/heads/${this.branch}`], { allowFailure: true });
    if (result.code === 0) return "pushed";
    if (isRetryablePushRejection(`${result.stdout}\n${result.stderr}`)) return "rejected";
    throw new GitError(["push", this.repoUrl, this.branch], result);
  }

  /** Commits as git is configured; in CI, where nothing is, as the GitLab user or the CLI itself. */
  private async committer(): Promise<string[]> {
    if (this.identity) return this.identity;
    const configured = (await git(this.dir, ["config", "--get", "user.email"], { allowFailure: true })).stdout.trim();
    const env = process.env;
    if (configured || (env.GIT_AUTHOR_EMAIL && env.GIT_COMMITTER_EMAIL)) this.identity = [];
    else {
      const name = env.GITLAB_USER_NAME || "holodeck CLI";
      const email = env.GITLAB_USER_EMAIL || "holodeck-cli@users.noreply.holodeck.dev";
      this.identity = ["-c", `user.name=${name}`, "-c", `user.email=${email}`];
    }
    return this.identity;
  }

  /** Removes the directory when it was a temporary one. */
  dispose(): void {
    if (this.temporary) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
