// Evaluates the `rules:` of a generated .gitlab-ci.yml for a given pipeline context, for the
// expression forms the template uses (`$A == "x"`, `$A == $B`, `!=`, `&&`). Anything else
// throws, so a new kind of rule cannot pass the tests unevaluated.

export type Context = Record<string, string | undefined>;
export interface Rule {
  if?: string;
  when?: string;
}

function operand(token: string, context: Context): string | undefined {
  if (/^\$\w+$/.test(token)) return context[token.slice(1)];
  const quoted = token.match(/^"([^"]*)"$/);
  if (quoted) return quoted[1];
  throw new Error(`unsupported operand in rules:if: ${token}`);
}

function comparison(expression: string, context: Context): boolean {
  const match = expression.trim().match(/^(\S+)\s*(==|!=)\s*(\S+)$/);
  if (!match) throw new Error(`unsupported rules:if expression: ${expression}`);
  const [, left, op, right] = match;
  const equal = operand(left, context) === operand(right, context);
  return op === "==" ? equal : !equal;
}

export function evaluateIf(expression: string, context: Context): boolean {
  return expression.split("&&").every((part) => comparison(part, context));
}

/** The `when` GitLab applies: the first matching rule's (default on_success), or "never". */
export function ruleOutcome(rules: Rule[], context: Context): string {
  for (const rule of rules) {
    if (rule.if === undefined || evaluateIf(rule.if, context)) return rule.when ?? "on_success";
  }
  return "never";
}

type Mapping = Record<string, unknown>;
export const isMapping = (value: unknown): value is Mapping => typeof value === "object" && value !== null && !Array.isArray(value);

/** GitLab's `extends` for job `name`: the parents' keys deep-merged under the job's own (mappings merge, lists are replaced). */
export function resolvedJob(pipeline: Mapping, name: string): Mapping {
  const merge = (base: Mapping, over: Mapping): Mapping =>
    Object.fromEntries(
      [...new Set([...Object.keys(base), ...Object.keys(over)])].map((k) => [
        k,
        isMapping(base[k]) && isMapping(over[k]) ? merge(base[k], over[k]) : k in over ? over[k] : base[k],
      ]),
    );
  const job = pipeline[name];
  if (!isMapping(job)) throw new Error(`no job ${name} in the pipeline`);
  const parents = job.extends === undefined ? [] : ([] as string[]).concat(job.extends as string | string[]);
  const { extends: _extends, ...own } = job;
  return parents.map((parent) => resolvedJob(pipeline, parent)).reduceRight((acc, parent) => merge(parent, acc), own);
}
