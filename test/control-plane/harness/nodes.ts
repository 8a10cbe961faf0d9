// Simulated nodes with the shape of a stack's nodes, derived from what the stack's program
// records: its EKS managed node groups (aws:eks/nodeGroup:NodeGroup inputs: labels, taints,
// instance types, desiredSize, subnets -> availability zones) and Karpenter's NodePools (their
// planned nodes of the first allowed type, labelled as Karpenter labels its nodes, in the
// private subnets' zones). kwok manages every Node carrying its annotation.
import type { RecordedResource, StackRecording } from "../../../cli/plan/run-stack";
import { PLANNED_NODES_ANNOTATION } from "../../../bootstrap/karpenter/constants";
import { isArmInstanceType, NODE_GROUP_LABEL } from "../../../model";
import type { KubeObject } from "./kube";

/** vCPUs, memory and the pods-per-ENI limit (EKS eni-max-pods) of the stacks' instance types. */
export const INSTANCE_TYPES: Record<string, { vcpu: number; memoryGiB: number; maxPods: number }> = {
  "t3a.large": { vcpu: 2, memoryGiB: 8, maxPods: 35 },
  "m6i.large": { vcpu: 2, memoryGiB: 8, maxPods: 29 },
  "m7i.large": { vcpu: 2, memoryGiB: 8, maxPods: 29 },
  "m6i.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58 },
  "m7i.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58 },
  "m6g.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58 },
  "m7g.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58 },
};

/** EKS AMI kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% above. */
export function reservedCpuMillis(vcpu: number): number {
  const shares = [60, 10, 5, 5];
  let total = 0;
  for (let core = 0; core < vcpu; core++) total += shares[core] ?? 2.5;
  return Math.round(total);
}

/** EKS AMI kube-reserved memory (255 MiB + 11 MiB per pod) plus the 100 MiB hard eviction threshold. */
export function reservedMemoryMiB(maxPods: number): number {
  return 255 + 11 * maxPods + 100;
}

export interface SimulatedNodeGroup {
  role: string;
  instanceType: string;
  count: number;
  zones: string[];
  labels: Record<string, string>;
  taints: { key: string; value: string; effect: string }[];
}

const TAINT_EFFECTS: Record<string, string> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };

function zonesOf(recording: StackRecording, group: RecordedResource): string[] {
  const subnetUrns = new Set(group.propertyDependencies.subnetIds ?? []);
  const zones = recording
    .byType("aws:ec2/subnet:Subnet")
    .filter((s) => subnetUrns.has(s.urn))
    .map((s) => String(s.inputs.availabilityZone));
  if (zones.length === 0) throw new Error(`node group ${group.name}: no recorded subnet behind its subnetIds`);
  return [...new Set(zones)].sort();
}

interface RecordedNodePool {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    template: {
      metadata?: { labels?: Record<string, string> };
      spec: { requirements: { key: string; values: string[] }[]; taints?: SimulatedNodeGroup["taints"] };
    };
  };
}

/** Karpenter's NodePools as node groups: their planned nodes of the first allowed instance type, in the private subnets' zones. */
export function karpenterPoolsOf(recording: StackRecording): SimulatedNodeGroup[] {
  const zones = [
    ...new Set(
      recording
        .byType("aws:ec2/subnet:Subnet")
        .filter((s) => s.name.includes("-private-"))
        .map((s) => String(s.inputs.availabilityZone)),
    ),
  ].sort();
  return recording.byType("kubernetes:karpenter.sh/v1:NodePool").map((recorded) => {
    const pool = recorded.inputs as unknown as RecordedNodePool;
    const name = pool.metadata.name;
    const types = pool.spec.template.spec.requirements.find((r) => r.key === "node.kubernetes.io/instance-type")?.values ?? [];
    const planned = Number(pool.metadata.annotations?.[PLANNED_NODES_ANNOTATION]);
    if (types.length === 0) throw new Error(`NodePool ${name}: no node.kubernetes.io/instance-type requirement`);
    if (!Number.isInteger(planned)) throw new Error(`NodePool ${name}: annotation ${PLANNED_NODES_ANNOTATION} is not a node count`);
    if (zones.length === 0) throw new Error(`NodePool ${name}: no recorded private subnet`);
    return {
      role: name,
      instanceType: types[0],
      count: planned,
      zones,
      labels: { ...(pool.spec.template.metadata?.labels ?? {}), "karpenter.sh/nodepool": name },
      taints: pool.spec.template.spec.taints ?? [],
    };
  });
}

/** Every node group of a recorded stack: its EKS managed node groups and Karpenter's NodePools. */
export function nodeGroupsOf(recording: StackRecording): SimulatedNodeGroup[] {
  return [...managedNodeGroupsOf(recording), ...karpenterPoolsOf(recording)];
}

/** The managed node groups of a recorded stack, as EKS would start them (desiredSize nodes of the first instance type). */
export function managedNodeGroupsOf(recording: StackRecording): SimulatedNodeGroup[] {
  return recording.byType("aws:eks/nodeGroup:NodeGroup").map((group) => {
    const inputs = group.inputs as {
      instanceTypes: string[];
      labels: Record<string, string>;
      taints?: { key: string; value: string; effect: string }[];
      scalingConfig: { desiredSize: number };
    };
    const role = inputs.labels[NODE_GROUP_LABEL];
    if (!role) throw new Error(`node group ${group.name} has no ${NODE_GROUP_LABEL} label`);
    return {
      role,
      instanceType: inputs.instanceTypes[0],
      count: inputs.scalingConfig.desiredSize,
      zones: zonesOf(recording, group),
      labels: inputs.labels,
      taints: (inputs.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: TAINT_EFFECTS[t.effect] ?? t.effect })),
    };
  });
}

/** The kwok Node objects of the node groups: nodes spread over the groups' zones in turn. */
export function simulatedNodes(groups: SimulatedNodeGroup[], region: string): KubeObject[] {
  return groups.flatMap((group) => {
    const shape = INSTANCE_TYPES[group.instanceType];
    if (!shape)
      throw new Error(`instance type ${group.instanceType} is not in INSTANCE_TYPES (test/control-plane/harness/nodes.ts): add its vCPU, memory and max pods`);
    const capacity = { cpu: String(shape.vcpu), memory: `${shape.memoryGiB}Gi`, pods: String(shape.maxPods), "ephemeral-storage": "50Gi" };
    const allocatable = {
      cpu: `${shape.vcpu * 1000 - reservedCpuMillis(shape.vcpu)}m`,
      memory: `${shape.memoryGiB * 1024 - reservedMemoryMiB(shape.maxPods)}Mi`,
      pods: String(shape.maxPods),
      "ephemeral-storage": "45Gi",
    };
    const arch = isArmInstanceType(group.instanceType) ? "arm64" : "amd64";
    return Array.from({ length: group.count }, (_, i) => {
      const zone = group.zones[i % group.zones.length];
      const name = `${group.role}-${i + 1}`;
      return {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
          labels: {
            ...group.labels,
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": arch,
            "node.kubernetes.io/instance-type": group.instanceType,
            "topology.kubernetes.io/region": region,
            "topology.kubernetes.io/zone": zone,
            "eks.amazonaws.com/capacityType": "ON_DEMAND",
            type: "kwok",
          },
        },
        spec: { taints: group.taints },
        status: { capacity, allocatable },
      };
    });
  });
}
