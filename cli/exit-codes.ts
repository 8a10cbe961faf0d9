/** Exit codes of `holodeck` and `npm run plan`, with what each means (docs/services-root.md, `--help`). */
const EXIT_TABLE = {
  ok: { code: 0, meaning: "success (also when there was nothing to change)" },
  invalid: { code: 1, meaning: "validation errors (config, services-root entries), or the request was refused" },
  usage: { code: 2, meaning: "usage error (unknown/missing flag, malformed value, unknown stack)" },
  git: { code: 3, meaning: "git/repository error (fetch, authentication, protected branch)" },
  conflict: { code: 4, meaning: "push still rejected after all retries" },
  internal: { code: 5, meaning: "internal error" },
} as const;

type ExitName = keyof typeof EXIT_TABLE;

export const EXIT = Object.fromEntries(Object.entries(EXIT_TABLE).map(([name, { code }]) => [name, code])) as {
  readonly [N in ExitName]: (typeof EXIT_TABLE)[N]["code"];
};

export const EXIT_CODES_HELP = `\nExit codes:\n${Object.values(EXIT_TABLE)
  .map(({ code, meaning }) => `  ${code}  ${meaning}`)
  .join("\n")}`;
