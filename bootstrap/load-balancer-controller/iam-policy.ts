// IAM policy of the AWS Load Balancer Controller, derived from the controller's published
// docs/install/iam_policy.json at the pinned version (bootstrap/versions.ts; re-check on a bump), narrowed:
// - every create/modify/delete is limited to resources tagged `elbv2.k8s.aws/cluster` =
//   THIS cluster (upstream accepts any value of the tag, i.e. any cluster in the account);
// - WAF, Shield, Cognito and IAM server certificates are dropped: the chart runs with
//   enableWaf/enableWafv2/enableShield false and the platform only makes NLBs;
// - security group ingress edits only on groups in the cluster's VPC (`ec2:Vpc`).
import type { PolicyStatement } from "../../components/iam-policy";

const CLUSTER_TAG = "elbv2.k8s.aws/cluster";
const ELB_TAGGABLE = [
  "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
  "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
  "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
];
const SECURITY_GROUPS = "arn:aws:ec2:*:*:security-group/*";

/** What the policy is scoped to: the cluster's ownership tag and the cluster's VPC. */
export interface LoadBalancerControllerScope {
  clusterName: string;
  /** arn:aws:ec2:<region>:<account>:vpc/<vpc id> */
  vpcArn: string;
}

export function loadBalancerControllerStatements({ clusterName, vpcArn }: LoadBalancerControllerScope): PolicyStatement[] {
  const requestTagged = { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName } };
  const resourceTagged = { StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: clusterName } };
  // Tag edits that leave the ownership tag alone, on resources this cluster owns.
  const ownedTagEdit = {
    Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "true" },
    StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: clusterName },
  };
  return [
    {
      Sid: "ServiceLinkedRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: "*",
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
    {
      Sid: "Describe",
      Effect: "Allow",
      Action: [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:GetCoipPoolUsage",
        "ec2:DescribeCoipPools",
        "ec2:GetSecurityGroupsForVpc",
        "ec2:DescribeIpamPools",
        "ec2:DescribeRouteTables",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTrustStores",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeCapacityReservation",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
      ],
      Resource: "*",
    },
    { Sid: "CreateSecurityGroup", Effect: "Allow", Action: ["ec2:CreateSecurityGroup"], Resource: "*" },
    {
      Sid: "TagNewSecurityGroup",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      Resource: SECURITY_GROUPS,
      Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName } },
    },
    { Sid: "TagOwnedSecurityGroup", Effect: "Allow", Action: ["ec2:CreateTags", "ec2:DeleteTags"], Resource: SECURITY_GROUPS, Condition: ownedTagEdit },
    {
      Sid: "ManageOwnedSecurityGroup",
      Effect: "Allow",
      Action: ["ec2:DeleteSecurityGroup"],
      Resource: "*",
      Condition: resourceTagged,
    },
    {
      // Node/cluster security groups are not tagged by the controller; it opens the NLB's
      // health-check and traffic ports on them. Upstream's iam_policy.json grants this on `*`
      // and its install docs recommend scoping it to the cluster's VPC: only groups in this
      // VPC (node, cluster and the controller's own groups all live there).
      Sid: "OpenNodeSecurityGroupPorts",
      Effect: "Allow",
      Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      Resource: SECURITY_GROUPS,
      Condition: { ArnEquals: { "ec2:Vpc": vpcArn } },
    },
    {
      Sid: "CreateOwnedLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      Resource: "*",
      Condition: requestTagged,
    },
    {
      Sid: "ManageListenersAndRules",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
      ],
      Resource: "*",
    },
    {
      Sid: "TagOwnedLoadBalancers",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: ELB_TAGGABLE,
      Condition: ownedTagEdit,
    },
    {
      Sid: "TagListenersAndRules",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      Resource: [
        "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
      ],
    },
    {
      Sid: "ManageOwnedLoadBalancers",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyCapacityReservation",
        "elasticloadbalancing:ModifyIpPools",
      ],
      Resource: "*",
      Condition: resourceTagged,
    },
    {
      Sid: "TagOnCreate",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags"],
      Resource: ELB_TAGGABLE,
      Condition: {
        StringEquals: {
          "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
          [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName,
        },
      },
    },
    {
      Sid: "RegisterTargets",
      Effect: "Allow",
      Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      Resource: "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
    },
    {
      Sid: "ModifyListeners",
      Effect: "Allow",
      Action: [
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
      ],
      Resource: "*",
    },
  ];
}
