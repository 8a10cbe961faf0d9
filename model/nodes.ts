// Node groups: their shape in stack config, and the label and taint every node carries
// (contracts §1). components/ puts them on the nodes; bootstrap/ and platform-apps place pods.

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

/** Graviton families carry a `g` after the generation digit (m7g, c6gn, t4g, r8gd). */
export function isArmInstanceType(type: string): boolean {
  return /^[a-z]+\d+g[a-z]*\./.test(type);
}
