/** Error kinds the CLI maps to exit codes (see exit-codes.ts). */

/** Bad command-line input discovered after parsing (a missing directory, a foreign working copy). */
export class UsageError extends Error {}

/** The request contradicts the repository (missing service, nothing to roll back to...). */
export class RefusedError extends Error {}

/** Every attempt lost the race to other pushers. */
export class PushConflictError extends Error {}
