// Node groups: their shape in stack config, and the label and taint every node carries
// (contracts §1). components/ puts them on the nodes; bootstrap/ and platform-apps place pods.
import type { Environment } from "./environment";

/** One EKS managed node group as the stack config describes it. */
export interface NodeGroupConfig {
  instanceTypes: string[];
  minSize: number;
  desiredSize: number;
  maxSize: number;
  diskSizeGiB: number;
}

export const NODE_GROUP_ROLES = ["system", "workload"] as const;
export type NodeGroupRole = (typeof NODE_GROUP_ROLES)[number];

/** Node label every node carries; value `system` or `workload`. */
export const NODE_GROUP_LABEL = "holodeck.dev/node-group";

/** The system nodes' taint: only critical add-ons that tolerate it run there. */
export const SYSTEM_TAINT = { key: "CriticalAddonsOnly", value: "true", effect: "NoSchedule" } as const;

/**
 * EC2 detailed monitoring (1-minute CloudWatch metrics, billed per metric) on every node of the
 * environment. Nothing in holodeck reads those metrics: node metrics come from Prometheus'
 * node-exporter in the cluster. Production keeps them as an out-of-band view of its nodes when the
 * cluster's own monitoring is down; staging does without (docs/scaling.md, staging's budget).
 */
export function nodeDetailedMonitoring(environment: Environment): boolean {
  return environment === "production";
}

/** Graviton families carry a `g` after the generation digit (m7g, c6gn, t4g, r8gd). */
export function isArmInstanceType(type: string): boolean {
  return /^[a-z]+\d+g[a-z]*\./.test(type);
}
