// Data-plane rules: launch templates, managed node groups and the subnets they run in.
import { resourceRule, stackRule, usersOf } from "./define";
import { asArray, asNumber, asRecord, asString, get, isTrue } from "./props";

const LAUNCH_TEMPLATE = ["aws:ec2/launchTemplate:LaunchTemplate"] as const;
const NODE_GROUP = ["aws:eks/nodeGroup:NodeGroup"] as const;
const SUBNET = "aws:ec2/subnet:Subnet";
/** AL2 AMIs are not published for Kubernetes 1.33+; AL2023 and Bottlerocket are. */
const CURRENT_AMI_FAMILIES = ["AL2023_", "BOTTLEROCKET_"];

function ebsVolumesOf(props: Readonly<Record<string, unknown>>) {
  return asArray(props["blockDeviceMappings"])
    .map((mapping) => ({ device: asString(get(mapping, "deviceName")) ?? "?", ebs: asRecord(get(mapping, "ebs")) }))
    .filter((volume) => volume.ebs !== undefined);
}

export const nodeImdsv2 = resourceRule({
  name: "node-imdsv2-hop-limit-1",
  summary:
    "Node launch templates require IMDSv2 (metadataOptions.httpTokens = 'required') with httpPutResponseHopLimit = 1, so pods cannot take the node role.",
  source: {
    cis: "5.2.1 Prefer using dedicated EKS Service Accounts",
    eksBestPractices: "Security › Identity and Access Management › Restrict access to the instance profile assigned to the worker node",
  },
  enforcementLevel: "mandatory",
  types: LAUNCH_TEMPLATE,
  check: (props, report) => {
    const metadata = asRecord(props["metadataOptions"]);
    if (asString(metadata?.["httpTokens"]) !== "required") report("metadataOptions.httpTokens must be 'required'.");
    const hops = asNumber(metadata?.["httpPutResponseHopLimit"]);
    if (hops !== 1) report(`metadataOptions.httpPutResponseHopLimit must be 1 (got ${hops ?? "unset"}).`);
  },
});

export const nodeEncryptedVolumes = resourceRule({
  name: "node-ebs-encrypted",
  summary: "Every EBS volume of a node launch template is encrypted (blockDeviceMappings[].ebs.encrypted = 'true'), and a root volume is declared.",
  source: { eksBestPractices: "Security › Data encryption and secrets management › Encryption at rest" },
  enforcementLevel: "mandatory",
  types: LAUNCH_TEMPLATE,
  check: (props, report) => {
    const volumes = ebsVolumesOf(props);
    if (volumes.length === 0) report("blockDeviceMappings must declare the root EBS volume with encrypted = 'true'.");
    for (const volume of volumes) {
      if (!isTrue(volume.ebs?.["encrypted"])) report(`blockDeviceMappings[${volume.device}].ebs.encrypted must be 'true'.`);
    }
  },
});

export const nodeGp3Volumes = resourceRule({
  name: "node-ebs-gp3",
  summary: "Node EBS volumes should be gp3 (blockDeviceMappings[].ebs.volumeType): same price as gp2 with baseline IOPS independent of size.",
  source: { eksBestPractices: "Cost optimization › Data plane (choose storage for node volumes)" },
  enforcementLevel: "advisory",
  types: LAUNCH_TEMPLATE,
  check: (props, report) => {
    for (const volume of ebsVolumesOf(props)) {
      const type = asString(volume.ebs?.["volumeType"]);
      if (type !== "gp3") report(`blockDeviceMappings[${volume.device}].ebs.volumeType should be 'gp3' (got '${type ?? "unset"}').`);
    }
  },
});

export const nodeNoSsh = resourceRule({
  name: "node-group-no-remote-access",
  summary: "Managed node groups open no SSH access (no remoteAccess block); use SSM Session Manager instead.",
  source: { eksBestPractices: "Security › Infrastructure security › Minimize access to worker nodes" },
  enforcementLevel: "mandatory",
  types: NODE_GROUP,
  check: (props, report) => {
    if (props["remoteAccess"] !== undefined && props["remoteAccess"] !== null) {
      report("remoteAccess must not be set: worker nodes are reached through SSM, not SSH.");
    }
  },
});

export const nodeMultiAz = resourceRule({
  name: "node-group-multi-az",
  summary: "Managed node groups span at least two subnets (one per AZ) so losing a zone keeps capacity.",
  source: { eksBestPractices: "Reliability › Data plane › Spread worker nodes and workloads across multiple AZs" },
  enforcementLevel: "mandatory",
  types: NODE_GROUP,
  check: (props, report) => {
    const subnets = asArray(props["subnetIds"]).length;
    if (subnets < 2) report(`subnetIds must list at least 2 subnets in different AZs (got ${subnets}).`);
  },
});

export const nodeCurrentAmi = resourceRule({
  name: "node-group-current-ami",
  summary: "Managed node groups use a current AMI family (amiType AL2023_* or BOTTLEROCKET_*); AL2 is not published for Kubernetes 1.33+.",
  source: { eksBestPractices: "Cluster upgrades › Upgrade the data plane (use supported EKS optimized AMIs)" },
  enforcementLevel: "mandatory",
  types: NODE_GROUP,
  check: (props, report) => {
    const ami = asString(props["amiType"]);
    if (!ami || !CURRENT_AMI_FAMILIES.some((family) => ami.startsWith(family))) {
      report(`amiType must start with ${CURRENT_AMI_FAMILIES.join(" or ")} (got '${ami ?? "unset"}').`);
    }
  },
});

export const nodeProductionMinSize = resourceRule({
  name: "node-group-production-min-size",
  summary: "Production node groups keep at least 2 nodes (scalingConfig.minSize >= 2) so one node loss or drain does not stop the group's pods.",
  source: { eksBestPractices: "Reliability › Data plane › Ensure capacity in each AZ" },
  enforcementLevel: "advisory",
  types: NODE_GROUP,
  productionOnly: true,
  check: (props, report) => {
    const min = asNumber(get(props, "scalingConfig", "minSize"));
    if (min === undefined || min < 2) report(`scalingConfig.minSize should be >= 2 in production (got ${min ?? "unset"}).`);
  },
});

export const nodePrivateSubnets = stackRule({
  name: "node-group-private-subnets",
  summary:
    "Managed node groups run only in private subnets: no subnet a node group uses maps public IPs on launch (mapPublicIpOnLaunch) or carries the public 'kubernetes.io/role/elb' tag.",
  source: {
    cis: "5.4.3 Ensure clusters are created with Private Nodes",
    eksBestPractices: "Security › Infrastructure security › Deploy workers onto private subnets",
  },
  enforcementLevel: "mandatory",
  check: (resources, report) => {
    const publicSubnets = resources.filter(
      (r) => r.type === SUBNET && (isTrue(r.props["mapPublicIpOnLaunch"]) || get(r.props, "tags", "kubernetes.io/role/elb") !== undefined),
    );
    for (const subnet of publicSubnets) {
      for (const group of usersOf(resources, subnet, NODE_GROUP, "subnetIds")) {
        report(`node group '${group.name}' uses public subnet '${subnet.name}'.`, group.urn);
      }
    }
  },
});

export const nodeRules = [nodeImdsv2, nodeEncryptedVolumes, nodeGp3Volumes, nodeNoSsh, nodeMultiAz, nodeCurrentAmi, nodeProductionMinSize, nodePrivateSubnets];
