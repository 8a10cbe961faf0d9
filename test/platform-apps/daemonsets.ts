// Every DaemonSet the platform deploys, with its effective tolerations per environment, and the
// taints of a recorded stack's node groups and Karpenter pools: shared by the unit check
// (test/platform-apps/daemonsets.test.ts) and the real scheduler (test/control-plane/daemonsets.test.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackRecording } from "../harness/stacks";
import { PLATFORM_DIR, readDocs, type Doc } from "./platform";
import { mergeValues } from "./values";

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** Kubernetes' rule: an empty effect matches all; Exists without a key matches every taint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === "Exists") return t.key === undefined || t.key === "" || t.key === taint.key;
  return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
}

/** A chart's values for an environment: its common file, then the environment's (when present). */
function platformValues(app: string, environment: string): Doc {
  const files = ["common.yaml", `${environment}.yaml`].map((f) => path.join(PLATFORM_DIR, "values", app, f)).filter((f) => fs.existsSync(f));
  return files.map((f) => readDocs(f)[0] ?? {}).reduce(mergeValues, {});
}

export const at = (doc: Doc, ...keys: string[]): unknown => keys.reduce<unknown>((node, key) => (node as Doc | undefined)?.[key], doc);
const EVERYTHING: Toleration[] = [{ operator: "Exists" }];

/**
 * Every DaemonSet the platform deploys, where its tolerations come from, and its effective
 * tolerations per environment (chart defaults read from the pinned chart versions' values.yaml
 * or templates, named in `source`).
 */
export const DAEMONSETS: { name: string; source: string; tolerations: (environment: string) => Toleration[] }[] = [
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
export function nodeTaints(rec: StackRecording): Map<string, Taint[]> {
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
