// Every rule of the pack: at least one accepted and one rejected case, exact messages.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_RULES } from "../../policy/rules";
import { CIS_NAME, EKS_BP_NAME } from "../../policy/rules/define";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../../policy/rules/eks-cluster";
import { REQUIRED_TAGS } from "../../policy/rules/tags";
import { KUBERNETES_VERSIONS } from "../../model";
import { REQUIRED_TAGS as CONFIG_REQUIRED_TAGS } from "../../stacks/config-rules";
import { runRule } from "./adapter";
import { clusterAddonCases } from "./cases/cluster-addons";
import { dataCases } from "./cases/data";
import { eksClusterCases } from "./cases/eks-cluster";
import { iamCases } from "./cases/iam";
import { karpenterCases } from "./cases/karpenter";
import { nodeCases } from "./cases/nodes";
import type { RuleCases } from "./cases/types";
import { edgeCases } from "../gateway/edge-policy-cases";

const ALL_CASES: RuleCases[] = [...eksClusterCases, ...nodeCases, ...iamCases, ...dataCases, ...clusterAddonCases, ...karpenterCases, ...edgeCases];

describe("the rule set", () => {
  it("has at least 25 rules with unique names", () => {
    const names = ALL_RULES.map((rule) => rule.name);
    expect(names.length).toBeGreaterThanOrEqual(25);
    expect(new Set(names).size).toBe(names.length);
  });

  it("names a CIS or EKS Best Practices source and an enforcement level in every rule", () => {
    for (const rule of ALL_RULES) {
      expect(rule.description.includes(CIS_NAME) || rule.description.includes(EKS_BP_NAME), rule.name).toBe(true);
      expect(["mandatory", "advisory"], rule.name).toContain(rule.enforcementLevel);
    }
  });

  it("accepts exactly the Kubernetes versions and requires exactly the tags that stack config does", () => {
    // Two lists on purpose (the pack also guards stacks that bypass config), kept equal here.
    expect([...SUPPORTED_KUBERNETES_VERSIONS]).toEqual([...KUBERNETES_VERSIONS]);
    expect([...REQUIRED_TAGS]).toEqual([...CONFIG_REQUIRED_TAGS]);
  });

  it("documents every rule with its enforcement level in docs/policy.md", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "policy.md"), "utf8");
    for (const rule of ALL_RULES) expect(doc, rule.name).toContain(`| \`${rule.name}\` | ${rule.enforcementLevel} |`);
    const advisory = ALL_RULES.filter((rule) => rule.enforcementLevel === "advisory");
    for (const rule of advisory) expect(doc.split("## Why the advisory rules are advisory")[1], rule.name).toContain(`| \`${rule.name}\` |`);
  });

  it("has a passing and a failing case for every rule, and no case for a rule outside the pack", () => {
    const tested = new Map(ALL_CASES.map((cases) => [cases.rule.name, cases]));
    for (const rule of ALL_RULES) {
      const cases = tested.get(rule.name);
      expect(cases, `cases for ${rule.name}`).toBeDefined();
      expect(cases!.pass.length, rule.name).toBeGreaterThan(0);
      expect(cases!.fail.length, rule.name).toBeGreaterThan(0);
    }
    expect([...tested.keys()].sort()).toEqual(ALL_RULES.map((rule) => rule.name).sort());
  });
});

for (const { rule, pass, fail } of ALL_CASES) {
  describe(`${rule.name} (${rule.enforcementLevel})`, () => {
    it.each(pass)("accepts: $title", async ({ resources }) => {
      expect(await runRule(rule, resources)).toEqual([]);
    });
    it.each(fail)("rejects: $title", async ({ resources, messages }) => {
      const violations = await runRule(rule, resources);
      expect(violations.map((violation) => violation.message)).toEqual(messages);
      expect(new Set(violations.map((violation) => violation.level))).toEqual(new Set([rule.enforcementLevel]));
    });
  });
}
