// The Karpenter rules: their cases (exact messages), and every shipped stack's EC2NodeClass
// passes them with the stack's real subnets (only the private ones carry the discovery tag).
import { describe, expect, it } from "vitest";
import { EC2_NODE_CLASS, karpenterRules } from "../../policy/rules/karpenter";
import { listStacks, recordedStack } from "../harness/stacks";
import { runRule, runRulesOn } from "./adapter";
import { karpenterCases } from "./cases/karpenter";
import { recordedToPolicyResources } from "./recorded";

describe("Karpenter rule cases", () => {
  it("covers every Karpenter rule", () => {
    expect(karpenterCases.map((c) => c.rule.name)).toEqual(karpenterRules.map((rule) => rule.name));
  });
  for (const { rule, pass, fail } of karpenterCases) {
    describe(`${rule.name} (${rule.enforcementLevel})`, () => {
      it.each(pass)("accepts: $title", async ({ resources }) => {
        expect(await runRule(rule, resources)).toEqual([]);
      });
      it.each(fail)("rejects: $title", async ({ resources, messages }) => {
        const violations = await runRule(rule, resources);
        expect(violations.map((violation) => violation.message)).toEqual(messages);
      });
    });
  }
});

describe.each(listStacks())("Karpenter rules over stack %s", (stack) => {
  it("check its one EC2NodeClass and find nothing", async () => {
    const resources = recordedToPolicyResources(recordedStack(stack).resources);
    expect(resources.filter((r) => r.type === EC2_NODE_CLASS).map((r) => r.name)).toHaveLength(1);
    expect(await runRulesOn(karpenterRules, resources)).toEqual([]);
  });
});
