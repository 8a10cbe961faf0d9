// The whole pack over every shipped stack, as recorded by the harness: no mandatory
// violation may remain; advisory ones are printed so reviewers see them.
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_RULES } from "../../policy/rules";
import { recordedStack, listStacks, type StackRecording } from "../harness/stacks";
import { runRulesOn, type Violation } from "./adapter";
import { recordedToPolicyResources } from "./recorded";

const stacks = listStacks();
const results = new Map<string, { recording: StackRecording; violations: Violation[] }>();

beforeAll(async () => {
  // One program run per stack for the whole file (runs must not overlap).
  for (const stack of stacks) {
    const recording = recordedStack(stack);
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

  it("finds something to check for every resource rule (a renamed type token would make a rule silently pass)", () => {
    const types = new Set(results.get(stack)!.recording.resources.map((r) => r.type));
    const idle = ALL_RULES.filter((rule) => "types" in rule && !rule.types.some((type) => types.has(type))).map((rule) => rule.name);
    // Pulumi makes no ClusterRoleBinding today; that rule guards against adding one.
    const mayBeIdle = ["k8s-no-cluster-admin-binding"];
    expect(idle.filter((name) => !mayBeIdle.includes(name))).toEqual([]);
  });

  it("actually examined the stack's security-relevant resources", () => {
    const types = new Set(results.get(stack)!.recording.resources.map((r) => r.type));
    // Subjects of the stack-level rules (buckets, VPC, subnets) and the core resource rules.
    for (const type of [
      "aws:eks/cluster:Cluster",
      "aws:eks/nodeGroup:NodeGroup",
      "aws:ec2/launchTemplate:LaunchTemplate",
      "aws:kms/key:Key",
      "aws:iam/role:Role",
      "aws:ec2/vpc:Vpc",
      "aws:ec2/subnet:Subnet",
      "aws:s3/bucket:Bucket",
      "kubernetes:helm.sh/v3:Release",
    ]) {
      expect(types, type).toContain(type);
    }
  });
});
