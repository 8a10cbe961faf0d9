// Where the bootstrap's control-plane add-ons run: on the system node group, which the
// foundation taints with SYSTEM_TAINT and labels NODE_GROUP_LABEL=system (model/nodes.ts,
// components/cluster.ts). Without a toleration nothing but daemonsets would ever land there.
import { NODE_GROUP_LABEL, SYSTEM_TAINT } from "../../model";

export const SYSTEM_NODE_SELECTOR = { [NODE_GROUP_LABEL]: "system" } as const;

/** Tolerates exactly the system nodes' taint (key, value and effect), nothing broader. */
export const SYSTEM_TOLERATIONS = [{ key: SYSTEM_TAINT.key, operator: "Equal", value: SYSTEM_TAINT.value, effect: SYSTEM_TAINT.effect }] as const;

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
