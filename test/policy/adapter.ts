// A tiny typed stand-in for the policy engine: builds the argument bags @pulumi/policy
// hands to validateResource / validateStack and collects what the rules report.
import type { PolicyProviderResource, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import type { HolodeckRule } from "../../policy/rules/define";

export interface FakeResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** Stack the resource belongs to (decides production-only rules); default staging. */
  stack?: string;
  protect?: boolean;
  provider?: { type: string; name: string; props: Record<string, unknown> };
  /** Names of resources (in the same list) this one depends on. */
  dependsOn?: string[];
  /** Per input: names of resources that input comes from. */
  propertyDependsOn?: Record<string, string[]>;
  parent?: string;
}

export interface Violation {
  rule: string;
  level: "mandatory" | "advisory";
  name: string;
  message: string;
}

export function urnOf(resource: Pick<FakeResource, "type" | "name" | "stack">): string {
  return `urn:pulumi:${resource.stack ?? "staging-eu-west-1"}::holodeck::${resource.type}::${resource.name}`;
}

function optionsOf(resource: FakeResource): PolicyResourceOptions {
  return {
    protect: resource.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    parent: resource.parent,
  };
}

function providerOf(resource: FakeResource): PolicyProviderResource | undefined {
  const provider = resource.provider;
  return provider && { ...provider, urn: urnOf({ ...provider, stack: resource.stack }) };
}

function typeChecks(type: string) {
  const isType = (resourceClass: object): boolean => Reflect.get(resourceClass, "__pulumiType") === type;
  return { isType, asType: () => undefined };
}

const configAndApplicability = {
  getConfig: <T extends object>(): T => ({}) as T,
  notApplicable: (reason?: string): never => {
    throw new Error(`not applicable: ${reason ?? ""}`);
  },
};

/** What validateResource receives for one resource of the (already linked) graph. */
function resourceArgs(resource: PolicyResource): ResourceValidationArgs {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: resource.props,
    opts: resource.opts,
    provider: resource.provider,
    stackTags: new Map(),
    ...typeChecks(resource.type),
    ...configAndApplicability,
  };
}

/** Links FakeResources into the engine's PolicyResource graph (dependencies by name). */
export function policyResources(resources: readonly FakeResource[]): PolicyResource[] {
  const byName = new Map<string, PolicyResource>();
  const built = resources.map((resource) => {
    const policyResource: PolicyResource = {
      type: resource.type,
      name: resource.name,
      urn: urnOf(resource),
      props: resource.props,
      opts: optionsOf(resource),
      provider: providerOf(resource),
      dependencies: [],
      propertyDependencies: {},
      ...typeChecks(resource.type),
    };
    byName.set(resource.name, policyResource);
    return policyResource;
  });
  const lookup = (name: string): PolicyResource => {
    const found = byName.get(name);
    if (!found) throw new Error(`fake resource depends on unknown resource '${name}'`);
    return found;
  };
  resources.forEach((resource, index) => {
    const target = built[index];
    target.dependencies = (resource.dependsOn ?? []).map(lookup);
    for (const [input, names] of Object.entries(resource.propertyDependsOn ?? {})) {
      target.propertyDependencies[input] = names.map(lookup);
    }
    if (resource.parent) target.parent = lookup(resource.parent);
  });
  return built;
}

/** Runs one rule over a linked resource graph the way `pulumi preview --policy-pack` would. */
export async function runRuleOn(rule: HolodeckRule, resources: readonly PolicyResource[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  const collect = (owner: PolicyResource | undefined) => (message: string, urn?: string) => {
    const reported = urn ? resources.find((r) => r.urn === urn) : owner;
    violations.push({ rule: rule.name, level: rule.enforcementLevel, name: reported?.name ?? urn ?? "stack", message });
  };
  if ("validateStack" in rule) {
    const args: StackValidationArgs = { resources: [...resources], stackTags: new Map(), ...configAndApplicability };
    await rule.validateStack(args, collect(undefined));
    return violations;
  }
  const validations = [rule.validateResource ?? []].flat();
  for (const resource of resources) {
    for (const validate of validations) await validate(resourceArgs(resource), collect(resource));
  }
  return violations;
}

export async function runRule(rule: HolodeckRule, resources: readonly FakeResource[]): Promise<Violation[]> {
  return runRuleOn(rule, policyResources(resources));
}

export async function runRulesOn(rules: readonly HolodeckRule[], resources: readonly PolicyResource[]): Promise<Violation[]> {
  const all = await Promise.all(rules.map((rule) => runRuleOn(rule, resources)));
  return all.flat();
}
