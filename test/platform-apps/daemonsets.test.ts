// Every DaemonSet the platform deploys runs on every node it must: logs (Alloy), node metrics
// (node-exporter), the CNI (VPC CNI, istio-cni), kube-proxy and the EBS CSI node plugin belong
// on every node, system nodes included. Their effective tolerations (the pinned chart's default,
// replaced by the values we set, as Helm replaces lists) are checked against the taints of every
// node group and Karpenter pool each stack records, with Kubernetes' matching rules.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_TAINT } from "../../model";
import { listStacks, recordedStack, type StackRecording } from "../harness/stacks";
import { PLATFORM_DIR, readDocs, yamlFiles, type Doc } from "./platform";
import { mergeValues } from "./values";

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** Kubernetes' rule: an empty effect matches all; Exists without a key matches every taint. */
function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === "Exists") return t.key === undefined || t.key === "" || t.key === taint.key;
  return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
}

/** A chart's values for an environment: its common file, then the environment's (when present). */
function platformValues(app: string, environment: string): Doc {
  const files = ["common.yaml", `${environment}.yaml`].map((f) => path.join(PLATFORM_DIR, "values", app, f)).filter((f) => fs.existsSync(f));
  return files.map((f) => readDocs(f)[0] ?? {}).reduce(mergeValues, {});
}

const at = (doc: Doc, ...keys: string[]): unknown => keys.reduce<unknown>((node, key) => (node as Doc | undefined)?.[key], doc);
const EVERYTHING: Toleration[] = [{ operator: "Exists" }];

/**
 * Every DaemonSet the platform deploys, where its tolerations come from, and its effective
 * tolerations per environment (chart defaults read from the pinned chart versions' values.yaml
 * or templates, named in `source`).
 */
const DAEMONSETS: { name: string; source: string; tolerations: (environment: string) => Toleration[] }[] = [
  {
    name: "alloy (platform-apps alloy, chart 1.11.1)",
    source: "chart default controller.tolerations: []; platform-apps/values/alloy sets controller.tolerations",
    tolerations: (env) => (at(platformValues("alloy", env), "controller", "tolerations") as Toleration[] | undefined) ?? [],
  },
  {
    name: "node-exporter (kube-prometheus-stack 88.5.3, subchart prometheus-node-exporter)",
    source: "subchart default tolerations: [{effect: NoSchedule, operator: Exists}] unless our values set prometheus-node-exporter.tolerations",
    tolerations: (env) =>
      (at(platformValues("kube-prometheus-stack", env), "prometheus-node-exporter", "tolerations") as Toleration[] | undefined) ?? [
        { effect: "NoSchedule", operator: "Exists" },
      ],
  },
  {
    name: "istio-cni-node (platform-apps istio-cni, chart cni 1.30.3)",
    source: "written in the chart's daemonset template (not a value): NoSchedule Exists, CriticalAddonsOnly Exists, NoExecute Exists",
    tolerations: () => [
      { effect: "NoSchedule", operator: "Exists" },
      { key: "CriticalAddonsOnly", operator: "Exists" },
      { effect: "NoExecute", operator: "Exists" },
    ],
  },
  { name: "aws-node (EKS add-on vpc-cni)", source: "the add-on's DaemonSet tolerates every taint (operator: Exists)", tolerations: () => EVERYTHING },
  { name: "kube-proxy (EKS add-on kube-proxy)", source: "the add-on's DaemonSet tolerates every taint (operator: Exists)", tolerations: () => EVERYTHING },
  {
    name: "ebs-csi-node (EKS add-on aws-ebs-csi-driver)",
    source: "the add-on's node DaemonSet tolerates every taint (node.tolerateAllTaints defaults to true)",
    tolerations: () => EVERYTHING,
  },
];

/** The taints of every node group and Karpenter pool of a recorded stack, by name. */
function nodeTaints(rec: StackRecording): Map<string, Taint[]> {
  const eksEffect: Record<string, string> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };
  const taints = new Map<string, Taint[]>();
  for (const group of rec.byType("aws:eks/nodeGroup:NodeGroup")) {
    const list = (group.inputs.taints ?? []) as { key: string; value?: string; effect: string }[];
    taints.set(
      group.name,
      list.map((t) => ({ key: t.key, value: t.value, effect: eksEffect[t.effect] ?? t.effect })),
    );
  }
  for (const pool of rec.byType("kubernetes:karpenter.sh/v1:NodePool")) {
    const spec = at(pool.inputs, "spec", "template", "spec") as { taints?: Taint[]; startupTaints?: Taint[] };
    taints.set(pool.name, [...(spec.taints ?? []), ...(spec.startupTaints ?? [])]);
  }
  return taints;
}

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
