// `npm run plan -- --dr`: exact report on a hand-made recording, and its agreement with the
// plan's own critical path on every shipped stack.
import { beforeAll, describe, expect, it } from "vitest";
import { buildDrReport, renderDr, type DrReport } from "../../cli/plan/dr";
import { buildGraph, criticalPath } from "../../cli/plan/graph";
import { fakeResource, recordedStack, listStacks, type RecordedResource } from "../harness/stacks";

function recorded(name: string, type: string, deps: { data?: string[]; order?: string[] } = {}, extra: Partial<RecordedResource> = {}): RecordedResource {
  const data = (deps.data ?? []).map((d) => `urn:${d}`);
  return fakeResource(type, name, {
    urn: `urn:${name}`,
    dependsOn: [...data, ...(deps.order ?? []).map((d) => `urn:${d}`)],
    propertyDependencies: data.length ? { input: data } : {},
    ...extra,
  });
}

// vpc(15s) -> cluster(600s) -> nodes(240s) ..order..> release(120s); the release needs only the cluster's data.
const small = [
  recorded("vpc", "aws:ec2/vpc:Vpc"),
  recorded("cluster", "aws:eks/cluster:Cluster", { data: ["vpc"] }),
  recorded("nodes", "aws:eks/nodeGroup:NodeGroup", { data: ["cluster"] }),
  recorded("release", "kubernetes:helm.sh/v3:Release", { data: ["cluster"], order: ["nodes"] }),
  recorded("key", "aws:kms/key:Key", {}, { protect: true }),
  recorded("logs", "aws:cloudwatch/logGroup:LogGroup", {}, { retainOnDelete: true }),
];

describe("DR report on a hand-made stack", () => {
  const report = buildDrReport("test-stack", small);

  it("walks the critical path in order with why each step waited", () => {
    expect(report.rebuild.totalSeconds).toBe(975);
    expect(report.rebuild.totalMinutes).toBe(16.3);
    expect(report.rebuild.criticalPath.map((s) => [s.name, s.startSeconds, s.finishSeconds, s.waitedFor?.kind ?? "start"])).toEqual([
      ["vpc", 0, 15, "start"],
      ["cluster", 15, 615, "data"],
      ["nodes", 615, 855, "data"],
      ["release", 855, 975, "dependsOn"],
    ]);
  });

  it("names the ordering-only wait and what removing it would save", () => {
    expect(report.couldRunInParallel).toEqual([
      { waiter: "kubernetes:helm.sh/v3:Release release", waitsFor: "aws:eks/nodeGroup:NodeGroup nodes", savedSeconds: 120 },
    ]);
  });

  it("summarises the destroy: waves, what stays, what is left in AWS", () => {
    expect(report.destroy).toEqual({
      waves: 4,
      deleted: 5,
      keptInStack: ["aws:kms/key:Key key"],
      retainedInCloud: ["aws:cloudwatch/logGroup:LogGroup logs"],
    });
  });

  it("renders the same facts as text", () => {
    const text = renderDr(report);
    expect(text).toContain("Rebuild critical path: 16.3 min modelled");
    expect(text).toContain("   14m15s ->  16m15s  kubernetes:helm.sh/v3:Release  release  <- dependsOn nodes");
    expect(text).toContain("   2m00s  kubernetes:helm.sh/v3:Release release\n          waits for aws:eks/nodeGroup:NodeGroup nodes");
    expect(text).toContain("kept in the stack (protected, and what they need): 1\n    aws:kms/key:Key key");
  });
});

describe.each(listStacks())("DR report of stack %s", (stack) => {
  let report: DrReport;
  let resources: RecordedResource[];
  beforeAll(() => {
    resources = recordedStack(stack).resources;
    report = buildDrReport(stack, resources);
  });

  it("agrees with the plan's critical path and starts from the network", () => {
    const plan = criticalPath(buildGraph(resources));
    expect(report.rebuild.totalSeconds).toBe(plan.totalSeconds);
    expect(report.rebuild.criticalPath.map((s) => s.name)).toEqual(plan.path.map((n) => n.name));
    expect(report.rebuild.criticalPath[0].type).toBe("aws:ec2/vpc:Vpc");
    expect(report.rebuild.criticalPath.map((s) => s.type)).toContain("aws:eks/cluster:Cluster");
  });

  it("rebuilds in 21.3 min modelled, with the bootstrap charts side by side (one Helm release on the path), ending with Vault's people, the team sync (whose policy names the admins' group and alias) and the handoff (the snapshots wait for their Vault role only)", () => {
    expect(report.rebuild.totalMinutes).toBe(21.3);
    const unprefixed = (s: { name: string }): string => s.name.replace(/^[a-z0-9]+-[a-z0-9]+-/, "");
    expect(report.rebuild.criticalPath.filter((s) => s.type === "kubernetes:helm.sh/v3:Release").map(unprefixed)).toEqual(["bootstrap-cert-manager-release"]);
    expect(report.rebuild.criticalPath.slice(-9).map(unprefixed)).toEqual([
      "bootstrap-vault-config-people-platform-admin",
      "bootstrap-vault-config-people-platform-admins-0",
      "bootstrap-vault-config-people-platform-admins-0-alias",
      "bootstrap-vault-config-people-team-sync",
      "bootstrap-vault-config-people-team-sync-role",
      "bootstrap-vault-config-team-sync-sa",
      "bootstrap-vault-config-team-sync-cronjob",
      "bootstrap-handoff-platform-project",
      "bootstrap-handoff-root-app",
    ]);
  });

  it("only lists real dependsOn-only waits, each saving no more than the whole rebuild", () => {
    for (const step of report.couldRunInParallel) {
      expect(step.savedSeconds).toBeGreaterThanOrEqual(0);
      expect(step.savedSeconds).toBeLessThan(report.rebuild.totalSeconds);
    }
    const waits = report.rebuild.criticalPath.filter((s) => s.waitedFor?.kind === "dependsOn").length;
    expect(report.couldRunInParallel.length).toBeGreaterThanOrEqual(waits);
  });

  it("keeps every protected resource and deletes the rest", () => {
    const kept = resources.filter((r) => r.protect).map((r) => `${r.type} ${r.name}`);
    for (const name of kept) expect(report.destroy.keptInStack).toContain(name);
    expect(report.destroy.deleted + report.destroy.keptInStack.length).toBeLessThanOrEqual(resources.length);
  });
});
