// The Karpenter controller: its IRSA role (policy in iam-policy.ts) and the pinned chart, on
// the system node group (tolerates exactly its CriticalAddonsOnly taint): it must never run on
// nodes it launched itself (the chart's own affinity also keeps it off Karpenter nodes).
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { CHARTS } from "../versions";
import { chartRelease } from "../shared/k8s-helpers";
import { addonRole, roleAnnotation } from "../shared/irsa";
import { systemPlacement } from "../shared/placement";
import type { Tags } from "../../model";
import type { AccountRef, ClusterIdentity } from "../shared/types";
import { KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT } from "./constants";
import { karpenterControllerStatements } from "./iam-policy";

export interface KarpenterControllerArgs {
  cluster: ClusterIdentity;
  clusterName: string;
  region: string;
  account: AccountRef;
  interruptionQueue: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  nodeRoleArn: pulumi.Input<string>;
  tags: Tags;
  /** What the controller needs before it may launch a node (node role, access entry, queue). */
  after: pulumi.Resource[];
}

export class KarpenterController extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: KarpenterControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:karpenter:KarpenterController", name, {}, opts);
    const role = addonRole(
      name,
      args.cluster,
      { namespace: KARPENTER_NAMESPACE, serviceAccount: KARPENTER_SERVICE_ACCOUNT },
      pulumi
        .all([args.account.partition, args.account.accountId, args.interruptionQueue.arn, args.nodeRoleArn])
        .apply(([partition, accountId, interruptionQueueArn, nodeRoleArn]) =>
          karpenterControllerStatements({ clusterName: args.clusterName, region: args.region, partition, accountId, interruptionQueueArn, nodeRoleArn }),
        ),
      args.tags,
      { parent: this },
    );
    this.release = chartRelease(
      name,
      CHARTS.karpenter,
      {
        releaseName: "karpenter",
        namespace: KARPENTER_NAMESPACE,
        values: {
          serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT, annotations: roleAnnotation(role) },
          // Two replicas (one leader) on distinct system nodes; the chart's PDB keeps one up.
          replicas: 2,
          ...systemPlacement(),
          controller: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
          settings: { clusterName: args.clusterName, interruptionQueue: args.interruptionQueue.name },
        },
      },
      { parent: this, dependsOn: [role, ...args.after] },
    );
    this.registerOutputs({ releaseStatus: this.release.status });
  }
}
