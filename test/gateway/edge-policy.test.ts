// The edge rules of the policy pack (policy/rules/edge.ts): every case of edge-policy-cases.ts
// (exact messages), and every shipped stack's recorded Gateway passes on both rule sources.
import { describe, expect, it } from "vitest";
import { edgeRules, GATEWAY } from "../../policy/rules/edge";
import { CIS_NAME, EKS_BP_NAME } from "../../policy/rules/define";
import { recordedStack, listStacks } from "../harness/stacks";
import { runRule, runRulesOn } from "../policy/adapter";
import { recordedToPolicyResources } from "../policy/recorded";
import { edgeCases } from "./edge-policy-cases";

describe.each(edgeCases.map((cases) => [cases.rule.name, cases] as const))("rule %s", (_name, cases) => {
  it("names its sources and is mandatory", () => {
    expect(cases.rule.description).toContain(CIS_NAME);
    expect(cases.rule.description).toContain(EKS_BP_NAME);
    expect(cases.rule.enforcementLevel).toBe("mandatory");
  });

  it.each(cases.pass.map((c) => [c.title, c] as const))("accepts: %s", async (_title, c) => {
    expect(await runRule(cases.rule, c.resources)).toEqual([]);
  });

  it.each(cases.fail.map((c) => [c.title, c] as const))("rejects: %s", async (_title, c) => {
    expect((await runRule(cases.rule, c.resources)).map((v) => v.message)).toEqual(c.messages);
  });
});

describe("every edge rule has cases", () => {
  it("one RuleCases per rule", () => {
    expect(edgeCases.map((c) => c.rule.name)).toEqual(edgeRules.map((rule) => rule.name));
  });
});

describe.each(listStacks())("the edge rules over stack %s", (stack) => {
  it("check its Gateway and find nothing", async () => {
    const resources = recordedToPolicyResources(recordedStack(stack).resources);
    expect(resources.filter((r) => r.type === GATEWAY).map((r) => r.name)).toEqual([expect.stringMatching(/-gateway-gateway$/)]);
    expect(await runRulesOn(edgeRules, resources)).toEqual([]);
  });
});
