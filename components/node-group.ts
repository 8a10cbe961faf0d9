// One EKS managed node group (AL2023) in the private subnets, launched from a template that
// requires IMDSv2 with hop limit 1 (pods cannot borrow the node's credentials; they use IRSA)
// and encrypted gp3 root volumes.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isArmInstanceType, NODE_GROUP_LABEL, type NodeGroupConfig, type NodeGroupRole } from "../model";

export interface NodeGroupArgs {
  clusterName: pulumi.Input<string>;
  kubernetesVersion: string;
  nodeRoleArn: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>[];
  securityGroupIds: pulumi.Input<string>[];
  config: NodeGroupConfig;
  /** Node label `holodeck.dev/node-group`. */
  role: NodeGroupRole;
  taints?: aws.types.input.eks.NodeGroupTaint[];
  /** EC2 detailed monitoring of the nodes (model nodeDetailedMonitoring). */
  detailedMonitoring: boolean;
  /** Resources the group waits for (e.g. the CNI add-on: nodes stay NotReady without it). */
  after?: pulumi.Resource[];
}

export function amiTypeFor(instanceTypes: string[]): string {
  return instanceTypes.every(isArmInstanceType) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

export class NodeGroup extends pulumi.ComponentResource {
  readonly nodeGroup: aws.eks.NodeGroup;

  constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:cluster:NodeGroup", name, {}, opts);
    const template = new aws.ec2.LaunchTemplate(
      `${name}-lt`,
      {
        description: `EKS ${args.role} nodes: IMDSv2 only, encrypted gp3 root volume`,
        updateDefaultVersion: true,
        vpcSecurityGroupIds: args.securityGroupIds,
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { volumeSize: args.config.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
          },
        ],
        monitoring: { enabled: args.detailedMonitoring },
        tagSpecifications: [
          { resourceType: "instance", tags: { Name: name } },
          { resourceType: "volume", tags: { Name: name } },
        ],
      },
      { parent: this },
    );
    this.nodeGroup = new aws.eks.NodeGroup(
      `${name}-ng`,
      {
        clusterName: args.clusterName,
        version: args.kubernetesVersion,
        nodeRoleArn: args.nodeRoleArn,
        subnetIds: args.subnetIds,
        amiType: amiTypeFor(args.config.instanceTypes),
        capacityType: "ON_DEMAND",
        instanceTypes: args.config.instanceTypes,
        scalingConfig: { minSize: args.config.minSize, desiredSize: args.config.desiredSize, maxSize: args.config.maxSize },
        updateConfig: { maxUnavailablePercentage: 33 },
        launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
        labels: { [NODE_GROUP_LABEL]: args.role },
        taints: args.taints,
        nodeRepairConfig: { enabled: true },
      },
      // Sized by the stack config alone: Karpenter scales workload capacity with its own nodes
      // and never touches a managed node group (bootstrap/karpenter/, docs/scaling.md).
      { parent: this, dependsOn: args.after },
    );
    this.registerOutputs({ nodeGroupArn: this.nodeGroup.arn });
  }
}
