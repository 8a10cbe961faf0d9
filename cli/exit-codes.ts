/** Exit codes of `holodeck` (documented in docs/services-root.md and in `holodeck --help`). */
export const EXIT = {
  /** done (including "nothing to change") */
  ok: 0,
  /** validation found errors, or the request was refused (missing service, nothing to roll back) */
  invalid: 1,
  /** bad command line: unknown flag, missing flag, malformed value */
  usage: 2,
  /** git or repository failure: clone/fetch failed, authentication, protected branch */
  git: 3,
  /** the push kept being rejected after every retry (others pushed first each time) */
  conflict: 4,
  /** a bug in the CLI */
  internal: 5,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success (also when there was nothing to change)
  1  validation errors, or the request was refused
  2  usage error (unknown/missing flag, malformed value)
  3  git/repository error (fetch, authentication, protected branch)
  4  push still rejected after all retries
  5  internal error`;
