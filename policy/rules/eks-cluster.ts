// Control-plane rules for aws:eks/cluster:Cluster (input names as in @pulumi/aws ClusterArgs).
import { resourceRule } from "./define";
import { asRecord, asString, asStrings, get, isFalse, isTrue } from "./props";

const CLUSTER = ["aws:eks/cluster:Cluster"] as const;
const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];
export const ALL_CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
/** Kubernetes minor versions in EKS standard support (checked 2026-11; 1.33 left it 2026-07-29, 1.34 leaves it 2026-12-02). */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.35", "1.36"] as const;

export const eksSecretsEncryption = resourceRule({
  name: "eks-secrets-encryption-cmk",
  summary: "EKS secrets must be envelope-encrypted with a customer-managed KMS key (encryptionConfig.resources contains 'secrets' and provider.keyArn is set).",
  source: {
    cis: "5.3.1 Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS",
    eksBestPractices: "Security › Data encryption and secrets management › Use envelope encryption of Kubernetes secrets",
  },
  enforcementLevel: "mandatory",
  types: CLUSTER,
  check: (props, report) => {
    const config = asRecord(props["encryptionConfig"]);
    if (!asStrings(config?.["resources"]).includes("secrets")) {
      report("encryptionConfig.resources must include 'secrets'.");
    }
    if (!asString(get(config, "provider", "keyArn"))) {
      report("encryptionConfig.provider.keyArn must name a customer-managed KMS key.");
    }
  },
});

export const eksAuditLogging = resourceRule({
  name: "eks-control-plane-audit-logging",
  summary: "EKS control-plane 'audit' and 'authenticator' logs must be enabled (enabledClusterLogTypes).",
  source: {
    cis: "2.1.1 Enable audit Logs",
    eksBestPractices: "Security › Detective controls › Enable audit logs",
  },
  enforcementLevel: "mandatory",
  types: CLUSTER,
  check: (props, report) => {
    const enabled = asStrings(props["enabledClusterLogTypes"]);
    for (const required of ["audit", "authenticator"]) {
      if (!enabled.includes(required)) report(`enabledClusterLogTypes must include '${required}'.`);
    }
  },
});

export const eksAllLogTypes = resourceRule({
  name: "eks-control-plane-all-log-types",
  summary: `All EKS control-plane log types should be enabled (${ALL_CONTROL_PLANE_LOG_TYPES.join(", ")}) so incidents can be reconstructed.`,
  source: { eksBestPractices: "Security › Detective controls › Enable audit logs; Cluster upgrades › Enable control plane logging" },
  enforcementLevel: "advisory",
  types: CLUSTER,
  check: (props, report) => {
    const enabled = asStrings(props["enabledClusterLogTypes"]);
    const missing = ALL_CONTROL_PLANE_LOG_TYPES.filter((type) => !enabled.includes(type));
    if (missing.length > 0) report(`enabledClusterLogTypes is missing: ${missing.join(", ")}.`);
  },
});

export const eksEndpointRestricted = resourceRule({
  name: "eks-endpoint-not-open-to-internet",
  summary: "In production the public API endpoint is either off or limited to an allowlist (vpcConfig.publicAccessCidrs set, never 0.0.0.0/0 or ::/0).",
  source: {
    cis: "5.4.1 Restrict Access to the Control Plane Endpoint",
    eksBestPractices: "Security › Identity and Access Management › Make the EKS Cluster Endpoint private",
  },
  enforcementLevel: "mandatory",
  types: CLUSTER,
  productionOnly: true,
  check: (props, report) => {
    const vpc = asRecord(props["vpcConfig"]);
    // The AWS default for endpointPublicAccess is true, so only an explicit false turns it off.
    if (isFalse(vpc?.["endpointPublicAccess"])) return;
    const cidrs = asStrings(vpc?.["publicAccessCidrs"]);
    if (cidrs.length === 0) {
      report("vpcConfig.endpointPublicAccess is on without vpcConfig.publicAccessCidrs: the API is open to 0.0.0.0/0.");
    }
    const open = cidrs.filter((cidr) => OPEN_CIDRS.includes(cidr));
    if (open.length > 0) report(`vpcConfig.publicAccessCidrs must not contain ${open.join(", ")}.`);
  },
});

export const eksPrivateEndpoint = resourceRule({
  name: "eks-private-endpoint-enabled",
  summary: "The private API endpoint must be on (vpcConfig.endpointPrivateAccess = true) so nodes reach the control plane inside the VPC.",
  source: {
    cis: "5.4.2 Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
    eksBestPractices: "Security › Identity and Access Management › Make the EKS Cluster Endpoint private",
  },
  enforcementLevel: "mandatory",
  types: CLUSTER,
  check: (props, report) => {
    if (!isTrue(get(props, "vpcConfig", "endpointPrivateAccess"))) {
      report("vpcConfig.endpointPrivateAccess must be true.");
    }
  },
});

export const eksAccessEntries = resourceRule({
  name: "eks-access-entries-only",
  summary: "Cluster access is managed by EKS access entries only (accessConfig.authenticationMode = 'API'), not the aws-auth ConfigMap.",
  source: {
    cis: "5.5.1 Manage Kubernetes RBAC users with AWS IAM Authenticator for Kubernetes or Upgrade to AWS CLI v1.16.156",
    eksBestPractices: "Security › Identity and Access Management › Use EKS Access Entries to grant access to the cluster",
  },
  enforcementLevel: "mandatory",
  types: CLUSTER,
  check: (props, report) => {
    const mode = asString(get(props, "accessConfig", "authenticationMode"));
    if (mode !== "API") report(`accessConfig.authenticationMode must be 'API' (got '${mode ?? "unset: CONFIG_MAP"}').`);
  },
});

export const eksNoCreatorAdmin = resourceRule({
  name: "eks-no-implicit-creator-admin",
  summary:
    "The principal that creates the cluster should not keep implicit cluster-admin (accessConfig.bootstrapClusterCreatorAdminPermissions = false); admins get explicit access entries.",
  source: { eksBestPractices: "Security › Identity and Access Management › Remove the cluster-admin permissions from the cluster creator principal" },
  enforcementLevel: "advisory",
  types: CLUSTER,
  check: (props, report) => {
    if (!isFalse(get(props, "accessConfig", "bootstrapClusterCreatorAdminPermissions"))) {
      report("accessConfig.bootstrapClusterCreatorAdminPermissions should be false.");
    }
  },
});

export const eksSupportedVersion = resourceRule({
  name: "eks-supported-kubernetes-version",
  summary: `The cluster pins a Kubernetes version in EKS standard support (${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}).`,
  source: { eksBestPractices: "Cluster upgrades › Keep your cluster up-to-date" },
  enforcementLevel: "mandatory",
  types: CLUSTER,
  check: (props, report) => {
    const version = asString(props["version"]);
    if (!version || !(SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(version)) {
      report(`version must be one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")} (got '${version ?? "unset"}').`);
    }
  },
});

export const eksDeletionProtection = resourceRule({
  name: "eks-deletion-protection-production",
  summary: "Production clusters have EKS deletion protection on (deletionProtection = true).",
  source: { eksBestPractices: "Reliability › EKS Control Plane (protect the control plane from accidental removal)" },
  enforcementLevel: "mandatory",
  types: CLUSTER,
  productionOnly: true,
  check: (props, report) => {
    if (!isTrue(props["deletionProtection"])) report("deletionProtection must be true in production.");
  },
});

export const eksStandardSupport = resourceRule({
  name: "eks-upgrade-policy-standard",
  summary: "Clusters should opt out of paid extended support (upgradePolicy.supportType = 'STANDARD') so falling behind is noticed, not billed.",
  source: { eksBestPractices: "Cluster upgrades › Understand the EKS extended support" },
  enforcementLevel: "advisory",
  types: CLUSTER,
  check: (props, report) => {
    const support = asString(get(props, "upgradePolicy", "supportType"));
    if (support !== "STANDARD") report(`upgradePolicy.supportType should be 'STANDARD' (got '${support ?? "unset: EXTENDED"}').`);
  },
});

export const eksClusterRules = [
  eksSecretsEncryption,
  eksAuditLogging,
  eksAllLogTypes,
  eksEndpointRestricted,
  eksPrivateEndpoint,
  eksAccessEntries,
  eksNoCreatorAdmin,
  eksSupportedVersion,
  eksDeletionProtection,
  eksStandardSupport,
];
