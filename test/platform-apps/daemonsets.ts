// Every DaemonSet the platform deploys, with its effective tolerations per environment, and the
// taints of a recorded stack's node groups and Karpenter pools: shared by the unit check
// (test/platform-apps/daemonsets.test.ts) and the real scheduler (test/control-plane/daemonsets.test.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackRecording } from "../harness/stacks";
import type { Deployer } from "./daemonset-inventory";
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
export function platformValues(app: string, environment: string): Doc {
  const files = ["common.yaml", `${environment}.yaml`].map((f) => path.join(PLATFORM_DIR, "values", app, f)).filter((f) => fs.existsSync(f));
  return files.map((f) => readDocs(f)[0] ?? {}).reduce(mergeValues, {});
}

export const at = (doc: Doc, ...keys: string[]): unknown => keys.reduce<unknown>((node, key) => (node as Doc | undefined)?.[key], doc);
const EVERYTHING: Toleration[] = [{ operator: "Exists" }];

/**
 * Every DaemonSet the platform deploys, where its tolerations come from, and its effective
 * tolerations per environment (chart defaults read from the pinned chart versions' values.yaml
 * or templates, named in `source`). `deployedBy` ties each to a deployer of
 * daemonset-inventory.ts: every deployer is here or in its NO_DAEMONSET list.
 */
export const DAEMONSETS: { name: string; deployedBy: Deployer; source: string; tolerations: (environment: string) => Toleration[] }[] = [
  {
    name: "alloy (platform-apps alloy, chart 1.11.1)",
    deployedBy: "platform chart alloy",
    source: "chart default controller.tolerations: []; platform-apps/values/alloy sets controller.tolerations",
    tolerations: (env) => (at(platformValues("alloy", env), "controller", "tolerations") as Toleration[] | undefined) ?? [],
  },
  {
    name: "node-exporter (kube-prometheus-stack 88.5.3, subchart prometheus-node-exporter)",
    deployedBy: "platform chart kube-prometheus-stack",
    source: "subchart default tolerations: [{effect: NoSchedule, operator: Exists}] unless our values set prometheus-node-exporter.tolerations",
    tolerations: (env) =>
      (at(platformValues("kube-prometheus-stack", env), "prometheus-node-exporter", "tolerations") as Toleration[] | undefined) ?? [
        { effect: "NoSchedule", operator: "Exists" },
      ],
  },
  {
    name: "istio-cni-node (platform-apps istio-cni, chart cni 1.30.3)",
    deployedBy: "platform chart cni",
    source: "written in the chart's daemonset template (not a value): NoSchedule Exists, CriticalAddonsOnly Exists, NoExecute Exists",
    tolerations: () => [
      { effect: "NoSchedule", operator: "Exists" },
      { key: "CriticalAddonsOnly", operator: "Exists" },
      { effect: "NoExecute", operator: "Exists" },
    ],
  },
  // The three below are EKS-managed add-ons: EKS applies their manifests, which cannot be
  // rendered here, so their tolerations are hard-coded from what the manifests are documented to
  // carry (read via the search tools; none of our add-on configurationValues overrides them,
  // which daemonsets.test.ts checks):
  // - aws-node: aws/amazon-vpc-cni-k8s tag v1.22.4 (the pinned add-on's version),
  //   config/master/aws-k8s-cni.yaml and charts/aws-vpc-cni/values.yaml `tolerations: [{operator: Exists}]`.
  // - kube-proxy: no public chart; an EKS cluster's kube-proxy DaemonSet (v1.25.6-minimal-eksbuild.1)
  //   as recorded in eksctl-io/eksctl pkg/addons/default/testdata/sample-1.25.json carries
  //   `tolerations: [{operator: Exists}]` (the pinned 1.35/1.36 builds could not be read).
  // - ebs-csi-node: kubernetes-sigs/aws-ebs-csi-driver tag v1.63.1 (the pinned add-on's version),
  //   charts/aws-ebs-csi-driver/values.yaml `node.tolerateAllTaints: true`, which
  //   templates/_node.tpl renders as `tolerations: [{operator: Exists}]`.
  {
    name: "aws-node (EKS add-on vpc-cni)",
    deployedBy: "EKS add-on vpc-cni",
    source: "EKS-managed manifest (not renderable here): tolerations [{operator: Exists}] per amazon-vpc-cni-k8s v1.22.4",
    tolerations: () => EVERYTHING,
  },
  {
    name: "kube-proxy (EKS add-on kube-proxy)",
    deployedBy: "EKS add-on kube-proxy",
    source: "EKS-managed manifest (not renderable here): tolerations [{operator: Exists}] as on EKS clusters (eksctl testdata)",
    tolerations: () => EVERYTHING,
  },
  {
    name: "ebs-csi-node (EKS add-on aws-ebs-csi-driver)",
    deployedBy: "EKS add-on aws-ebs-csi-driver",
    source: "EKS-managed manifest (not renderable here): node.tolerateAllTaints defaults to true (aws-ebs-csi-driver v1.63.1 chart)",
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
