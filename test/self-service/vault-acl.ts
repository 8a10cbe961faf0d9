// A MODEL of Vault's ACL evaluation for the policy subset holodeck writes (no Vault server can be
// built here in CI's time: the Vault module takes over 90 minutes, OpenBao is not served). It
// follows Vault's documented rules ("Policies: priority matching"): an exact path beats a glob,
// among globs (a trailing `*`) the longest prefix wins; the capabilities of the winning rule
// decide, and `deny` on a rule (or on any policy's rule of that path) refuses everything;
// `denied_parameters` refuses a write that sends a listed key with a listed value (`[]`: any value),
// checked before `allowed_parameters`, which limits the keys (and, with values, the values; `*`
// globs) a write may send. LIST requests are checked with a trailing `/`, as Vault's HTTP layer
// appends it. Segment wildcards (`+`), `required_parameters` and templated paths are refused:
// holodeck uses none.

export type Capability = "create" | "read" | "update" | "patch" | "delete" | "list" | "deny";

export interface PathRule {
  path: string;
  capabilities: Capability[];
  /** Key -> allowed values ([] = any value); undefined = any key. */
  allowedParameters?: Record<string, string[]>;
  /** Key -> denied values ([] = any value). */
  deniedParameters?: Record<string, string[]>;
}

const BLOCK = /path "([^"]+)" \{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g;

/** The path rules of one HCL policy, as team-sync.py and human-access-policy.ts write them. */
export function parsePolicy(hcl: string): PathRule[] {
  const rules = [...hcl.matchAll(BLOCK)].map((m) => ruleOf(m[1], m[2]));
  const stripped = hcl.replace(BLOCK, "").trim();
  if (stripped !== "") throw new Error(`policy has text outside path blocks: ${stripped}`);
  return rules;
}

function ruleOf(path: string, body: string): PathRule {
  if (path.includes("+") || path.includes("{{")) throw new Error(`path "${path}": segment wildcards and templates are not modelled`);
  if (/required_parameters/.test(body)) throw new Error(`path "${path}": required_parameters is not modelled`);
  const caps = /capabilities = \[([^\]]*)\]/.exec(body);
  if (!caps) throw new Error(`path "${path}": no capabilities`);
  const capabilities = [...caps[1].matchAll(/"([a-z]+)"/g)].map((m) => m[1] as Capability);
  const rule: PathRule = { path, capabilities };
  const allowed = parameterBlock(body, "allowed_parameters");
  if (allowed) rule.allowedParameters = allowed;
  const denied = parameterBlock(body, "denied_parameters");
  if (denied) rule.deniedParameters = denied;
  return rule;
}

/** A `<block> = { "key" = ["value", ...] ... }` of a rule body, as key -> values. */
function parameterBlock(body: string, block: string): Record<string, string[]> | undefined {
  const found = new RegExp(`${block} = \\{([^}]*)\\}`).exec(body);
  if (!found) return undefined;
  return Object.fromEntries([...found[1].matchAll(/"([^"]+)" = \[([^\]]*)\]/g)].map((m) => [m[1], [...m[2].matchAll(/"([^"]*)"/g)].map((v) => v[1])]));
}

/** The rule Vault applies to `path` among `rules`: the exact one, else the longest matching glob. */
export function ruleFor(rules: PathRule[], path: string): PathRule | undefined {
  const exact = rules.find((r) => !r.path.endsWith("*") && r.path === path);
  if (exact) return exact;
  return rules.filter((r) => r.path.endsWith("*") && path.startsWith(r.path.slice(0, -1))).sort((a, b) => b.path.length - a.path.length)[0];
}

const globMatch = (pattern: string, value: string): boolean => (pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : pattern === value);

/** One ACL of a token's policies, as Vault builds it: rules of the same path merged (capabilities and allowed parameters unioned). */
export function mergePolicies(policies: PathRule[][]): PathRule[] {
  const byPath = new Map<string, PathRule>();
  for (const rule of policies.flat()) {
    const seen = byPath.get(rule.path);
    if (!seen) {
      byPath.set(rule.path, { ...rule, capabilities: [...rule.capabilities] });
      continue;
    }
    seen.capabilities = [...new Set([...seen.capabilities, ...rule.capabilities])];
    if (seen.deniedParameters || rule.deniedParameters) {
      throw new Error(`path "${rule.path}": merging denied_parameters of two policies is not modelled`);
    }
    seen.allowedParameters =
      seen.allowedParameters && rule.allowedParameters
        ? Object.fromEntries(
            [...new Set([...Object.keys(seen.allowedParameters), ...Object.keys(rule.allowedParameters)])].map((k) => [
              k,
              [...(seen.allowedParameters?.[k] ?? []), ...(rule.allowedParameters?.[k] ?? [])],
            ]),
          )
        : undefined;
  }
  return [...byPath.values()];
}

/** Whether a token with these policies may do `capability` on `path` with these request parameters. */
export function allows(policies: PathRule[][], capability: Capability, path: string, parameters: Record<string, unknown> = {}): boolean {
  const checked = capability === "list" && !path.endsWith("/") ? `${path}/` : path;
  const rule = ruleFor(mergePolicies(policies), checked);
  if (!rule?.capabilities.includes(capability) || rule.capabilities.includes("deny")) return false;
  const valuesOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);
  const denied = Object.entries(parameters).some(([key, value]) => {
    const patterns = rule.deniedParameters?.[key];
    if (patterns === undefined) return false;
    return patterns.length === 0 || valuesOf(value).some((v) => patterns.some((pattern) => globMatch(pattern, v)));
  });
  if (denied) return false;
  if (!rule.allowedParameters) return true;
  return Object.entries(parameters).every(([key, value]) => {
    const allowed = rule.allowedParameters?.[key];
    if (allowed === undefined) return false;
    if (allowed.length === 0) return true;
    return valuesOf(value).every((v) => allowed.some((pattern) => globMatch(pattern, v)));
  });
}
