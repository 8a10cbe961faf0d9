// The stack's VPC: public and private subnets over the AZs (CIDRs from network-layout.ts),
// tagged for the AWS Load Balancer Controller (and the private ones for Karpenter), NAT gateways (one, or one per AZ so an AZ
// outage does not cut the others off), VPC endpoints and flow logs.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NatMode } from "../model";
import { FlowLogs } from "./flow-logs";
import { planSubnets } from "./network-layout";
import { VpcEndpoints } from "./vpc-endpoints";

export interface NetworkArgs {
  clusterName: string;
  region: string;
  vpcCidr: string;
  azCount: number;
  natGateways: NatMode;
  /** ECR, STS, EC2 and CloudWatch Logs interface endpoints (production). */
  interfaceEndpoints: boolean;
  flowLogs: { kmsKeyArn: pulumi.Input<string>; retentionInDays: number; accountId: pulumi.Input<string>; partition: pulumi.Input<string> };
}

type SubnetTier = "public" | "private";

/**
 * Tag by which Karpenter's EC2NodeClass finds its subnets and security group (value: the cluster
 * name). Only the private subnets and the node security group carry it: Karpenter nodes never
 * land in a public subnet.
 */
export const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";

/** Tags the AWS Load Balancer Controller uses to find subnets for internet-facing / internal LBs (and Karpenter's, private only). */
export function subnetTags(tier: SubnetTier, clusterName: string, name: string): Record<string, string> {
  const role = tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb";
  const discovery: Record<string, string> = tier === "private" ? { [KARPENTER_DISCOVERY_TAG]: clusterName } : {};
  return { Name: name, [role]: "1", [`kubernetes.io/cluster/${clusterName}`]: "shared", "holodeck.dev/tier": tier, ...discovery };
}

export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateRouteTableIds: pulumi.Output<string>[];
  readonly natGatewayCount: number;
  /**
   * The way out of the VPC: default routes and route-table associations of both tiers (and
   * through them the NAT gateways, internet gateway and public subnets) and the VPC
   * endpoints. Nodes and in-cluster controllers need it for as long as they run: the load
   * balancer controller deletes its NLBs through it, and an internet-facing NLB sits in the
   * public subnets. Whatever waits for it is deleted before it on `pulumi destroy`.
   */
  readonly egress: pulumi.Resource[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:network:Network", name, {}, opts);
    const child = { parent: this };
    const plan = planSubnets(args.vpcCidr, args.azCount);
    const zones = aws.getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }, child);
    const zone = (i: number): pulumi.Output<string> =>
      zones.names.apply((names) => {
        if (names.length < args.azCount) throw new Error(`azCount ${args.azCount} but ${args.region} offers ${names.length} AZs (${names.join(", ")})`);
        return names[i];
      });

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } }, child);
    // CIS 5.4: the default security group must allow nothing; nothing here uses it.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${name}-default-locked` } }, child);
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: name } }, child);
    const publicRt = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: { Name: `${name}-public` } }, child);
    const publicDefault = new aws.ec2.Route(
      `${name}-public-default`,
      { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
      child,
    );

    const subnet = (tier: SubnetTier, i: number, cidrBlock: string): aws.ec2.Subnet => {
      const subnetName = `${name}-${tier}-az${i + 1}`;
      return new aws.ec2.Subnet(
        subnetName,
        { vpcId: vpc.id, cidrBlock, availabilityZone: zone(i), mapPublicIpOnLaunch: false, tags: subnetTags(tier, args.clusterName, subnetName) },
        child,
      );
    };
    const publicSubnets = plan.publicCidrs.map((cidr, i) => subnet("public", i, cidr));
    const privateSubnets = plan.privateCidrs.map((cidr, i) => subnet("private", i, cidr));
    const publicAssociations = publicSubnets.map(
      (s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-az${i + 1}`, { subnetId: s.id, routeTableId: publicRt.id }, child),
    );

    this.natGatewayCount = args.natGateways === "perAz" ? args.azCount : 1;
    const nats = publicSubnets.slice(0, this.natGatewayCount).map((s, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-az${i + 1}`, { domain: "vpc", tags: { Name: `${name}-nat-az${i + 1}` } }, child);
      return new aws.ec2.NatGateway(
        `${name}-nat-az${i + 1}`,
        { allocationId: eip.allocationId, subnetId: s.id, connectivityType: "public", tags: { Name: `${name}-nat-az${i + 1}` } },
        { parent: this, dependsOn: [igw] },
      );
    });
    const privateTiers = privateSubnets.map((s, i) => {
      const rt = new aws.ec2.RouteTable(`${name}-private-az${i + 1}`, { vpcId: vpc.id, tags: { Name: `${name}-private-az${i + 1}` } }, child);
      const nat = nats[args.natGateways === "perAz" ? i : 0];
      const route = new aws.ec2.Route(
        `${name}-private-az${i + 1}-default`,
        { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
        child,
      );
      const association = new aws.ec2.RouteTableAssociation(`${name}-private-az${i + 1}`, { subnetId: s.id, routeTableId: rt.id }, child);
      return { rt, route, association };
    });
    const privateRts = privateTiers.map((tier) => tier.rt);

    const endpoints = new VpcEndpoints(
      `${name}-endpoints`,
      {
        region: args.region,
        vpcId: vpc.id,
        vpcCidr: args.vpcCidr,
        gatewayRouteTableIds: [...privateRts.map((rt) => rt.id), publicRt.id],
        interfaceSubnetIds: args.interfaceEndpoints ? privateSubnets.map((s) => s.id) : [],
      },
      child,
    );
    new FlowLogs(`${name}-flow-logs`, { vpcId: vpc.id, logGroupName: `/holodeck/${args.clusterName}/vpc-flow-logs`, ...args.flowLogs }, child);

    this.egress = [publicDefault, ...publicAssociations, ...privateTiers.flatMap((tier) => [tier.route, tier.association]), ...endpoints.endpoints];
    this.vpcId = vpc.id;
    this.vpcCidr = vpc.cidrBlock;
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateRouteTableIds = privateRts.map((rt) => rt.id);
    this.registerOutputs({ vpcId: this.vpcId, vpcCidr: this.vpcCidr, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
  }
}
