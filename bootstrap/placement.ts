// Where the bootstrap's control-plane add-ons run: on the system node group, which the
// foundation taints `CriticalAddonsOnly=true:NoSchedule` and labels
// `holodeck.dev/node-group: system` (contracts §1, components/cluster.ts). Without a
// toleration nothing but daemonsets would ever land there.

/** Node label every node carries (contracts §1); value `system` or `workload`. */
export const NODE_GROUP_LABEL = "holodeck.dev/node-group";
export const SYSTEM_NODE_SELECTOR = { [NODE_GROUP_LABEL]: "system" } as const;

/** Tolerates exactly the system nodes' taint (key, value and effect), nothing broader. */
export const SYSTEM_TOLERATIONS = [{ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoSchedule" }] as const;

/** nodeSelector + tolerations in the shape (almost) every chart takes them. */
export interface SystemPlacement {
  nodeSelector: Record<string, string>;
  tolerations: Record<string, string>[];
}

export function systemPlacement(): SystemPlacement {
  return { nodeSelector: { ...SYSTEM_NODE_SELECTOR }, tolerations: SYSTEM_TOLERATIONS.map((t) => ({ ...t })) };
}

/**
 * Node affinity that prefers system nodes without requiring them: for a workload whose pods
 * must sit on distinct nodes (hard anti-affinity) and that has more replicas than the system
 * group has nodes; the pods that do not fit there run on workload nodes instead of pending.
 */
export function preferSystemNodes(): Record<string, unknown> {
  return {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 100, preference: { matchExpressions: [{ key: NODE_GROUP_LABEL, operator: "In", values: ["system"] }] } },
    ],
  };
}
