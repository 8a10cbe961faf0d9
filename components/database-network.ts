// Where Crossplane puts RDS instances (platform-apps compositions): a DB subnet group over the
// private subnets and a security group that admits Postgres only from the cluster's nodes.
// Exported through the ArgoCD cluster Secret (rds_subnet_group_name, rds_security_group_id).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const POSTGRES_PORT = 5432;

export interface DatabaseNetworkArgs {
  clusterName: string;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  nodeSecurityGroupId: pulumi.Input<string>;
}

export class DatabaseNetwork extends pulumi.ComponentResource {
  readonly subnetGroupName: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: DatabaseNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:network:DatabaseNetwork", name, {}, opts);
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { name: `${args.clusterName}-rds`, description: `RDS subnets of ${args.clusterName}`, subnetIds: args.privateSubnetIds },
      { parent: this },
    );
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: `Postgres from ${args.clusterName} nodes`, tags: { Name: `${args.clusterName}-rds` } },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-postgres-from-nodes`,
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        referencedSecurityGroupId: args.nodeSecurityGroupId,
        description: "Postgres from EKS nodes",
      },
      { parent: this },
    );
    this.subnetGroupName = subnetGroup.name;
    this.securityGroupId = sg.id;
    this.registerOutputs({ subnetGroupName: this.subnetGroupName, securityGroupId: this.securityGroupId });
  }
}
