// Subnet plan of a VPC, computed with ip-num (no hand-made bit arithmetic).
// The VPC is cut into eighths: eighth i (i < azCount) is the private subnet of AZ i (large:
// VPC CNI gives every pod a VPC address); the last eighth is cut into quarters, quarter i is
// the public subnet of AZ i (load balancers and NAT gateways only). Eighths azCount..6 stay
// free for later (e.g. dedicated database subnets).
import { IPv4CidrRange, IPv4Prefix } from "ip-num";

export interface SubnetPlan {
  privateCidrs: string[];
  publicCidrs: string[];
}

export const MAX_AZS = 4;

export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
  if (azCount < 2 || azCount > MAX_AZS) throw new Error(`azCount ${azCount} is outside 2..${MAX_AZS}`);
  const vpc = IPv4CidrRange.fromCidr(vpcCidr);
  const prefix = vpc.getPrefix().getValue();
  const eighths = vpc.splitInto(IPv4Prefix.fromNumber(prefix + 3n));
  const publicQuarters = eighths[eighths.length - 1].splitInto(IPv4Prefix.fromNumber(prefix + 5n));
  return {
    privateCidrs: eighths.slice(0, azCount).map((r) => r.toCidrString()),
    publicCidrs: publicQuarters.slice(0, azCount).map((r) => r.toCidrString()),
  };
}
