// The workload EC2NodeClass and NodePool (pool-spec.ts). They are bootstrap resources, not
// GitOps content: `pulumi destroy` must delete them while the controller still runs (the
// NodePool first, then the EC2NodeClass, whose finalizer waits until Karpenter has drained and
// terminated every instance it launched for it), before the node role, the cluster and the VPC
// go; and the plan's cost model and the policy pack read them from the stack.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KARPENTER_API, WORKLOAD_POOL } from "./constants";
import { DRAIN_LIMIT, nodeClassSpec, nodePoolMetadata, nodePoolSpec, type PoolArgs } from "./pool-spec";

export interface KarpenterNodePoolsArgs extends PoolArgs {
  nodeRoleName: pulumi.Input<string>;
  /** The controller release and the node role's access entry: both outlive the pools on destroy. */
  after: pulumi.Resource[];
}

/** A drain waits up to DRAIN_LIMIT per node; the EC2NodeClass deletion waits for every drain. */
const NODE_CLASS_DELETE_TIMEOUT = `${parseInt(DRAIN_LIMIT, 10) * 60 + 15}m`;

export class KarpenterNodePools extends pulumi.ComponentResource {
  readonly nodeClass: k8s.apiextensions.CustomResource;
  readonly nodePool: k8s.apiextensions.CustomResource;

  constructor(name: string, args: KarpenterNodePoolsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:karpenter:KarpenterNodePools", name, {}, opts);
    this.nodeClass = new k8s.apiextensions.CustomResource(
      `${name}-node-class`,
      {
        apiVersion: KARPENTER_API.nodeClass,
        kind: "EC2NodeClass",
        metadata: { name: WORKLOAD_POOL },
        spec: pulumi.output(args.nodeRoleName).apply((role) => nodeClassSpec(args, role)),
      },
      { parent: this, dependsOn: args.after, customTimeouts: { delete: NODE_CLASS_DELETE_TIMEOUT } },
    );
    this.nodePool = new k8s.apiextensions.CustomResource(
      `${name}-node-pool`,
      {
        apiVersion: KARPENTER_API.nodePool,
        kind: "NodePool",
        metadata: nodePoolMetadata(args),
        spec: this.nodeClass.metadata.name.apply((nodeClass) => nodePoolSpec(args, nodeClass)),
      },
      { parent: this, dependsOn: [this.nodeClass, ...args.after] },
    );
    this.registerOutputs({});
  }
}
