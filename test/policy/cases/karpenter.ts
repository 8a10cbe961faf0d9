// Cases of the Karpenter rules (policy/rules/karpenter.ts): the EC2NodeClass the bootstrap
// writes passes; each broken setting fails with its exact message.
import { EC2_NODE_CLASS, karpenterEncryptedVolumes, karpenterImdsv2, karpenterPrivateSubnets } from "../../../policy/rules/karpenter";
import { res, type RuleCases } from "./types";

const SUBNET = "aws:ec2/subnet:Subnet";
const DISCOVERY = { "karpenter.sh/discovery": "holodeck-staging-eu-west-1" };
const rootVolume = { deviceName: "/dev/xvda", rootVolume: true, ebs: { volumeSize: "50Gi", volumeType: "gp3", encrypted: true } };
const goodSpec = {
  role: "node-role",
  amiSelectorTerms: [{ alias: "al2023@latest" }],
  subnetSelectorTerms: [{ tags: DISCOVERY }],
  securityGroupSelectorTerms: [{ tags: DISCOVERY }],
  associatePublicIPAddress: false,
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [rootVolume],
};
const nodeClass = (changes: Record<string, unknown>) => res(EC2_NODE_CLASS, { kind: "EC2NodeClass", spec: { ...goodSpec, ...changes } }, { name: "workload" });
const privateSubnet = res(SUBNET, { mapPublicIpOnLaunch: false, tags: { "kubernetes.io/role/internal-elb": "1", ...DISCOVERY } }, { name: "private-a" });
const publicSubnet = res(SUBNET, { mapPublicIpOnLaunch: false, tags: { "kubernetes.io/role/elb": "1", ...DISCOVERY } }, { name: "public-a" });
const mappingPublicSubnet = res(SUBNET, { mapPublicIpOnLaunch: true, tags: { ...DISCOVERY } }, { name: "public-b" });

export const karpenterCases: RuleCases[] = [
  {
    rule: karpenterImdsv2,
    pass: [{ title: "IMDSv2, hop limit 1", resources: [nodeClass({})] }],
    fail: [
      {
        title: "hop limit 2 (pods reach IMDS)",
        resources: [nodeClass({ metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } })],
        messages: ["spec.metadataOptions.httpPutResponseHopLimit must be 1 (got 2)."],
      },
      {
        title: "no metadataOptions (Karpenter's default allows hop limit 1 but the rule wants it explicit)",
        resources: [nodeClass({ metadataOptions: undefined })],
        messages: ["spec.metadataOptions.httpTokens must be 'required'.", "spec.metadataOptions.httpPutResponseHopLimit must be 1 (got unset)."],
      },
      {
        title: "IMDSv1 allowed",
        resources: [nodeClass({ metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } })],
        messages: ["spec.metadataOptions.httpTokens must be 'required'."],
      },
    ],
  },
  {
    rule: karpenterEncryptedVolumes,
    pass: [{ title: "encrypted gp3 root volume", resources: [nodeClass({})] }],
    fail: [
      {
        title: "unencrypted root volume",
        resources: [nodeClass({ blockDeviceMappings: [{ ...rootVolume, ebs: { ...rootVolume.ebs, encrypted: false } }] })],
        messages: ["spec.blockDeviceMappings[/dev/xvda].ebs.encrypted must be true."],
      },
      {
        title: "no block device mappings (the AMI's default volume)",
        resources: [nodeClass({ blockDeviceMappings: undefined })],
        messages: ["spec.blockDeviceMappings must declare the root volume (rootVolume: true) with ebs.encrypted = true."],
      },
    ],
  },
  {
    rule: karpenterPrivateSubnets,
    pass: [{ title: "the discovery tag only on a private subnet", resources: [nodeClass({}), privateSubnet] }],
    fail: [
      {
        title: "the discovery tag on a public (elb role) subnet",
        resources: [nodeClass({}), privateSubnet, publicSubnet],
        messages: ["EC2NodeClass 'workload' selects public subnet 'public-a'."],
      },
      {
        title: "the discovery tag on a subnet that maps public IPs",
        resources: [nodeClass({}), mappingPublicSubnet],
        messages: ["EC2NodeClass 'workload' selects public subnet 'public-b'."],
      },
      {
        title: "a subnet picked by id, and public IPs left to the subnet's default",
        resources: [nodeClass({ subnetSelectorTerms: [{ id: "subnet-123" }], associatePublicIPAddress: undefined }), privateSubnet],
        messages: [
          "EC2NodeClass 'workload': spec.associatePublicIPAddress must be false.",
          "EC2NodeClass 'workload': subnetSelectorTerms must select by tags (an id or an empty term cannot be checked).",
        ],
      },
      {
        title: "a selector that matches nothing in the stack",
        resources: [nodeClass({ subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "another-cluster" } }] }), privateSubnet],
        messages: ["EC2NodeClass 'workload': a subnetSelectorTerm matches no subnet of the stack."],
      },
    ],
  },
];
