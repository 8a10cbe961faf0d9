import type { HolodeckRule } from "../../../policy/rules/define";
import type { FakeResource } from "../adapter";

/** A set of resources the rule must accept (no violation at all). */
export interface PassCase {
  title: string;
  resources: FakeResource[];
}

/** A set of resources the rule must reject with exactly these messages (in order). */
export interface FailCase extends PassCase {
  messages: string[];
}

export interface RuleCases {
  rule: HolodeckRule;
  pass: PassCase[];
  fail: FailCase[];
}

export const PROD = "production-eu-west-1";
export const STAGING = "staging-eu-west-1";

/** One resource of `type` with `props` (name defaults to the type's last segment). */
export function res(type: string, props: Record<string, unknown>, extra: Partial<FakeResource> = {}): FakeResource {
  return { type, name: extra.name ?? type.split(":").pop()!.toLowerCase(), props, ...extra };
}
