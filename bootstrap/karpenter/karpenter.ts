// Karpenter, the node autoscaler (docs/scaling.md): the interruption queue, the node role and
// its access entry, the controller on the system nodes, and the workload EC2NodeClass and
// NodePool. The system managed node group stays for the critical add-ons (Karpenter included).
import * as pulumi from "@pulumi/pulumi";
import type { Environment, NodeGroupConfig, Tags } from "../../model";
import type { AccountRef, ClusterIdentity } from "../shared/types";
import { KarpenterController } from "./controller";
import { InterruptionQueue } from "./interruption-queue";
import { KarpenterNodePools } from "./node-pools";
import { KarpenterNodeRole } from "./node-role";

export interface KarpenterArgs {
  cluster: ClusterIdentity;
  clusterName: string;
  environment: Environment;
  region: string;
  account: AccountRef;
  /** The stack's workloadNodeGroup, now the workload pool's shape. */
  workload: NodeGroupConfig;
  tags: Tags;
}

export class Karpenter extends pulumi.ComponentResource {
  readonly controller: KarpenterController;
  readonly pools: KarpenterNodePools;

  constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:karpenter:Karpenter", name, {}, opts);
    const child = { parent: this };
    const queue = new InterruptionQueue(`${name}-interruption`, { queueName: `${args.clusterName}-karpenter`, tags: args.tags }, child);
    const nodeRole = new KarpenterNodeRole(`${name}-node`, { clusterName: args.cluster.name, partition: args.account.partition, tags: args.tags }, child);
    this.controller = new KarpenterController(
      `${name}-controller`,
      {
        cluster: args.cluster,
        clusterName: args.clusterName,
        region: args.region,
        account: args.account,
        interruptionQueue: { name: queue.queueName, arn: queue.queueArn },
        nodeRoleArn: nodeRole.roleArn,
        tags: args.tags,
        after: [queue, ...nodeRole.ready],
      },
      child,
    );
    this.pools = new KarpenterNodePools(
      `${name}-pools`,
      {
        environment: args.environment,
        clusterName: args.clusterName,
        config: args.workload,
        tags: args.tags,
        nodeRoleName: nodeRole.roleName,
        after: [this.controller.release, ...nodeRole.ready],
      },
      child,
    );
    this.registerOutputs({});
  }
}
