// Names the Karpenter add-on shares with its tests, the plan's cost model and docs/scaling.md.
import { NODE_GROUP_LABEL } from "../../model";

/** The controller runs in kube-system like the other node-level controllers. */
export const KARPENTER_NAMESPACE = "kube-system";
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";

/** The one EC2NodeClass and NodePool for workloads (contracts: nodes carry NODE_GROUP_LABEL=workload). */
export const WORKLOAD_POOL = "workload";
export const WORKLOAD_POOL_LABELS = { [NODE_GROUP_LABEL]: WORKLOAD_POOL } as const;

/**
 * NodePool annotation read by `npm run plan` (cli/plan/costs.ts): the nodes the pool is planned
 * to keep on average (the stack's workloadNodeGroup.desiredSize). Karpenter itself ignores it.
 */
export const PLANNED_NODES_ANNOTATION = "holodeck.dev/planned-nodes";

export const KARPENTER_API = { nodePool: "karpenter.sh/v1", nodeClass: "karpenter.k8s.aws/v1" } as const;
