// The offline plan: dependency graph + critical path, cost model, and the CLI end to end.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildGraph, criticalPath } from "../../cli/plan/graph";
import { estimateCost } from "../../cli/plan/costs";
import { buildReport, renderText, type PlanReport } from "../../cli/plan/report";
import { fakeResource, recordedStack, REPO_ROOT, type RecordedResource, type StackRecording } from "../harness/stacks";

const resource = (urn: string, type: string, extra: Partial<RecordedResource> = {}): RecordedResource => fakeResource(type, urn, extra);

describe("critical path", () => {
  it("follows the longest chain through dependencies, providers and components", () => {
    const resources = [
      resource("vpc", "aws:ec2/vpc:Vpc"), // 15 s
      resource("nat", "aws:ec2/natGateway:NatGateway", { dependsOn: ["vpc"] }), // 120 s
      resource("comp", "holodeck:x:Comp", { custom: false }),
      resource("cluster", "aws:eks/cluster:Cluster", { dependsOn: ["vpc"], parent: "comp" }), // 600 s
      resource("k8s", "pulumi:providers:kubernetes", { dependsOn: ["comp"] }),
      resource("release", "kubernetes:helm.sh/v3:Release", { provider: "k8s::k8s-id" }), // 120 s
    ];
    const result = criticalPath(buildGraph(resources));
    expect(result.totalSeconds).toBe(15 + 600 + 120);
    expect(result.path.map((n) => [n.urn, n.start, n.finish])).toEqual([
      ["vpc", 0, 15],
      ["cluster", 15, 615],
      ["release", 615, 735],
    ]);
  });

  it("refuses a dependency cycle", () => {
    const resources = [resource("a", "aws:iam/role:Role", { dependsOn: ["b"] }), resource("b", "aws:iam/role:Role", { dependsOn: ["a"] })];
    expect(() => criticalPath(buildGraph(resources))).toThrow("dependency cycle through");
  });
});

describe("cost of Services", () => {
  const recording = (resources: RecordedResource[]): StackRecording => ({
    stack: "synthetic-eu-west-1",
    resources,
    outputs: {},
    secretOutputs: [],
    byType: (type) => resources.filter((r) => r.type === type),
    one: () => {
      throw new Error("not used");
    },
  });
  const subnet = (name: string, role: string) => resource(name, "aws:ec2/subnet:Subnet", { inputs: { tags: { [role]: "1" } } });
  const service = (name: string, type: string, scheme?: string) =>
    resource(name, "kubernetes:core/v1:Service", {
      inputs: { metadata: { annotations: scheme ? { "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme } : {} }, spec: { type } },
    });

  it("prices only LoadBalancer Services, with public IPv4 only when internet-facing", () => {
    const rec = recording([
      subnet("pub-a", "kubernetes.io/role/elb"),
      subnet("pub-b", "kubernetes.io/role/elb"),
      subnet("priv-a", "kubernetes.io/role/internal-elb"),
      service("web", "ClusterIP"),
      service("public", "LoadBalancer", "internet-facing"),
      service("internal", "LoadBalancer"),
    ]);
    expect(estimateCost(rec, "eu-west-1").lines.map((l) => [l.name, l.monthlyUsd, l.detail])).toEqual([
      ["public", 30.08, "NLB (internet-facing, 2 public IPv4) + 1 NLCU assumed (traffic not included)"],
      ["internal", 22.78, "NLB (internal) + 1 NLCU assumed (traffic not included)"],
    ]);
  });
});

describe("plan report of staging-eu-west-1", () => {
  let rec: StackRecording;
  let report: PlanReport;
  beforeAll(() => {
    rec = recordedStack("staging-eu-west-1");
    report = buildReport(rec, "eu-west-1");
  });

  it("counts every recorded resource, including later layers", () => {
    expect(report.resourceCount).toBe(rec.resources.length);
    expect(Object.values(report.countsByType).reduce((a, b) => a + b, 0)).toBe(rec.resources.length);
    expect(report.countsByType["aws:eks/cluster:Cluster"]).toBe(1);
    expect(report.countsByType["aws:ec2/natGateway:NatGateway"]).toBe(1);
    expect(report.countsByType["aws:ec2/subnet:Subnet"]).toBe(6);
    expect(report.tree.map((n) => n.type)).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("masks secret outputs", () => {
    expect(report.outputs.kubeconfig).toBe("[secret]");
    expect(report.outputs.clusterName).toBe("holodeck-staging-eu-west-1");
  });

  it("puts the EKS control plane and a node group on the rebuild's critical path", () => {
    const types = report.rebuild.criticalPath.map((s) => s.type);
    expect(types).toEqual(expect.arrayContaining(["aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup"]));
    expect(report.rebuild.totalSeconds).toBeGreaterThanOrEqual(600 + 240);
    expect(report.rebuild.totalSeconds).toBe(report.rebuild.criticalPath.at(-1)!.finishSeconds);
  });

  it("prices the fixed-rate resources from the eu-west-1 table", () => {
    const line = (name: string, type: string) => report.cost.lines.find((l) => l.name === name && l.type === type)!;
    expect(line("stg-euw1-eks", "aws:eks/cluster:Cluster").monthlyUsd).toBe(73);
    expect(line("stg-euw1-nat-az1", "aws:ec2/natGateway:NatGateway").monthlyUsd).toBe(35.04);
    expect(line("stg-euw1-nat-az1", "aws:ec2/eip:Eip").monthlyUsd).toBe(3.65);
    expect(line("stg-euw1-system-ng", "aws:eks/nodeGroup:NodeGroup")).toEqual({
      type: "aws:eks/nodeGroup:NodeGroup",
      name: "stg-euw1-system-ng",
      monthlyUsd: 124.42,
      detail: "2 x t3a.large + 30 GiB gp3 each",
    });
    expect(report.cost.priceDate).toBe("2025-06");
    expect(report.cost.unpricedInstanceTypes).toEqual([]);
  });

  it("prices the ingress NLB (from its LoadBalancer Service) and every Secrets Manager secret the stack creates", () => {
    // (0.0252 NLB-hour + 1 x 0.006 NLCU-hour + 3 x 0.005 public IPv4) x 730 h
    expect(report.cost.lines.filter((l) => l.type === "kubernetes:core/v1:Service")).toEqual([
      {
        type: "kubernetes:core/v1:Service",
        name: "stg-euw1-bootstrap-gateway-nlb",
        monthlyUsd: 33.73,
        detail: "NLB (internet-facing, 3 public IPv4) + 1 NLCU assumed (traffic not included)",
      },
    ]);
    const secrets = rec.byType("aws:secretsmanager/secret:Secret").map((r) => r.name);
    expect(secrets.length).toBeGreaterThan(0);
    const secretLines = report.cost.lines.filter((l) => l.type === "aws:secretsmanager/secret:Secret");
    expect(secretLines.map((l) => l.name)).toEqual(secrets);
    for (const l of secretLines) expect([l.monthlyUsd, l.detail]).toEqual([0.4, "Secrets Manager secret (API calls not included)"]);
  });

  it("still plans a region without a price table, saying so", () => {
    const elsewhere = buildReport(rec, "eu-north-1");
    expect(elsewhere.cost).toEqual({ region: "eu-north-1", priceDate: "2025-06", monthlyUsd: null, lines: [], unpricedInstanceTypes: [] });
    expect(renderText(elsewhere).split("\n").at(-1)).toBe("Monthly cost estimate: none, cli/plan/prices.ts has no price table for eu-north-1");
    expect(elsewhere.rebuild).toEqual(report.rebuild);
  });
});

// Each case spawns the real CLI (a few seconds each; more on a busy 2-core machine).
describe("npm run plan", { timeout: 240_000 }, () => {
  // Exactly what `npm run plan` runs (package.json).
  const plan = (...args: string[]) =>
    spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(REPO_ROOT, "cli/plan.ts"), ...args], { cwd: REPO_ROOT, encoding: "utf8" });

  it("plans a production stack as JSON, with interface endpoints priced per AZ", () => {
    const run = plan("--stack", "production-eu-central-1", "--json");
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as PlanReport;
    expect(report.stack).toBe("production-eu-central-1");
    expect(report.countsByType["aws:ec2/natGateway:NatGateway"]).toBe(3);
    const endpoints = report.cost.lines.filter((l) => l.detail === "interface endpoint in 3 AZs");
    expect(endpoints.map((l) => l.monthlyUsd)).toEqual([26.28, 26.28, 26.28, 26.28, 26.28]);
  });

  it("plans a what-if config and fails clearly when the program fails", () => {
    const whatIf = plan("-c", "natGateways=perAz", "--json");
    expect(whatIf.status, whatIf.stderr).toBe(0);
    expect((JSON.parse(whatIf.stdout) as PlanReport).countsByType["aws:ec2/natGateway:NatGateway"]).toBe(3);
    const tooManyAzs = plan("--config", "holodeck:azCount=4");
    expect(tooManyAzs.status).toBe(1);
    expect(tooManyAzs.stderr).toContain("azCount 4 but eu-west-1 offers 3 AZs (eu-west-1a, eu-west-1b, eu-west-1c)");
    const badConfig = plan("-c", "kubernetesVersion=1.20");
    expect(badConfig.status).toBe(1);
    expect(badConfig.stderr).toContain('holodeck:kubernetesVersion = "1.20": not an allowed value; allowed: 1.35 | 1.36');
  });

  it("rejects an unknown stack with exit code 2", () => {
    const run = plan("--stack", "staging-mars-1");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown stack "staging-mars-1"; stacks: production-eu-central-1, production-eu-west-1, staging-eu-west-1');
  });
});
