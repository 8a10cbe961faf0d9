// VPC endpoints: the free S3 gateway endpoint always (image layers from ECR come from S3),
// and, when subnets are given, interface endpoints so nodes reach ECR, STS, EC2 and
// CloudWatch Logs without crossing the NAT gateways.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Interface endpoint services in production (issue 3). */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "sts", "ec2", "logs"] as const;

export interface VpcEndpointsArgs {
  region: string;
  vpcId: pulumi.Input<string>;
  vpcCidr: string;
  gatewayRouteTableIds: pulumi.Input<string>[];
  /** Subnets for interface endpoints; empty = no interface endpoints. */
  interfaceSubnetIds: pulumi.Input<string>[];
}

export class VpcEndpoints extends pulumi.ComponentResource {
  readonly interfaceEndpointCount: number;
  readonly endpoints: aws.ec2.VpcEndpoint[];

  constructor(name: string, args: VpcEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:network:VpcEndpoints", name, {}, opts);
    const child = { parent: this };
    const s3 = new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: args.vpcId,
        serviceName: `com.amazonaws.${args.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: args.gatewayRouteTableIds,
        tags: { Name: `${name}-s3` },
      },
      child,
    );
    this.endpoints = [s3];
    const services = args.interfaceSubnetIds.length > 0 ? INTERFACE_ENDPOINT_SERVICES : [];
    if (services.length > 0) {
      const sg = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        { vpcId: args.vpcId, description: "HTTPS from the VPC to interface endpoints", tags: { Name: `${name}-interface-endpoints` } },
        child,
      );
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-https`,
        { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: args.vpcCidr, description: "HTTPS from the VPC" },
        child,
      );
      for (const service of services) {
        this.endpoints.push(
          new aws.ec2.VpcEndpoint(
            `${name}-${service.replace(".", "-")}`,
            {
              vpcId: args.vpcId,
              serviceName: `com.amazonaws.${args.region}.${service}`,
              vpcEndpointType: "Interface",
              privateDnsEnabled: true,
              subnetIds: args.interfaceSubnetIds,
              securityGroupIds: [sg.id],
              tags: { Name: `${name}-${service}` },
            },
            child,
          ),
        );
      }
    }
    this.interfaceEndpointCount = services.length;
    this.registerOutputs({});
  }
}
