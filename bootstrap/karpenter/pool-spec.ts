// What the workload EC2NodeClass and NodePool say, per environment, as plain data (the
// component applies it; tests and docs read the same functions). Nodes: AL2023, IMDSv2 only
// with hop limit 1 (pods use IRSA, never the node's credentials), encrypted gp3 root volume,
// private subnets only (the discovery tag is on the private subnets alone). Production runs
// on-demand; staging asks for spot first and falls back to on-demand when no spot capacity is
// offered, and consolidates under-used nodes quickly.
import { KARPENTER_DISCOVERY_TAG } from "../../components/network";
import { isArmInstanceType, nodeDetailedMonitoring, type Environment, type NodeGroupConfig, type Tags } from "../../model";
import { KARPENTER_API, PLANNED_NODES_ANNOTATION, WORKLOAD_POOL, WORKLOAD_POOL_LABELS } from "./constants";

export const ROOT_DEVICE = "/dev/xvda";
/** How long a node lives before Karpenter replaces it (fresh AMI and patches at least monthly). */
export const NODE_EXPIRY = "720h";
/** Upper bound of a node's drain: PDBs are respected until then, so a destroy cannot hang forever. */
export const DRAIN_LIMIT = "1h";

/** vCPUs of an instance size (burstable nano..small have 2); metal sizes differ per family and are refused. */
export function vcpusOf(instanceType: string): number {
  const size = instanceType.split(".")[1] ?? "";
  const fixed: Record<string, number> = { nano: 2, micro: 2, small: 2, medium: 2, large: 2, xlarge: 4 };
  if (size in fixed) return fixed[size];
  const multiple = /^(\d+)xlarge$/.exec(size);
  if (multiple) return 4 * Number(multiple[1]);
  throw new Error(
    `stacks: holodeck:workloadNodeGroup.instanceTypes: ${instanceType} has no known vCPU count for a Karpenter pool limit (allowed: nano..medium, large, xlarge, <n>xlarge)`,
  );
}

export interface PoolArgs {
  environment: Environment;
  clusterName: string;
  /** The stack's workloadNodeGroup: instance types, planned size (desiredSize), ceiling (maxSize), disk. */
  config: NodeGroupConfig;
  tags: Tags;
}

export function nodeClassSpec(args: PoolArgs, nodeRoleName: string): Record<string, unknown> {
  return {
    role: nodeRoleName,
    // AL2023 (the alias sets the AMI family): the newest EKS-optimised AMI of the cluster's version; a new AMI drifts nodes, which
    // Karpenter replaces within the disruption budgets below.
    amiSelectorTerms: [{ alias: "al2023@latest" }],
    subnetSelectorTerms: [{ tags: { [KARPENTER_DISCOVERY_TAG]: args.clusterName } }],
    // The node SG (discovery tag) and the EKS cluster SG, as on the managed node groups.
    securityGroupSelectorTerms: [{ tags: { [KARPENTER_DISCOVERY_TAG]: args.clusterName } }, { tags: { "aws:eks:cluster-name": args.clusterName } }],
    associatePublicIPAddress: false,
    metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
    blockDeviceMappings: [
      {
        deviceName: ROOT_DEVICE,
        rootVolume: true,
        ebs: { volumeSize: `${args.config.diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
      },
    ],
    detailedMonitoring: nodeDetailedMonitoring(args.environment),
    tags: { ...args.tags, Name: `${args.clusterName}-${WORKLOAD_POOL}` },
  };
}

/** Spot first, on-demand when spot is short (Karpenter prefers the cheaper capacity type it may use). */
export function capacityTypes(environment: Environment): string[] {
  return environment === "production" ? ["on-demand"] : ["spot", "on-demand"];
}

export function disruptionSpec(environment: Environment): Record<string, unknown> {
  if (environment === "production") {
    return {
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      consolidateAfter: "10m",
      // At most 10% of the nodes at once; no voluntary replacement of busy nodes on weekdays 07:00-19:00 UTC.
      budgets: [{ nodes: "10%" }, { nodes: "0", reasons: ["Underutilized", "Drifted"], schedule: "0 7 * * mon-fri", duration: "12h" }],
    };
  }
  return { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "1m", budgets: [{ nodes: "20%" }] };
}

export function nodePoolSpec(args: PoolArgs, nodeClassName: string): Record<string, unknown> {
  const types = args.config.instanceTypes;
  const arch = types.every(isArmInstanceType) ? "arm64" : "amd64";
  return {
    template: {
      metadata: { labels: { ...WORKLOAD_POOL_LABELS } },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: nodeClassName },
        requirements: [
          { key: "karpenter.sh/capacity-type", operator: "In", values: capacityTypes(args.environment) },
          { key: "node.kubernetes.io/instance-type", operator: "In", values: [...types] },
          { key: "kubernetes.io/arch", operator: "In", values: [arch] },
          { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
        ],
        expireAfter: NODE_EXPIRY,
        terminationGracePeriod: DRAIN_LIMIT,
      },
    },
    disruption: disruptionSpec(args.environment),
    // The ceiling: maxSize nodes of the largest allowed type.
    limits: { cpu: String(args.config.maxSize * Math.max(...types.map(vcpusOf))) },
  };
}

export function nodePoolMetadata(args: PoolArgs): Record<string, unknown> {
  return { name: WORKLOAD_POOL, annotations: { [PLANNED_NODES_ANNOTATION]: String(args.config.desiredSize) } };
}

export { KARPENTER_API };
