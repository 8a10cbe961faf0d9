// IAM rules: least privilege for every policy, IRSA trust scoped to one service account.
import type { ReportViolation } from "@pulumi/policy";
import { resourceRule } from "./define";
import { asArray, asRecord, asString, get, oneOrMany, parseJsonDocument, statementsOf, type Props } from "./props";

const POLICY_DOCUMENT_TYPES = ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/role:Role"] as const;
const ROLE = ["aws:iam/role:Role"] as const;
const ATTACHMENT_TYPES = ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/role:Role"] as const;
/** AWS managed policies that grant (or can grant themselves) broad administrative power. */
export const FORBIDDEN_MANAGED_POLICIES = [
  "arn:aws:iam::aws:policy/AdministratorAccess",
  "arn:aws:iam::aws:policy/PowerUserAccess",
  "arn:aws:iam::aws:policy/IAMFullAccess",
] as const;
const ADDONS_NEEDING_IRSA = ["vpc-cni", "aws-ebs-csi-driver", "aws-efs-csi-driver"];

/** `*` or `service:*` grant every action; `ec2:Describe*` style prefixes stay allowed. */
function isWildcardAction(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

function permissionDocuments(type: string, props: Props): { where: string; document: unknown }[] {
  if (type !== "aws:iam/role:Role") return [{ where: "policy", document: props["policy"] }];
  return asArray(props["inlinePolicies"]).map((inline, index) => ({
    where: `inlinePolicies[${asString(get(inline, "name")) ?? index}].policy`,
    document: get(inline, "policy"),
  }));
}

export const iamNoWildcardActions = resourceRule({
  name: "iam-no-wildcard-actions",
  summary: "IAM permission policies (IRSA roles included) never Allow '*' or '<service>:*' actions; grant the named actions the add-on needs.",
  source: { eksBestPractices: "Security › Identity and Access Management › Grant least privileged access to AWS Resources (IRSA)" },
  enforcementLevel: "mandatory",
  types: POLICY_DOCUMENT_TYPES,
  check: (props, report, args) => {
    for (const { where, document } of permissionDocuments(args.type, props)) {
      for (const statement of statementsOf(parseJsonDocument(document))) {
        if (statement["Effect"] !== "Allow") continue;
        const wild = oneOrMany(statement["Action"]).filter(isWildcardAction);
        if (wild.length > 0) report(`${where} allows wildcard action(s) ${wild.join(", ")}.`);
        if (statement["NotAction"] !== undefined) report(`${where} uses Allow with NotAction, which grants everything else.`);
      }
    }
  },
});

function checkIrsaStatement(statement: Props, report: ReportViolation): void {
  const condition = asRecord(statement["Condition"]);
  const equals = asRecord(condition?.["StringEquals"]);
  const keys = Object.keys(equals ?? {});
  const subKey = keys.find((key) => key.endsWith(":sub"));
  const audKey = keys.find((key) => key.endsWith(":aud"));
  const subjects = subKey ? oneOrMany(equals?.[subKey]) : [];
  const scoped = subjects.length > 0 && subjects.every((sub) => /^system:serviceaccount:[a-z0-9-]+:[a-z0-9-.]+$/.test(sub));
  if (!scoped) {
    report("IRSA trust must use StringEquals on '<issuer>:sub' = 'system:serviceaccount:<namespace>:<serviceaccount>' (no wildcards, no StringLike).");
  }
  const audiences = audKey ? oneOrMany(equals?.[audKey]) : [];
  if (audiences.length !== 1 || audiences[0] !== "sts.amazonaws.com") {
    report("IRSA trust must use StringEquals on '<issuer>:aud' = 'sts.amazonaws.com'.");
  }
}

/** IRSA = web identity from an EKS cluster's issuer (oidc.eks.<region>.amazonaws.com/id/<id>). */
function isClusterIssuerStatement(statement: Props): boolean {
  const federated = oneOrMany(get(statement["Principal"], "Federated"));
  const keys = Object.values(asRecord(statement["Condition"]) ?? {}).flatMap((block) => Object.keys(asRecord(block) ?? {}));
  return federated.some((arn) => arn.includes(":oidc-provider/oidc.eks.")) || keys.some((key) => key.startsWith("oidc.eks."));
}

/** Other issuers (GitLab CI): audience pinned, subject narrowed to a project path and branch. */
function checkCiIssuerStatement(statement: Props, report: ReportViolation): void {
  const condition = asRecord(statement["Condition"]) ?? {};
  const equals = asRecord(condition["StringEquals"]) ?? {};
  const like = asRecord(condition["StringLike"]) ?? {};
  const audKey = Object.keys(equals).find((key) => key.endsWith(":aud"));
  if (!audKey || oneOrMany(equals[audKey]).join() !== "sts.amazonaws.com")
    report("web-identity trust must use StringEquals on '<issuer>:aud' = 'sts.amazonaws.com'.");
  const subKey = [...Object.keys(equals), ...Object.keys(like)].find((key) => key.endsWith(":sub"));
  const subjects = subKey ? oneOrMany(equals[subKey] ?? like[subKey]) : [];
  const scoped =
    subjects.length > 0 && subjects.every((sub) => /^project_path:[\w.-]+(\/[\w.-]+)*\/(\*|[\w.-]+):ref_type:(branch|tag):ref:[\w./-]+$/.test(sub));
  if (!scoped) report("web-identity trust of a CI issuer must scope '<issuer>:sub' to 'project_path:<group>/<project or *>:ref_type:<branch|tag>:ref:<name>'.");
}

export const irsaTrustScoped = resourceRule({
  name: "irsa-trust-scoped-to-service-account",
  summary:
    "Every role assumable with a web-identity token (sts:AssumeRoleWithWebIdentity) is scoped: a cluster OIDC token to exactly one namespace/service account, a CI OIDC token (GitLab) to a project path and ref; both to the STS audience.",
  source: { eksBestPractices: "Security › Identity and Access Management › Scope the IAM role trust policy for IRSA to the service account name" },
  enforcementLevel: "mandatory",
  types: ROLE,
  check: (props, report) => {
    for (const statement of statementsOf(parseJsonDocument(props["assumeRolePolicy"]))) {
      if (statement["Effect"] !== "Allow") continue;
      if (!oneOrMany(statement["Action"]).includes("sts:AssumeRoleWithWebIdentity")) continue;
      if (isClusterIssuerStatement(statement)) checkIrsaStatement(statement, report);
      else checkCiIssuerStatement(statement, report);
    }
  },
});

export const iamNoAdminPolicies = resourceRule({
  name: "iam-no-admin-managed-policies",
  summary: `No role gets an administrative AWS managed policy (${FORBIDDEN_MANAGED_POLICIES.map((arn) => arn.split("/")[1]).join(", ")}).`,
  source: {
    cis: "5.1.3 Minimize cluster access to read-only for Amazon ECR",
    eksBestPractices: "Security › Identity and Access Management › Grant least privileged access to AWS Resources",
  },
  enforcementLevel: "mandatory",
  types: ATTACHMENT_TYPES,
  check: (props, report, args) => {
    const arns = args.type === "aws:iam/role:Role" ? oneOrMany(props["managedPolicyArns"]) : oneOrMany(props["policyArn"]);
    for (const arn of arns.filter((a) => (FORBIDDEN_MANAGED_POLICIES as readonly string[]).includes(a))) {
      report(`${arn} must not be attached.`);
    }
  },
});

export const addonUsesIrsa = resourceRule({
  name: "eks-addon-irsa",
  summary: `EKS add-ons that call AWS (${ADDONS_NEEDING_IRSA.join(", ")}) use their own IRSA role (serviceAccountRoleArn), not the node role.`,
  source: {
    cis: "5.2.1 Prefer using dedicated EKS Service Accounts",
    eksBestPractices: "Security › Identity and Access Management › Update the aws-node daemonset to use IRSA",
  },
  enforcementLevel: "mandatory",
  types: ["aws:eks/addon:Addon"],
  check: (props, report) => {
    const addon = asString(props["addonName"]) ?? "";
    if (ADDONS_NEEDING_IRSA.includes(addon) && !asString(props["serviceAccountRoleArn"])) {
      report(`add-on '${addon}' must set serviceAccountRoleArn to its IRSA role.`);
    }
  },
});

export const iamRules = [iamNoWildcardActions, irsaTrustScoped, iamNoAdminPolicies, addonUsesIrsa];
