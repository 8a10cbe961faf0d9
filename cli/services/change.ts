import { WorkingCopy, type WorkingCopyOptions } from "./working-copy";
import { PushConflictError } from "../errors";

export { PushConflictError, RefusedError } from "../errors";

/** One file to write and the commit message that explains it. */
export interface Change {
  path: string;
  content: string;
  message: string;
}

export interface ChangeResult {
  status: "committed" | "unchanged";
  path: string;
  /** the new commit, or the branch tip when nothing changed */
  commit: string;
  attempts: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 20, baseDelayMs: 250, maxDelayMs: 8_000 };

/**
 * Exponential backoff with full jitter (a random delay in [0, ceiling]): of the usual jitter
 * schemes it spreads competing jobs widest, so the fewest of them collide again.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fetch, compute the change on the latest tip, commit, push; when the push is rejected, start
 * again from the new tip. Re-computing the change on the fresh tip is the rebase: our commit
 * touches one file, so replaying it can never conflict, and `plan` may refuse when the fresh
 * state no longer allows it (e.g. a rollback whose base moved).
 */
export async function applyChange(
  options: WorkingCopyOptions & { retry: RetryPolicy; log: (line: string) => void },
  plan: (copy: WorkingCopy, attempt: number) => Change | Promise<Change>,
): Promise<ChangeResult> {
  const copy = await WorkingCopy.open(options);
  try {
    for (let attempt = 1; ; attempt++) {
      await copy.sync();
      const change = await plan(copy, attempt);
      const commit = await copy.commitFile(change.path, change.content, change.message);
      if (commit === undefined) {
        return { status: "unchanged", path: change.path, commit: await copy.head(), attempts: attempt };
      }
      if ((await copy.push()) === "pushed") return { status: "committed", path: change.path, commit, attempts: attempt };
      if (attempt >= options.retry.maxAttempts) {
        throw new PushConflictError(`push of ${change.path} still rejected after ${attempt} attempts (others kept pushing first); re-run the job`);
      }
      const delay = backoffDelay(attempt, options.retry);
      options.log(`push rejected (attempt ${attempt}/${options.retry.maxAttempts}): fetching the new tip and retrying in ${delay} ms`);
      await sleep(delay);
    }
  } finally {
    copy.dispose();
  }
}
