// Monthly cost estimate of a recorded stack: fixed-rate resources only (control plane, nodes at
// desired size, NAT gateways, public IPs, interface endpoints, EBS, KMS, Secrets Manager
// secrets, and the NLB the Load Balancer Controller makes for each Service of type
// LoadBalancer). Usage-based charges (data processing, log ingestion, traffic) are not
// modelled beyond the NLB's assumed baseline LCU; docs/plan.md says so.
import type { RecordedResource, StackRecording } from "./run-stack";
import { HOURS_PER_MONTH, PRICE_DATE, PRICES, type RegionPrices } from "./prices";

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

type Pricer = (r: RecordedResource, p: RegionPrices, rec: StackRecording) => { usd: number; detail: string } | undefined;

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

const PRICERS: Record<string, Pricer> = {
  "kubernetes:core/v1:Service": loadBalancerService,
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

export function estimateCost(rec: StackRecording, region: string): CostEstimate {
  const prices = PRICES[region];
  if (!prices) return { region, priceDate: PRICE_DATE, monthlyUsd: null, lines: [], unpricedInstanceTypes: [] };
  const lines: CostLine[] = [];
  const unpriced = new Set<string>();
  for (const r of rec.resources) {
    const priced = PRICERS[r.type]?.(r, prices, rec);
    if (priced) lines.push({ type: r.type, name: r.name, monthlyUsd: Math.round(priced.usd * 100) / 100, detail: priced.detail });
    else if (r.type === "aws:eks/nodeGroup:NodeGroup") unpriced.add(((r.inputs.instanceTypes ?? []) as string[])[0]);
  }
  const total = lines.reduce((sum, l) => sum + l.monthlyUsd, 0);
  return { region, priceDate: PRICE_DATE, monthlyUsd: Math.round(total * 100) / 100, lines, unpricedInstanceTypes: [...unpriced] };
}
