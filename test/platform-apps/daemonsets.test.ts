// Every DaemonSet the platform deploys runs on every node it must: logs (Alloy), node metrics
// (node-exporter), the CNI (VPC CNI, istio-cni), kube-proxy and the EBS CSI node plugin belong
// on every node, system nodes included. Their effective tolerations (the pinned chart's default,
// replaced by the values we set, as Helm replaces lists) are checked against the taints of every
// node group and Karpenter pool each stack records, with Kubernetes' matching rules.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_TAINT } from "../../model";
import { listStacks, recordedStack, type StackRecording } from "../harness/stacks";
import { DAEMONSETS, nodeTaints, tolerates, type Taint } from "./daemonsets";
import { PLATFORM_DIR, readDocs, yamlFiles } from "./platform";

describe("the toleration matcher (Kubernetes rules)", () => {
  const system: Taint = { ...SYSTEM_TAINT };
  it("matches exactly as the scheduler does", () => {
    expect(tolerates({ operator: "Exists" }, system)).toBe(true);
    expect(tolerates({ key: "CriticalAddonsOnly", operator: "Exists" }, system)).toBe(true);
    expect(tolerates({ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoSchedule" }, system)).toBe(true);
    expect(tolerates({ effect: "NoSchedule", operator: "Exists" }, system)).toBe(true);
    expect(tolerates({ effect: "NoExecute", operator: "Exists" }, system)).toBe(false);
    expect(tolerates({ key: "CriticalAddonsOnly", value: "false" }, system)).toBe(false);
    expect(tolerates({ key: "other", operator: "Exists" }, system)).toBe(false);
  });
});

describe("raw manifests", () => {
  it("hold no DaemonSet outside the table above", () => {
    const daemonsets = yamlFiles(path.join(PLATFORM_DIR, "manifests")).flatMap((file) =>
      readDocs(file)
        .filter((doc) => doc.kind === "DaemonSet")
        .map(() => path.relative(PLATFORM_DIR, file)),
    );
    expect(daemonsets).toEqual([]);
  });
});

describe.each(listStacks())("stack %s", (stack) => {
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });

  it("records the system group's CriticalAddonsOnly taint and the workload pool's (none)", () => {
    const taints = [...nodeTaints(rec)].map(([name, list]) => [name.replace(/^[a-z0-9]+-[a-z0-9]+-/, ""), list]);
    expect(taints).toEqual([
      ["system-ng", [{ ...SYSTEM_TAINT }]],
      ["bootstrap-karpenter-pools-node-pool", []],
    ]);
  });

  it.each(DAEMONSETS)("$name tolerates every NoSchedule/NoExecute taint of every node group and pool", ({ tolerations, source }) => {
    const environment = stack.startsWith("production-") ? "production" : "staging";
    const missing = [...nodeTaints(rec)].flatMap(([node, taints]) =>
      taints
        .filter((taint) => taint.effect !== "PreferNoSchedule" && !tolerations(environment).some((t) => tolerates(t, taint)))
        .map((t) => `${node}: ${t.key}=${t.value}:${t.effect}`),
    );
    expect(missing, source).toEqual([]);
  });
});
