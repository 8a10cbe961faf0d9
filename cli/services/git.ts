import { spawn } from "node:child_process";
import { redact } from "./redact";

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as bytes, for file contents */
  raw: Buffer;
}

/** A failed git command; its message is already redacted. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: GitResult,
  ) {
    super(
      redact(
        `git ${args.join(" ")} failed (exit ${result.code}): ${[result.stderr, result.stdout]
          .map((text) => text.trim())
          .filter(Boolean)
          .join("\n")}`,
      ),
    );
  }
}

// Never prompt (a CI job would hang), stable English messages (we classify push errors),
// no signing/hooks from a developer's global config changing what a commit is, and no
// background gc in a short-lived working copy.
const GIT_ENV: NodeJS.ProcessEnv = { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", LANG: "C" };
const GIT_CONFIG = ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", "-c", "gc.auto=0", "-c", "maintenance.auto=false"];

export interface GitOptions {
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
  /** written to git's stdin */
  input?: string | Buffer;
}

/** Runs git in `cwd`; throws GitError on a non-zero exit unless `allowFailure`. */
export function git(cwd: string, args: string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", [...GIT_CONFIG, ...args], {
      cwd,
      env: { ...process.env, ...GIT_ENV, ...options.env },
      stdio: "pipe",
    });
    child.stdin.on("error", () => undefined); // git may exit before reading; its exit code tells
    child.stdin.end(options.input ?? "");
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => reject(new GitError(args, { code: 127, stdout: "", stderr: `cannot run git: ${error.message}`, raw: Buffer.alloc(0) })));
    child.on("close", (code) => {
      const raw = Buffer.concat(out);
      const result = { code: code ?? 1, stdout: raw.toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), raw };
      if (result.code !== 0 && !options.allowFailure) reject(new GitError(args, result));
      else resolve(result);
    });
  });
}
