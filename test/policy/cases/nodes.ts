import {
  nodeCurrentAmi,
  nodeEncryptedVolumes,
  nodeGp3Volumes,
  nodeImdsv2,
  nodeMultiAz,
  nodeNoSsh,
  nodePrivateSubnets,
  nodeProductionMinSize,
} from "../../../policy/rules/nodes";
import { PROD, res, STAGING, type RuleCases } from "./types";

const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const NG = "aws:eks/nodeGroup:NodeGroup";
const SUBNET = "aws:ec2/subnet:Subnet";

const rootVolume = { deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3", volumeSize: 50 } };
const goodLaunchTemplate = {
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [rootVolume],
};
const launchTemplate = (changes: Record<string, unknown>) => res(LT, { ...goodLaunchTemplate, ...changes }, { name: "system-lt" });
const goodNodeGroup = {
  amiType: "AL2023_x86_64_STANDARD",
  subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 6 },
};
const nodeGroup = (changes: Record<string, unknown>, stack = STAGING) => res(NG, { ...goodNodeGroup, ...changes }, { name: "system", stack });

const privateSubnet = res(SUBNET, { mapPublicIpOnLaunch: false, tags: { "kubernetes.io/role/internal-elb": "1" } }, { name: "private-a" });
const publicSubnet = res(SUBNET, { mapPublicIpOnLaunch: true, tags: { "kubernetes.io/role/elb": "1" } }, { name: "public-a" });
const taggedPublicSubnet = res(SUBNET, { tags: { "kubernetes.io/role/elb": "1" } }, { name: "public-b" });

export const nodeCases: RuleCases[] = [
  {
    rule: nodeImdsv2,
    pass: [{ title: "IMDSv2, hop limit 1", resources: [launchTemplate({})] }],
    fail: [
      {
        title: "hop limit 2 (pods reach IMDS)",
        resources: [launchTemplate({ metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } })],
        messages: ["metadataOptions.httpPutResponseHopLimit must be 1 (got 2)."],
      },
      {
        title: "no metadataOptions",
        resources: [launchTemplate({ metadataOptions: undefined })],
        messages: ["metadataOptions.httpTokens must be 'required'.", "metadataOptions.httpPutResponseHopLimit must be 1 (got unset)."],
      },
    ],
  },
  {
    rule: nodeEncryptedVolumes,
    pass: [{ title: "encrypted root", resources: [launchTemplate({})] }],
    fail: [
      {
        title: "unencrypted root",
        resources: [launchTemplate({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeType: "gp3" } }] })],
        messages: ["blockDeviceMappings[/dev/xvda].ebs.encrypted must be 'true'."],
      },
      {
        title: "no volumes declared",
        resources: [launchTemplate({ blockDeviceMappings: [] })],
        messages: ["blockDeviceMappings must declare the root EBS volume with encrypted = 'true'."],
      },
    ],
  },
  {
    rule: nodeGp3Volumes,
    pass: [{ title: "gp3", resources: [launchTemplate({})] }],
    fail: [
      {
        title: "gp2",
        resources: [launchTemplate({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp2" } }] })],
        messages: ["blockDeviceMappings[/dev/xvda].ebs.volumeType should be 'gp3' (got 'gp2')."],
      },
    ],
  },
  {
    rule: nodeNoSsh,
    pass: [{ title: "no remoteAccess", resources: [nodeGroup({})] }],
    fail: [
      {
        title: "SSH key",
        resources: [nodeGroup({ remoteAccess: { ec2SshKey: "ops" } })],
        messages: ["remoteAccess must not be set: worker nodes are reached through SSM, not SSH."],
      },
    ],
  },
  {
    rule: nodeMultiAz,
    pass: [{ title: "three subnets", resources: [nodeGroup({})] }],
    fail: [
      {
        title: "one subnet",
        resources: [nodeGroup({ subnetIds: ["subnet-a"] })],
        messages: ["subnetIds must list at least 2 subnets in different AZs (got 1)."],
      },
    ],
  },
  {
    rule: nodeCurrentAmi,
    pass: [
      { title: "AL2023", resources: [nodeGroup({})] },
      { title: "Bottlerocket", resources: [nodeGroup({ amiType: "BOTTLEROCKET_ARM_64" })] },
    ],
    fail: [
      { title: "AL2", resources: [nodeGroup({ amiType: "AL2_x86_64" })], messages: ["amiType must start with AL2023_ or BOTTLEROCKET_ (got 'AL2_x86_64')."] },
    ],
  },
  {
    rule: nodeProductionMinSize,
    pass: [
      { title: "min 2 in production", resources: [nodeGroup({}, PROD)] },
      { title: "min 1 in staging", resources: [nodeGroup({ scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 2 } })] },
    ],
    fail: [
      {
        title: "min 1 in production",
        resources: [nodeGroup({ scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 2 } }, PROD)],
        messages: ["scalingConfig.minSize should be >= 2 in production (got 1)."],
      },
    ],
  },
  {
    rule: nodePrivateSubnets,
    pass: [
      {
        title: "node group on a private subnet",
        resources: [privateSubnet, publicSubnet, { ...nodeGroup({}), propertyDependsOn: { subnetIds: ["private-a"] } }],
      },
      {
        title: "a dependsOn on the whole network does not count when subnetIds' own dependencies are known",
        resources: [privateSubnet, publicSubnet, { ...nodeGroup({}), dependsOn: ["private-a", "public-a"], propertyDependsOn: { subnetIds: ["private-a"] } }],
      },
    ],
    fail: [
      {
        title: "node group on a public subnet",
        resources: [privateSubnet, publicSubnet, { ...nodeGroup({}), propertyDependsOn: { subnetIds: ["private-a", "public-a"] } }],
        messages: ["node group 'system' uses public subnet 'public-a'."],
      },
      {
        title: "elb-tagged subnet found through plain dependencies",
        resources: [taggedPublicSubnet, { ...nodeGroup({}), dependsOn: ["public-b"] }],
        messages: ["node group 'system' uses public subnet 'public-b'."],
      },
    ],
  },
];
