// Small constructors for holodeck's rules, so each rule states only what it checks, where
// that check comes from, and how hard it is enforced.
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { Props } from "./props";

/** Where a rule comes from; every rule names at least one published source. */
export interface RuleSource {
  /** e.g. `5.3.1 Ensure Kubernetes Secrets are encrypted using CMKs managed in AWS KMS` */
  cis?: string;
  /** e.g. `Security › Data encryption and secrets management › Rotate your CMKs periodically` */
  eksBestPractices?: string;
}

export const CIS_NAME = "CIS Amazon EKS Benchmark v1.0.1";
export const EKS_BP_NAME = "Amazon EKS Best Practices Guide";

export function describeSource(source: RuleSource): string {
  const parts: string[] = [];
  if (source.cis) parts.push(`${CIS_NAME} ${source.cis}`);
  if (source.eksBestPractices) parts.push(`${EKS_BP_NAME}: ${source.eksBestPractices}`);
  if (parts.length === 0) throw new Error("policy rule without a source: name the CIS or EKS Best Practices section");
  return parts.join("; ");
}

/** Stack name from a URN `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
  const head = urn.split("::")[0] ?? "";
  return head.split(":")[2] ?? "";
}

/** Production stacks are named `production-<region>` (stacks/Pulumi.<stack>.yaml). */
export function isProductionUrn(urn: string): boolean {
  return stackOfUrn(urn).startsWith("production-");
}

interface RuleSpec {
  name: string;
  summary: string;
  source: RuleSource;
  enforcementLevel: Extract<EnforcementLevel, "mandatory" | "advisory">;
}

export interface ResourceRuleSpec extends RuleSpec {
  /** Pulumi type tokens the rule looks at; every other resource passes. */
  types: readonly string[];
  /** Only stacks named `production-*` are checked (e.g. HA, admin login). */
  productionOnly?: boolean;
  check: (props: Props, report: ReportViolation, args: ResourceValidationArgs) => void;
}

export interface HolodeckResourceRule extends ResourceValidationPolicy {
  enforcementLevel: "mandatory" | "advisory";
  types: readonly string[];
}

export function resourceRule(spec: ResourceRuleSpec): HolodeckResourceRule {
  return {
    name: spec.name,
    description: `${spec.summary} Source: ${describeSource(spec.source)}.`,
    enforcementLevel: spec.enforcementLevel,
    types: spec.types,
    validateResource: (args, report) => {
      if (!spec.types.includes(args.type)) return;
      if (spec.productionOnly && !isProductionUrn(args.urn)) return;
      spec.check(args.props, report, args);
    },
  };
}

export interface StackRuleSpec extends RuleSpec {
  check: (resources: readonly PolicyResource[], report: ReportViolation) => void;
}

export interface HolodeckStackRule extends StackValidationPolicy {
  enforcementLevel: "mandatory" | "advisory";
}

export function stackRule(spec: StackRuleSpec): HolodeckStackRule {
  return {
    name: spec.name,
    description: `${spec.summary} Source: ${describeSource(spec.source)}.`,
    enforcementLevel: spec.enforcementLevel,
    validateStack: (args, report) => spec.check(args.resources, report),
  };
}

export type HolodeckRule = HolodeckResourceRule | HolodeckStackRule;

/**
 * True when `resource` uses `target`. With `viaProperty`, only that input counts when the
 * engine reports per-property dependencies (a dependsOn on a whole component would
 * otherwise pull in every child); without them, any dependency counts.
 */
export function dependsOn(resource: PolicyResource, target: PolicyResource, viaProperty?: string): boolean {
  const byProperty = viaProperty === undefined ? undefined : resource.propertyDependencies[viaProperty];
  const deps = byProperty ?? resource.dependencies;
  return deps.some((dep) => dep.urn === target.urn);
}

/** Resources of one of `types` that use `target` (through `viaProperty`, when known). */
export function usersOf(resources: readonly PolicyResource[], target: PolicyResource, types: readonly string[], viaProperty?: string): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type) && dependsOn(r, target, viaProperty));
}
