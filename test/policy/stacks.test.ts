// The whole pack over every shipped stack, as recorded by the harness: no mandatory
// violation may remain; advisory ones are printed so reviewers see them.
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_RULES } from "../../policy/rules";
import { listStacks, runStack, type StackRecording } from "../harness/run-stack";
import { runRulesOn, type Violation } from "./adapter";
import { recordedToPolicyResources } from "./recorded";

const stacks = listStacks();
const results = new Map<string, { recording: StackRecording; violations: Violation[] }>();

beforeAll(async () => {
  // One program run per stack for the whole file (runs must not overlap).
  for (const stack of stacks) {
    const recording = await runStack(stack);
    results.set(stack, { recording, violations: await runRulesOn(ALL_RULES, recordedToPolicyResources(recording.resources)) });
  }
});

const format = (v: Violation) => `${v.rule} on ${v.name}: ${v.message}`;

describe.each(stacks)("policy pack over stack %s", (stack) => {
  it("has no mandatory violation", () => {
    const mandatory = results.get(stack)!.violations.filter((v) => v.level === "mandatory");
    expect(mandatory.map(format)).toEqual([]);
  });

  it("lists its advisory findings", () => {
    const advisory = results.get(stack)!.violations.filter((v) => v.level === "advisory");
    console.info(`[${stack}] ${advisory.length} advisory finding(s)${advisory.map((v) => `\n  - ${format(v)}`).join("")}`);
    expect(advisory.every((v) => ALL_RULES.some((rule) => rule.name === v.rule && rule.enforcementLevel === "advisory"))).toBe(true);
  });

  it("actually examined the stack's security-relevant resources", () => {
    const types = new Set(results.get(stack)!.recording.resources.map((r) => r.type));
    for (const type of ["aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:ec2/launchTemplate:LaunchTemplate", "aws:kms/key:Key", "aws:iam/role:Role", "aws:ec2/vpc:Vpc"]) {
      expect(types, type).toContain(type);
    }
  });
});
