// Network rules: VPC flow logs, no world-open ingress besides HTTP(S), NetworkPolicy enforced.
import { resourceRule, stackRule, usersOf } from "./define";
import { asArray, asNumber, asString, asStrings, get, parseJsonDocument, type Props } from "./props";

const WORLD = ["0.0.0.0/0", "::/0"];
/** Ports a public load balancer may open to the world. */
export const PUBLIC_PORTS = [80, 443] as const;

export const vpcFlowLogs = stackRule({
  name: "vpc-flow-logs",
  summary: "Every VPC has a FlowLog (aws:ec2/flowLog:FlowLog with vpcId) capturing ALL traffic.",
  source: { eksBestPractices: "Security › Detective controls › Analyze VPC flow logs; Network security › Log network traffic metadata" },
  enforcementLevel: "mandatory",
  check: (resources, report) => {
    for (const vpc of resources.filter((r) => r.type === "aws:ec2/vpc:Vpc")) {
      const logs = usersOf(resources, vpc, ["aws:ec2/flowLog:FlowLog"], "vpcId");
      if (!logs.some((log) => asString(log.props["trafficType"]) === "ALL")) {
        report(`VPC '${vpc.name}' has no FlowLog with trafficType 'ALL'.`, vpc.urn);
      }
    }
  },
});

interface IngressRule {
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
}

function isWorldOpenOnPrivatePort(rule: IngressRule): boolean {
  if (!rule.cidrs.some((cidr) => WORLD.includes(cidr))) return false;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return !(from === to && (PUBLIC_PORTS as readonly number[]).includes(from));
}

/** Ingress rules of an inline SecurityGroup, a vpc SecurityGroupIngressRule or an ec2 SecurityGroupRule. */
function ingressRulesOf(type: string, props: Props): IngressRule[] {
  if (type === "aws:ec2/securityGroup:SecurityGroup") {
    return asArray(props["ingress"]).map((rule) => ({
      fromPort: asNumber(get(rule, "fromPort")),
      toPort: asNumber(get(rule, "toPort")),
      cidrs: [...asStrings(get(rule, "cidrBlocks")), ...asStrings(get(rule, "ipv6CidrBlocks"))],
    }));
  }
  if (type === "aws:ec2/securityGroupRule:SecurityGroupRule" && props["type"] !== "ingress") return [];
  const single = [asString(props["cidrIpv4"]), asString(props["cidrIpv6"])].filter((c): c is string => c !== undefined);
  return [
    {
      fromPort: asNumber(props["fromPort"]),
      toPort: asNumber(props["toPort"]),
      cidrs: [...single, ...asStrings(props["cidrBlocks"]), ...asStrings(props["ipv6CidrBlocks"])],
    },
  ];
}

export const noWorldIngress = resourceRule({
  name: "security-group-no-world-ingress",
  summary: `Security groups open nothing to 0.0.0.0/0 or ::/0 except single ports ${PUBLIC_PORTS.join(" and ")} (SecurityGroup.ingress, vpc SecurityGroupIngressRule, ec2 SecurityGroupRule).`,
  source: {
    cis: "5.4.3 Ensure clusters are created with Private Nodes",
    eksBestPractices: "Security › Infrastructure security › Minimize access to worker nodes",
  },
  enforcementLevel: "mandatory",
  types: ["aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:ec2/securityGroupRule:SecurityGroupRule"],
  check: (props, report, args) => {
    for (const rule of ingressRulesOf(args.type, props).filter(isWorldOpenOnPrivatePort)) {
      report(`ingress ${rule.fromPort ?? 0}-${rule.toPort ?? 65535} is open to the internet.`);
    }
  },
});

/** enableNetworkPolicy of a vpc-cni configurationValues JSON string, as the message shows it. */
function networkPolicySetting(configurationValues: unknown): string {
  if (configurationValues === undefined) return "unset";
  const parsed = parseJsonDocument(configurationValues);
  if (parsed === undefined) return "no JSON object";
  const value = parsed["enableNetworkPolicy"];
  return value === undefined ? "unset" : JSON.stringify(value);
}

export const vpcCniNetworkPolicy = resourceRule({
  name: "vpc-cni-network-policy",
  summary:
    'The vpc-cni EKS add-on enforces Kubernetes NetworkPolicy (configurationValues has enableNetworkPolicy = "true"); otherwise NetworkPolicies are accepted but ignored.',
  source: {
    cis: "5.4.4 Ensure Network Policy is Enabled and set as appropriate",
    eksBestPractices: "Security › Network security › Network policy",
  },
  enforcementLevel: "mandatory",
  types: ["aws:eks/addon:Addon"],
  check: (props, report) => {
    if (asString(props["addonName"]) !== "vpc-cni") return;
    const setting = networkPolicySetting(props["configurationValues"]);
    if (setting !== '"true"') report(`add-on 'vpc-cni' must set configurationValues enableNetworkPolicy to "true" (got ${setting}).`);
  },
});

export const networkRules = [vpcFlowLogs, noWorldIngress, vpcCniNetworkPolicy];
