// Subnets, routing, endpoints, flow logs, the RDS network and the AWS provider, per stack.
import { beforeAll, describe, expect, it } from "vitest";
import type { StackRecording } from "../harness/stacks";
import { FACTS, STACKS } from "../harness/stack-facts";
import { input, policyStatements, recordAllStacks } from "./helpers";

let stacks: Record<string, StackRecording>;
beforeAll(() => {
  stacks = recordAllStacks();
});

describe.each(STACKS)("%s network", (stack) => {
  const want = FACTS[stack];
  const rec = (): StackRecording => stacks[stack];
  const subnets = (tier: string) =>
    rec()
      .byType("aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes(`-${tier}-`));

  it("computes the subnet CIDRs over three AZs", () => {
    expect(input(rec().one("aws:ec2/vpc:Vpc", "-vpc"), "cidrBlock")).toBe(`${want.privateCidrs[0].split(".").slice(0, 2).join(".")}.0.0/16`);
    expect(subnets("private").map((s) => input(s, "cidrBlock"))).toEqual(want.privateCidrs);
    expect(subnets("public").map((s) => input(s, "cidrBlock"))).toEqual(want.publicCidrs);
    expect(subnets("private").map((s) => input(s, "availabilityZone"))).toEqual(["a", "b", "c"].map((z) => `${want.region}${z}`));
  });

  it("tags subnets for the load balancer controller and never maps public IPs", () => {
    subnets("public").forEach((s, i) => {
      expect(input(s, "tags")).toEqual({
        Name: `${want.namePrefix}-public-az${i + 1}`,
        "kubernetes.io/role/elb": "1",
        [`kubernetes.io/cluster/${want.clusterName}`]: "shared",
        "holodeck.dev/tier": "public",
      });
    });
    subnets("private").forEach((s, i) => {
      expect(input(s, "tags")).toEqual({
        Name: `${want.namePrefix}-private-az${i + 1}`,
        "kubernetes.io/role/internal-elb": "1",
        [`kubernetes.io/cluster/${want.clusterName}`]: "shared",
        "holodeck.dev/tier": "private",
        // Karpenter launches nodes only into subnets carrying its discovery tag: the private ones.
        "karpenter.sh/discovery": want.clusterName,
      });
    });
    for (const s of [...subnets("public"), ...subnets("private")]) expect(input(s, "mapPublicIpOnLaunch")).toBe(false);
  });

  it("routes each private subnet through the NAT gateway of its AZ (or the single one)", () => {
    const nats = rec().byType("aws:ec2/natGateway:NatGateway");
    expect(nats.length).toBe(want.natGateways);
    const routes = rec()
      .byType("aws:ec2/route:Route")
      .filter((r) => r.name.includes("-private-"));
    expect(routes.length).toBe(3);
    routes.forEach((route, i) => {
      expect(input(route, "destinationCidrBlock")).toBe("0.0.0.0/0");
      expect(route.propertyDependencies.natGatewayId).toEqual([nats[want.natGateways === 1 ? 0 : i].urn]);
    });
    nats.forEach((nat, i) => expect(nat.propertyDependencies.subnetId).toEqual([subnets("public")[i].urn]));
  });

  it("makes the system node group and the k8s provider wait for the way out of the VPC, so a destroy deletes them first", () => {
    const p = want.namePrefix;
    const azs = [1, 2, 3];
    const interfaces = want.production ? ["ecr-api", "ecr-dkr", "sts", "ec2", "logs"] : [];
    const egress = [
      `Route ${p}-public-default`,
      ...azs.map((i) => `RouteTableAssociation ${p}-public-az${i}`),
      ...azs.flatMap((i) => [`Route ${p}-private-az${i}-default`, `RouteTableAssociation ${p}-private-az${i}`]),
      ...["s3", ...interfaces].map((service) => `VpcEndpoint ${p}-endpoints-${service}`),
    ].sort();
    const egressTypes = ["aws:ec2/route:Route", "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/vpcEndpoint:VpcEndpoint"];
    const byUrn = new Map(rec().resources.map((r) => [r.urn, r]));
    const waitsFor = (urns: string[]) =>
      urns
        .map((urn) => byUrn.get(urn)!)
        .filter((r) => egressTypes.includes(r.type))
        .map((r) => `${r.type.split(":").pop()} ${r.name}`)
        .sort();
    const waiters = [rec().one("pulumi:providers:kubernetes", "-k8s"), ...rec().byType("aws:eks/nodeGroup:NodeGroup")];
    expect(waiters.map((w) => w.name).sort()).toEqual([`${p}-k8s`, `${p}-system-ng`]);
    for (const waiter of waiters) expect(waitsFor(waiter.dependsOn), waiter.name).toEqual(egress);
  });

  it("locks down the default security group", () => {
    const sg = rec().one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "-default-sg");
    expect(input(sg, "ingress")).toEqual([]);
    expect(input(sg, "egress")).toEqual([]);
  });

  it("has the S3 gateway endpoint, and interface endpoints only in production", () => {
    const endpoints = rec().byType("aws:ec2/vpcEndpoint:VpcEndpoint");
    const s3 = rec().one("aws:ec2/vpcEndpoint:VpcEndpoint", "-endpoints-s3");
    expect(input(s3, "serviceName")).toBe(`com.amazonaws.${want.region}.s3`);
    expect(input(s3, "vpcEndpointType")).toBe("Gateway");
    expect(input<string[]>(s3, "routeTableIds").length).toBe(4);
    const interfaces = endpoints.filter((e) => e.inputs.vpcEndpointType === "Interface");
    const services = want.production ? ["ecr.api", "ecr.dkr", "sts", "ec2", "logs"] : [];
    expect(interfaces.map((e) => input(e, "serviceName"))).toEqual(services.map((s) => `com.amazonaws.${want.region}.${s}`));
    for (const e of interfaces) {
      expect(input(e, "privateDnsEnabled")).toBe(true);
      expect(input(e, "subnetIds")).toEqual(rec().outputs.privateSubnetIds);
    }
  });

  it("sends all VPC traffic metadata to a KMS-encrypted log group", () => {
    const flow = rec().one("aws:ec2/flowLog:FlowLog", "-flow-logs-vpc");
    const group = rec().one("aws:cloudwatch/logGroup:LogGroup", "-flow-logs-logs");
    expect(input(flow, "trafficType")).toBe("ALL");
    expect(input(flow, "logDestinationType")).toBe("cloud-watch-logs");
    expect(flow.propertyDependencies.logDestination).toEqual([group.urn]);
    expect(input(group, "retentionInDays")).toBe(want.logRetentionDays);
    expect(group.propertyDependencies.kmsKeyId).toEqual([rec().one("aws:kms/key:Key", "-logs-key").urn]);
    const role = rec().one("aws:iam/role:Role", "-flow-logs-role");
    expect(policyStatements(input(role, "assumeRolePolicy"))[0].Condition).toEqual({ StringEquals: { "aws:SourceAccount": want.accountId } });
  });

  it("lets the logs service use the logs key only for this account's log groups", () => {
    const statement = policyStatements(input(rec().one("aws:kms/key:Key", "-logs-key"), "policy"))[1];
    expect(statement.Principal).toEqual({ Service: `logs.${want.region}.amazonaws.com` });
    expect(statement.Condition).toEqual({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${want.region}:${want.accountId}:log-group:*` } });
  });

  it("creates the RDS subnet group and admits Postgres only from the node security group", () => {
    const group = rec().one("aws:rds/subnetGroup:SubnetGroup", "-db-subnets");
    expect(input(group, "name")).toBe(`${want.clusterName}-rds`);
    expect(input(group, "subnetIds")).toEqual(rec().outputs.privateSubnetIds);
    const rule = rec().one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "-postgres-from-nodes");
    expect([input(rule, "ipProtocol"), input(rule, "fromPort"), input(rule, "toPort")]).toEqual(["tcp", 5432, 5432]);
    expect(input(rule, "referencedSecurityGroupId")).toBe(rec().outputs.nodeSecurityGroupId);
    expect(rule.inputs.cidrIpv4).toBeUndefined();
    expect(rec().outputs.rdsSubnetGroupName).toBe(`${want.clusterName}-rds`);
    expect(rec().outputs.rdsSecurityGroupId).toMatch(/^sg-/);
  });

  it("creates every AWS resource through the stack's provider with region, account guard and tags", () => {
    const provider = rec().one("pulumi:providers:aws", want.namePrefix);
    expect(input(provider, "region")).toBe(want.region);
    expect(JSON.parse(input<string>(provider, "allowedAccountIds"))).toEqual([want.accountId]);
    expect(JSON.parse(input<string>(provider, "defaultTags"))).toEqual({ tags: want.tags });
    const aws = rec().resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    expect(aws.length).toBeGreaterThan(60);
    for (const r of aws) expect(r.provider?.startsWith(`${provider.urn}::`), `${r.type} ${r.name}`).toBe(true);
  });
});
