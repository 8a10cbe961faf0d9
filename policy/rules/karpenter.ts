// Karpenter's EC2NodeClass: the launch settings of every node Karpenter makes (it builds their
// launch templates itself, so the launch template rules above never see them).
import { resourceRule, stackRule } from "./define";
import { asArray, asNumber, asRecord, asString, get, isFalse, isTrue } from "./props";

export const EC2_NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";
const SUBNET = "aws:ec2/subnet:Subnet";

export const karpenterImdsv2 = resourceRule({
  name: "karpenter-node-imdsv2-hop-limit-1",
  summary: "EC2NodeClasses require IMDSv2 (spec.metadataOptions.httpTokens = 'required') with httpPutResponseHopLimit = 1, so pods cannot take the node role.",
  source: {
    cis: "5.2.1 Prefer using dedicated EKS Service Accounts",
    eksBestPractices: "Security › Identity and Access Management › Restrict access to the instance profile assigned to the worker node",
  },
  enforcementLevel: "mandatory",
  types: [EC2_NODE_CLASS],
  check: (props, report) => {
    const metadata = asRecord(get(props, "spec", "metadataOptions"));
    if (asString(metadata?.["httpTokens"]) !== "required") report("spec.metadataOptions.httpTokens must be 'required'.");
    const hops = asNumber(metadata?.["httpPutResponseHopLimit"]);
    if (hops !== 1) report(`spec.metadataOptions.httpPutResponseHopLimit must be 1 (got ${hops ?? "unset"}).`);
  },
});

export const karpenterEncryptedVolumes = resourceRule({
  name: "karpenter-node-ebs-encrypted",
  summary: "Every EBS volume of an EC2NodeClass is encrypted (spec.blockDeviceMappings[].ebs.encrypted = true), and the root volume is declared.",
  source: { eksBestPractices: "Security › Data encryption and secrets management › Encryption at rest" },
  enforcementLevel: "mandatory",
  types: [EC2_NODE_CLASS],
  check: (props, report) => {
    const mappings = asArray(get(props, "spec", "blockDeviceMappings"));
    if (!mappings.some((m) => isTrue(get(m, "rootVolume"))))
      report("spec.blockDeviceMappings must declare the root volume (rootVolume: true) with ebs.encrypted = true.");
    for (const m of mappings) {
      if (!isTrue(get(m, "ebs", "encrypted"))) report(`spec.blockDeviceMappings[${asString(get(m, "deviceName")) ?? "?"}].ebs.encrypted must be true.`);
    }
  },
});

/** Subnets of the stack carrying every tag of a selector term. */
function selected<T extends { props: Readonly<Record<string, unknown>> }>(subnets: readonly T[], tags: Record<string, unknown>): T[] {
  return subnets.filter((s) => Object.entries(tags).every(([key, value]) => get(s.props, "tags", key) === value));
}

export const karpenterPrivateSubnets = stackRule({
  name: "karpenter-node-private-subnets",
  summary:
    "EC2NodeClasses launch only into private subnets: they select subnets by tag, every subnet a selector matches is private (no mapPublicIpOnLaunch, no public 'kubernetes.io/role/elb' tag), and nodes get no public IP (associatePublicIPAddress false).",
  source: {
    cis: "5.4.3 Ensure clusters are created with Private Nodes",
    eksBestPractices: "Security › Infrastructure security › Deploy workers onto private subnets",
  },
  enforcementLevel: "mandatory",
  check: (resources, report) => {
    const subnets = resources.filter((r) => r.type === SUBNET);
    for (const nodeClass of resources.filter((r) => r.type === EC2_NODE_CLASS)) {
      if (!isFalse(get(nodeClass.props, "spec", "associatePublicIPAddress"))) {
        report(`EC2NodeClass '${nodeClass.name}': spec.associatePublicIPAddress must be false.`, nodeClass.urn);
      }
      for (const term of asArray(get(nodeClass.props, "spec", "subnetSelectorTerms"))) {
        const tags = asRecord(get(term, "tags"));
        if (!tags || Object.keys(tags).length === 0) {
          report(`EC2NodeClass '${nodeClass.name}': subnetSelectorTerms must select by tags (an id or an empty term cannot be checked).`, nodeClass.urn);
          continue;
        }
        const matched = selected(subnets, tags);
        if (matched.length === 0) report(`EC2NodeClass '${nodeClass.name}': a subnetSelectorTerm matches no subnet of the stack.`, nodeClass.urn);
        for (const subnet of matched.filter((s) => isTrue(s.props["mapPublicIpOnLaunch"]) || get(s.props, "tags", "kubernetes.io/role/elb") !== undefined)) {
          report(`EC2NodeClass '${nodeClass.name}' selects public subnet '${subnet.name}'.`, nodeClass.urn);
        }
      }
    }
  },
});

export const karpenterRules = [karpenterImdsv2, karpenterEncryptedVolumes, karpenterPrivateSubnets];
