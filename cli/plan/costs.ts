// Monthly cost estimate of a recorded stack: fixed-rate resources only (control plane, managed
// nodes at desired size, Karpenter's workload nodes at the NodePool's planned size, NAT
// gateways, public IPs, interface endpoints, EBS, KMS, Secrets Manager secrets, and the NLB the
// Load Balancer Controller makes for each Service of type LoadBalancer). Usage-based charges
// (data processing, log ingestion, traffic) are not modelled beyond the NLB's assumed baseline
// LCU; Karpenter's interruption queue and rules are free at its volume (AWS-service events,
// SQS free tier). docs/plan.md and docs/scaling.md say so.
import type { RecordedResource, StackRecording } from "./run-stack";
import { PLANNED_NODES_ANNOTATION } from "../../bootstrap/karpenter/constants";
import { HOURS_PER_MONTH, PRICE_DATE, PRICES, SPOT_PRICE_SHARE, type RegionPrices } from "./prices";

export interface CostLine {
  type: string;
  name: string;
  monthlyUsd: number;
  detail: string;
}

export interface CostEstimate {
  region: string;
  priceDate: string;
  /** Null when cli/plan/prices.ts has no table for the region (a new region still plans). */
  monthlyUsd: number | null;
  lines: CostLine[];
  /** Instance types the price table lacks (their nodes are not counted). */
  unpricedInstanceTypes: string[];
}

type Pricer = (r: RecordedResource, p: RegionPrices, rec: StackRecording, spotShare: number) => { usd: number; detail: string } | undefined;

const month = (hourly: number): number => hourly * HOURS_PER_MONTH;

function nodeGroupDiskGiB(group: RecordedResource, rec: StackRecording): number {
  const templateUrns = group.propertyDependencies.launchTemplate ?? [];
  const template = rec.resources.find((r) => templateUrns.includes(r.urn));
  const mappings = (template?.inputs.blockDeviceMappings ?? []) as { ebs?: { volumeSize?: number } }[];
  return mappings.reduce((sum, m) => sum + (m.ebs?.volumeSize ?? 0), 0);
}

/**
 * NLB capacity units are usage-based; the estimate books this many NLCU-hours per hour (a
 * lightly used ingress stays below one: 800 new TCP flows/s, 100,000 active flows or 1 GB/h).
 */
export const NLB_ASSUMED_LCU = 1;

/** Subnets the controller places an NLB of this scheme in (it discovers them by role tag). */
function nlbSubnets(rec: StackRecording, internetFacing: boolean): number {
  const role = internetFacing ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb";
  return rec.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet" && (r.inputs.tags as Record<string, string> | undefined)?.[role] !== undefined).length;
}

/** A Service of type LoadBalancer: the AWS Load Balancer Controller creates one NLB for it. */
const loadBalancerService: Pricer = (r, p, rec) => {
  const spec = r.inputs.spec as { type?: string } | undefined;
  if (spec?.type !== "LoadBalancer") return undefined;
  const annotations = (r.inputs.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
  const internetFacing = annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] === "internet-facing";
  const subnets = nlbSubnets(rec, internetFacing);
  const ips = internetFacing ? subnets : 0;
  const hourly = p.nlbHour + NLB_ASSUMED_LCU * p.nlbLcuHour + ips * p.publicIpv4Hour;
  const where = internetFacing ? `internet-facing, ${ips} public IPv4` : "internal";
  return { usd: month(hourly), detail: `NLB (${where}) + ${NLB_ASSUMED_LCU} NLCU assumed (traffic not included)` };
};

export const NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

/** What a Karpenter NodePool is planned to cost: its planned nodes, capacity types and allowed instance types. */
export function nodePoolPlan(pool: RecordedResource): { nodes: number; types: string[]; spot: boolean; nodeClass: string } {
  const spec = pool.inputs.spec as { template?: { spec?: { requirements?: Requirement[]; nodeClassRef?: { name?: string } } } } | undefined;
  const requirements = spec?.template?.spec?.requirements ?? [];
  const values = (key: string): string[] => requirements.find((r) => r.key === key && r.operator === "In")?.values ?? [];
  const annotations = (pool.inputs.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
  return {
    nodes: Number(annotations[PLANNED_NODES_ANNOTATION] ?? 0),
    types: values("node.kubernetes.io/instance-type"),
    spot: values("karpenter.sh/capacity-type").includes("spot"),
    nodeClass: spec?.template?.spec?.nodeClassRef?.name ?? "",
  };
}

function nodeClassDiskGiB(rec: StackRecording, name: string): number {
  const nodeClass = rec.resources.find((r) => r.type === NODE_CLASS && (r.inputs.metadata as { name?: string } | undefined)?.name === name);
  const mappings = (nodeClass?.inputs.spec as { blockDeviceMappings?: { ebs?: { volumeSize?: string } }[] } | undefined)?.blockDeviceMappings ?? [];
  return mappings.reduce((sum, m) => sum + parseInt(m.ebs?.volumeSize ?? "0", 10), 0);
}

/** The dearest of a pool's allowed instance types, how Karpenter's nodes are priced; undefined when one has no price. */
function dearestAllowed(types: string[], p: RegionPrices): { type: string; hourly: number } | undefined {
  const hourly = types.map((t) => p.instanceHour[t]);
  if (types.length === 0 || hourly.some((h) => h === undefined)) return undefined;
  const max = Math.max(...hourly);
  return { type: types[hourly.indexOf(max)], hourly: max };
}

/**
 * Karpenter's nodes at the NodePool's planned size (annotation), each priced as the dearest
 * allowed instance type (Karpenter picks among them), at `spotShare` (SPOT_PRICE_SHARE unless a
 * what-if asks otherwise) of on-demand when the pool may use spot (it prefers spot and falls
 * back to on-demand only when spot is short).
 */
const karpenterNodePool: Pricer = (r, p, rec, spotShare) => {
  const plan = nodePoolPlan(r);
  const dearest = dearestAllowed(plan.types, p);
  if (!dearest) return undefined;
  const nodeHour = dearest.hourly * (plan.spot ? spotShare : 1);
  const disk = nodeClassDiskGiB(rec, plan.nodeClass);
  const capacity = plan.spot ? `spot at ${Math.round(spotShare * 1000) / 10}% of on-demand` : "on-demand";
  return {
    usd: plan.nodes * (month(nodeHour) + disk * p.gp3GibMonth),
    detail: `Karpenter: ${plan.nodes} x ${dearest.type} (${capacity}) + ${disk} GiB gp3 each`,
  };
};

const PRICERS: Record<string, Pricer> = {
  "kubernetes:core/v1:Service": loadBalancerService,
  [NODE_POOL]: karpenterNodePool,
  "aws:secretsmanager/secret:Secret": (_r, p) => ({ usd: p.secretMonth, detail: "Secrets Manager secret (API calls not included)" }),
  "aws:eks/cluster:Cluster": (_r, p) => ({ usd: month(p.eksClusterHour), detail: "EKS control plane (standard support)" }),
  "aws:ec2/natGateway:NatGateway": (_r, p) => ({ usd: month(p.natGatewayHour), detail: "NAT gateway hours (data processing not included)" }),
  "aws:ec2/eip:Eip": (_r, p) => ({ usd: month(p.publicIpv4Hour), detail: "public IPv4 address" }),
  "aws:kms/key:Key": (_r, p) => ({ usd: p.kmsKeyMonth, detail: "KMS key" }),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (r, p) => {
    if (r.inputs.vpcEndpointType !== "Interface") return undefined;
    const azs = ((r.inputs.subnetIds ?? []) as unknown[]).length;
    return { usd: month(p.interfaceEndpointHour) * azs, detail: `interface endpoint in ${azs} AZs` };
  },
  "aws:eks/nodeGroup:NodeGroup": (r, p, rec) => {
    const type = ((r.inputs.instanceTypes ?? []) as string[])[0];
    const desired = Number((r.inputs.scalingConfig as { desiredSize?: number } | undefined)?.desiredSize ?? 0);
    const hourly = p.instanceHour[type];
    if (hourly === undefined) return undefined;
    const disk = nodeGroupDiskGiB(r, rec);
    return { usd: desired * (month(hourly) + disk * p.gp3GibMonth), detail: `${desired} x ${type} + ${disk} GiB gp3 each` };
  },
};

/** The estimate; `spotShare` prices spot capacity at another share of on-demand (what-ifs, break-even). */
export function estimateCost(rec: StackRecording, region: string, spotShare: number = SPOT_PRICE_SHARE): CostEstimate {
  const prices = PRICES[region];
  if (!prices) return { region, priceDate: PRICE_DATE, monthlyUsd: null, lines: [], unpricedInstanceTypes: [] };
  const lines: CostLine[] = [];
  const unpriced = new Set<string>();
  for (const r of rec.resources) {
    const priced = PRICERS[r.type]?.(r, prices, rec, spotShare);
    if (priced) lines.push({ type: r.type, name: r.name, monthlyUsd: Math.round(priced.usd * 100) / 100, detail: priced.detail });
    else if (r.type === "aws:eks/nodeGroup:NodeGroup") unpriced.add(((r.inputs.instanceTypes ?? []) as string[])[0]);
    else if (r.type === NODE_POOL)
      nodePoolPlan(r)
        .types.filter((t) => prices.instanceHour[t] === undefined)
        .forEach((t) => unpriced.add(t));
  }
  const total = lines.reduce((sum, l) => sum + l.monthlyUsd, 0);
  return { region, priceDate: PRICE_DATE, monthlyUsd: Math.round(total * 100) / 100, lines, unpricedInstanceTypes: [...unpriced] };
}

/**
 * The spot share of on-demand at which the stack's estimate reaches `budgetUsd` (the estimate is
 * linear in the share: only spot pools depend on it). Null when the stack has no spot pool or
 * no price table. docs/scaling.md quotes it for staging (test/foundation/costs-spot.test.ts).
 */
export function spotBreakEvenShare(rec: StackRecording, region: string, budgetUsd: number): number | null {
  const atZero = estimateCost(rec, region, 0).monthlyUsd;
  const atFull = estimateCost(rec, region, 1).monthlyUsd;
  if (atZero === null || atFull === null || atFull === atZero) return null;
  return (budgetUsd - atZero) / (atFull - atZero);
}

/** What one spot node of `pool` costs more a month when it runs on-demand (priced as the dearest allowed type, as the estimate does). */
export function onDemandFallbackPerNodeUsd(pool: RecordedResource, region: string, spotShare: number = SPOT_PRICE_SHARE): number | null {
  const prices = PRICES[region];
  const dearest = prices && dearestAllowed(nodePoolPlan(pool).types, prices);
  return dearest ? month(dearest.hourly * (1 - spotShare)) : null;
}
