import { addonUsesIrsa, iamNoAdminPolicies, iamNoWildcardActions, irsaTrustScoped } from "../../../policy/rules/iam";
import { res, type RuleCases } from "./types";

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC123";
const OIDC_ARN = `arn:aws:iam::111111111111:oidc-provider/${ISSUER}`;

function trust(condition: Record<string, unknown>, action = "sts:AssumeRoleWithWebIdentity"): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Federated: OIDC_ARN }, Action: action, Condition: condition }],
  });
}
const GITLAB_ARN = "arn:aws:iam::111111111111:oidc-provider/gitlab.com";
function gitlabTrust(condition: Record<string, unknown>): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Federated: GITLAB_ARN }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition }],
  });
}
const gitlabAud = { "gitlab.com:aud": "sts.amazonaws.com" };
const scoped = { StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:vault:vault", [`${ISSUER}:aud`]: "sts.amazonaws.com" } };
const role = (assumeRolePolicy: string, extra: Record<string, unknown> = {}) =>
  res("aws:iam/role:Role", { assumeRolePolicy, ...extra }, { name: "vault-irsa" });
const document = (action: unknown, effect = "Allow") =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Action: action, Resource: "*" }] });
const policy = (doc: unknown) => res("aws:iam/policy:Policy", { policy: doc }, { name: "lbc" });

export const iamCases: RuleCases[] = [
  {
    rule: iamNoWildcardActions,
    pass: [
      { title: "named actions and Describe* prefixes", resources: [policy(document(["ec2:Describe*", "elasticloadbalancing:CreateLoadBalancer"]))] },
      { title: "wildcard in a Deny", resources: [policy(document("*", "Deny"))] },
      { title: "object document", resources: [policy({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "kms:Decrypt", Resource: "*" } })] },
    ],
    fail: [
      { title: "service wildcard", resources: [policy(document(["s3:*", "kms:Decrypt"]))], messages: ["policy allows wildcard action(s) s3:*."] },
      {
        title: "full wildcard inline on a role",
        resources: [role(trust(scoped), { inlinePolicies: [{ name: "all", policy: document("*") }] })],
        messages: ["inlinePolicies[all].policy allows wildcard action(s) *."],
      },
      {
        title: "Allow NotAction",
        resources: [policy(JSON.stringify({ Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] }))],
        messages: ["policy uses Allow with NotAction, which grants everything else."],
      },
    ],
  },
  {
    rule: irsaTrustScoped,
    pass: [
      { title: "sub + aud with StringEquals", resources: [role(trust(scoped))] },
      {
        title: "GitLab CI issuer scoped to a group's projects on one branch",
        resources: [
          role(gitlabTrust({ StringEquals: gitlabAud, StringLike: { "gitlab.com:sub": "project_path:holodeck/services/*:ref_type:branch:ref:main" } })),
        ],
      },
      {
        title: "non-IRSA role is not checked",
        resources: [role(JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }] }))],
      },
    ],
    fail: [
      {
        title: "namespace wildcard with StringLike",
        resources: [
          role(trust({ StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:vault:*" }, StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" } })),
        ],
        messages: ["IRSA trust must use StringEquals on '<issuer>:sub' = 'system:serviceaccount:<namespace>:<serviceaccount>' (no wildcards, no StringLike)."],
      },
      {
        title: "no audience",
        resources: [role(trust({ StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:vault:vault" } }))],
        messages: ["IRSA trust must use StringEquals on '<issuer>:aud' = 'sts.amazonaws.com'."],
      },
      {
        title: "GitLab CI issuer open to every project and ref",
        resources: [role(gitlabTrust({ StringEquals: gitlabAud, StringLike: { "gitlab.com:sub": "project_path:*" } }))],
        messages: ["web-identity trust of a CI issuer must scope '<issuer>:sub' to 'project_path:<group>/<project or *>:ref_type:<branch|tag>:ref:<name>'."],
      },
      {
        title: "GitLab CI issuer without audience",
        resources: [role(gitlabTrust({ StringLike: { "gitlab.com:sub": "project_path:holodeck/services/*:ref_type:branch:ref:main" } }))],
        messages: ["web-identity trust must use StringEquals on '<issuer>:aud' = 'sts.amazonaws.com'."],
      },
    ],
  },
  {
    rule: iamNoAdminPolicies,
    pass: [
      {
        title: "read-only ECR",
        resources: [
          res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "node", policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly" }),
        ],
      },
    ],
    fail: [
      {
        title: "AdministratorAccess attachment",
        resources: [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "ci", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
        messages: ["arn:aws:iam::aws:policy/AdministratorAccess must not be attached."],
      },
      {
        title: "IAMFullAccess in managedPolicyArns",
        resources: [role(trust(scoped), { managedPolicyArns: ["arn:aws:iam::aws:policy/IAMFullAccess"] })],
        messages: ["arn:aws:iam::aws:policy/IAMFullAccess must not be attached."],
      },
    ],
  },
  {
    rule: addonUsesIrsa,
    pass: [
      {
        title: "EBS CSI with IRSA",
        resources: [res("aws:eks/addon:Addon", { addonName: "aws-ebs-csi-driver", serviceAccountRoleArn: "arn:aws:iam::111111111111:role/ebs" })],
      },
      { title: "coredns needs none", resources: [res("aws:eks/addon:Addon", { addonName: "coredns" })] },
    ],
    fail: [
      {
        title: "vpc-cni on the node role",
        resources: [res("aws:eks/addon:Addon", { addonName: "vpc-cni" })],
        messages: ["add-on 'vpc-cni' must set serviceAccountRoleArn to its IRSA role."],
      },
    ],
  },
];
