// Every shipped stack's EC2NodeClass passes the Karpenter rules with the stack's real subnets
// (only the private ones carry the discovery tag). The rules' own cases (exact messages) run with
// every other rule's in rules.test.ts.
import { describe, expect, it } from "vitest";
import { EC2_NODE_CLASS, karpenterRules } from "../../policy/rules/karpenter";
import { listStacks, recordedStack } from "../harness/stacks";
import { runRulesOn } from "./adapter";
import { recordedToPolicyResources } from "./recorded";

describe.each(listStacks())("Karpenter rules over stack %s", (stack) => {
  it("check its one EC2NodeClass and find nothing", async () => {
    const resources = recordedToPolicyResources(recordedStack(stack).resources);
    expect(resources.filter((r) => r.type === EC2_NODE_CLASS).map((r) => r.name)).toHaveLength(1);
    expect(await runRulesOn(karpenterRules, resources)).toEqual([]);
  });
});
