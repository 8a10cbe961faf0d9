// Bad stack config: one error that names the file, each bad key and its allowed values,
// thrown before the program registers a single resource.
import { describe, expect, it } from "vitest";
import { runStack, StackRunError } from "../harness/stacks";

const STAGING = "staging-eu-west-1";
const PRODUCTION = "production-eu-west-1";
const group = (over: Record<string, unknown>): string =>
  JSON.stringify({ instanceTypes: ["m7i.large"], minSize: 2, desiredSize: 2, maxSize: 4, diskSizeGiB: 50, ...over });

async function configError(stack: string, config: Record<string, string | undefined>): Promise<StackRunError> {
  try {
    await runStack(stack, { config });
  } catch (err) {
    if (err instanceof StackRunError) return err;
    throw err;
  }
  throw new Error(`stack ${stack} accepted ${JSON.stringify(config)}`);
}

interface BadCase {
  what: string;
  stack: string;
  config: Record<string, string | undefined>;
  key: string;
  allowed: string;
}

const CASES: BadCase[] = [
  { what: "VPC too large", stack: STAGING, config: { "holodeck:vpcCidr": "10.0.0.0/8" }, key: "holodeck:vpcCidr", allowed: "/16 to /20" },
  { what: "VPC base not aligned", stack: STAGING, config: { "holodeck:vpcCidr": "10.20.0.1/16" }, key: "holodeck:vpcCidr", allowed: "aligned RFC 1918" },
  { what: "VPC in public space", stack: STAGING, config: { "holodeck:vpcCidr": "8.8.0.0/16" }, key: "holodeck:vpcCidr", allowed: "RFC 1918" },
  { what: "one AZ", stack: STAGING, config: { "holodeck:azCount": "1" }, key: "holodeck:azCount", allowed: "an integer from 2 to 4" },
  { what: "unknown NAT mode", stack: STAGING, config: { "holodeck:natGateways": "perRegion" }, key: "holodeck:natGateways", allowed: "single | perAz" },
  { what: "unknown edge", stack: STAGING, config: { "holodeck:edge": "traefik" }, key: "holodeck:edge", allowed: "allowed: gateway | ingress-nginx" },
  {
    what: "standby edge = serving edge",
    stack: STAGING,
    config: { "holodeck:edgeStandby": "gateway" },
    key: "holodeck:edgeStandby",
    allowed: "the edge other than holodeck:edge (gateway | ingress-nginx)",
  },
  {
    what: "Vault restricted to no one",
    stack: STAGING,
    config: { "holodeck:vaultAllowedCidrs": "[]" },
    key: "holodeck:vaultAllowedCidrs",
    allowed: "unset (Vault public on the edge, like the other UIs), or a non-empty list of IPv4 CIDRs",
  },
  {
    what: "Vault restricted to a bad CIDR",
    stack: STAGING,
    config: { "holodeck:vaultAllowedCidrs": '["203.0.113.0/33"]' },
    key: "holodeck:vaultAllowedCidrs[0]",
    allowed: "a non-empty list of IPv4 CIDRs",
  },
  {
    what: "ingress-nginx edge on a Kubernetes its chart does not support",
    stack: STAGING,
    config: { "holodeck:edge": "ingress-nginx", "holodeck:kubernetesVersion": "1.36" },
    key: "holodeck:edge",
    allowed: "its chart ingress-nginx 4.15.1 supports Kubernetes 1.31 to 1.35, not holodeck:kubernetesVersion 1.36",
  },
  {
    what: "ingress-nginx standing by on a Kubernetes its chart does not support",
    stack: STAGING,
    config: { "holodeck:edgeStandby": "ingress-nginx", "holodeck:kubernetesVersion": "1.36" },
    key: "holodeck:edgeStandby",
    allowed: "on Kubernetes 1.36: gateway (or keep the Kubernetes version the edge supports)",
  },
  {
    what: "unknown standby edge",
    stack: STAGING,
    config: { "holodeck:edgeStandby": "istio" },
    key: "holodeck:edgeStandby",
    allowed: "unset, or the edge other",
  },
  {
    what: "edge in another case",
    stack: PRODUCTION,
    config: { "holodeck:edge": "Gateway" },
    key: "holodeck:edge",
    allowed: "allowed: gateway | ingress-nginx",
  },
  {
    what: "unsupported Kubernetes",
    stack: STAGING,
    config: { "holodeck:kubernetesVersion": "1.30" },
    key: "holodeck:kubernetesVersion",
    allowed: "allowed: 1.35 | 1.36",
  },
  {
    what: "Kubernetes past standard support",
    stack: STAGING,
    config: { "holodeck:kubernetesVersion": "1.34" },
    key: "holodeck:kubernetesVersion",
    allowed: "allowed: 1.35 | 1.36",
  },
  {
    what: "bad allowlist CIDR",
    stack: STAGING,
    config: { "holodeck:endpointPublicAccessCidrs": '["203.0.113.0/33"]' },
    key: "holodeck:endpointPublicAccessCidrs[0]",
    allowed: "aligned IPv4 CIDRs",
  },
  {
    what: "production API open to the internet",
    stack: PRODUCTION,
    config: { "holodeck:endpointPublicAccessCidrs": '["0.0.0.0/0"]' },
    key: "holodeck:endpointPublicAccessCidrs[0]",
    allowed: "0.0.0.0/0 not in production",
  },
  {
    what: "min > desired",
    stack: STAGING,
    config: { "holodeck:systemNodeGroup": group({ minSize: 3, desiredSize: 2 }) },
    key: "holodeck:systemNodeGroup",
    allowed: "minSize <= desiredSize <= maxSize",
  },
  {
    what: "system group below two nodes",
    stack: STAGING,
    config: { "holodeck:systemNodeGroup": group({ minSize: 1, desiredSize: 1 }) },
    key: "holodeck:systemNodeGroup.minSize",
    allowed: "minSize >= 2",
  },
  {
    what: "typo in a node group field",
    stack: STAGING,
    config: { "holodeck:workloadNodeGroup": group({ desiredsize: 3 }) },
    key: "holodeck:workloadNodeGroup.desiredsize",
    allowed: "{instanceTypes, minSize, desiredSize, maxSize, diskSizeGiB}",
  },
  {
    what: "made-up instance type",
    stack: STAGING,
    config: { "holodeck:workloadNodeGroup": group({ instanceTypes: ["m7i.huge"] }) },
    key: "holodeck:workloadNodeGroup.instanceTypes[0]",
    allowed: "EC2 instance types",
  },
  {
    what: "arm and x86 in one group",
    stack: STAGING,
    config: { "holodeck:workloadNodeGroup": group({ instanceTypes: ["m7i.large", "m7g.large"] }) },
    key: "holodeck:workloadNodeGroup.instanceTypes",
    allowed: "one CPU architecture",
  },
  {
    what: "tiny root disk",
    stack: STAGING,
    config: { "holodeck:systemNodeGroup": group({ diskSizeGiB: 10 }) },
    key: "holodeck:systemNodeGroup.diskSizeGiB",
    allowed: "an integer from 20 to 16384",
  },
  {
    what: "user ARN as admin",
    stack: STAGING,
    config: { "holodeck:adminRoleArns": '["arn:aws:iam::210987654321:user/bob"]' },
    key: "holodeck:adminRoleArns[0]",
    allowed: "IAM role ARNs",
  },
  {
    what: "CI role also admin",
    stack: STAGING,
    config: { "holodeck:adminRoleArns": '["arn:aws:iam::210987654321:role/holodeck-gitlab-ci"]' },
    key: "holodeck:adminRoleArns",
    allowed: "not containing ciRoleArn",
  },
  {
    what: "preview role is the CI role",
    stack: STAGING,
    config: { "holodeck:previewRoleArn": "arn:aws:iam::210987654321:role/holodeck-gitlab-ci" },
    key: "holodeck:previewRoleArn",
    allowed: "other than ciRoleArn, the adminRoleArns and the other read-only role",
  },
  {
    what: "drift role is the preview role",
    stack: STAGING,
    config: { "holodeck:driftRoleArn": "arn:aws:iam::210987654321:role/holodeck-gitlab-preview" },
    key: "holodeck:driftRoleArn",
    allowed: "other than ciRoleArn, the adminRoleArns and the other read-only role",
  },
  {
    what: "preview role in another account",
    stack: STAGING,
    config: { "holodeck:previewRoleArn": "arn:aws:iam::123456789012:role/holodeck-gitlab-preview" },
    key: "holodeck:previewRoleArn",
    allowed: "in ciRoleArn's account",
  },
  {
    what: "preview role not a role",
    stack: STAGING,
    config: { "holodeck:previewRoleArn": "holodeck-gitlab-preview" },
    key: "holodeck:previewRoleArn",
    allowed: "arn:aws:iam::<12 digits>:role/<name>",
  },
  {
    what: "bad CI role",
    stack: STAGING,
    config: { "holodeck:ciRoleArn": "holodeck-gitlab-ci" },
    key: "holodeck:ciRoleArn",
    allowed: "arn:aws:iam::<12 digits>:role/<name>",
  },
  {
    what: "domain with upper case and spaces",
    stack: STAGING,
    config: { "holodeck:domain": "Not A Domain" },
    key: "holodeck:domain",
    allowed: "lower-case DNS name",
  },
  { what: "hosted zone id", stack: STAGING, config: { "holodeck:hostedZoneId": "zone-1" }, key: "holodeck:hostedZoneId", allowed: "Route53 zone id" },
  { what: "e-mail", stack: STAGING, config: { "holodeck:letsencryptEmail": "platform-team" }, key: "holodeck:letsencryptEmail", allowed: "e-mail address" },
  {
    what: "ssh repo URL",
    stack: STAGING,
    config: { "holodeck:platformRepoUrl": "git@gitlab.com:holodeck/holodeck.git" },
    key: "holodeck:platformRepoUrl",
    allowed: "https git URL ending in .git",
  },
  {
    what: "credentials in a repo URL",
    stack: STAGING,
    config: { "holodeck:servicesRepoUrl": "https://ci:token@gitlab.com/holodeck/services-root.git" },
    key: "holodeck:servicesRepoUrl",
    allowed: "without credentials",
  },
  {
    what: "trailing slash in prefix",
    stack: STAGING,
    config: { "holodeck:serviceRepoUrlPrefix": "https://gitlab.com/holodeck/services/" },
    key: "holodeck:serviceRepoUrlPrefix",
    allowed: "without trailing slash",
  },
  {
    what: "bad git revision",
    stack: STAGING,
    config: { "holodeck:platformRepoRevision": "main..evil" },
    key: "holodeck:platformRepoRevision",
    allowed: "git branch, tag or commit",
  },
  {
    what: "bad secret name",
    stack: STAGING,
    config: { "holodeck:gitCredentialsSecretName": "git token!" },
    key: "holodeck:gitCredentialsSecretName",
    allowed: "Secrets Manager name",
  },
  {
    what: "http OIDC issuer",
    stack: STAGING,
    config: { "holodeck:argocdOidc": '{"issuer":"http://sso","clientId":"a","clientSecretName":"b"}' },
    key: "holodeck:argocdOidc.issuer",
    allowed: "issuer: https URL",
  },
  {
    what: "production without deletion protection",
    stack: PRODUCTION,
    config: { "holodeck:deletionProtection": "false" },
    key: "holodeck:deletionProtection",
    allowed: "true in production",
  },
  {
    what: "missing required tag",
    stack: STAGING,
    config: { "holodeck:tags": '{"Project":"holodeck","Environment":"staging","Owner":"me"}' },
    key: "holodeck:tags.CostCenter",
    allowed: "Project, Environment, Owner, CostCenter",
  },
  {
    what: "Environment tag disagrees",
    stack: STAGING,
    config: { "holodeck:tags": '{"Project":"p","Environment":"production","Owner":"o","CostCenter":"c"}' },
    key: "holodeck:tags.Environment",
    allowed: "Environment = environment",
  },
  {
    what: "environment disagrees with the stack name",
    stack: STAGING,
    config: { "holodeck:environment": "production" },
    key: "holodeck:environment",
    allowed: "must match the stack name prefix",
  },
  {
    what: "region disagrees with the stack name",
    stack: STAGING,
    config: { "aws:region": "eu-central-1" },
    key: "aws:region",
    allowed: "must match the stack name suffix",
  },
  { what: "unknown region", stack: STAGING, config: { "aws:region": "eu-west-9" }, key: "aws:region", allowed: "an AWS region known to @pulumi/aws" },
  { what: "required key unset", stack: STAGING, config: { "holodeck:domain": undefined }, key: "holodeck:domain", allowed: "lower-case DNS name" },
];

describe("bad stack config", () => {
  it.each(CASES)("$what -> $key", async ({ stack, config, key, allowed }) => {
    const err = await configError(stack, config);
    expect(err.message).toContain(`Invalid config in stacks/Pulumi.${stack}.yaml`);
    const line = err.message.split("\n").find((l) => l.startsWith(`  - ${key} = `));
    expect(line, err.message).toBeDefined();
    expect(line).toContain("allowed: ");
    expect(line).toContain(allowed);
    expect(err.resources).toEqual([]);
  });

  it("reports every bad key in one error", async () => {
    const err = await configError(STAGING, { "holodeck:vpcCidr": "10.0.0.0/8", "holodeck:natGateways": "none", "holodeck:domain": "x" });
    const keys = err.message
      .split("\n")
      .slice(1)
      .map((l) => l.split(" = ")[0].trim());
    expect(keys).toEqual(["- holodeck:vpcCidr", "- holodeck:natGateways", "- holodeck:domain"]);
    expect(err.message.split("\n")[0]).toBe("Invalid config in stacks/Pulumi.staging-eu-west-1.yaml (defaults: Pulumi.yaml) (3 problems):");
  });

  it("without previewRoleArn and driftRoleArn creates no read-only access entry", async () => {
    const rec = await runStack(STAGING, { config: { "holodeck:previewRoleArn": undefined, "holodeck:driftRoleArn": undefined } });
    const standard = rec.byType("aws:eks/accessEntry:AccessEntry").filter((e) => e.inputs.type === "STANDARD");
    expect(standard.map((e) => e.inputs.principalArn)).toEqual([
      "arn:aws:iam::210987654321:role/holodeck-platform-admin",
      "arn:aws:iam::210987654321:role/holodeck-gitlab-ci",
    ]);
    // The other entry is the Karpenter node role's EC2_LINUX entry (nodes joining, not people reading).
    expect(rec.byType("aws:eks/accessEntry:AccessEntry").map((e) => e.inputs.type)).toEqual(["STANDARD", "STANDARD", "EC2_LINUX"]);
  });

  it("accepts a private-only endpoint (empty allowlist)", async () => {
    const rec = await runStack(STAGING, { config: { "holodeck:endpointPublicAccessCidrs": "[]" } });
    const vpc = rec.one("aws:eks/cluster:Cluster", "-eks").inputs.vpcConfig as Record<string, unknown>;
    expect([vpc.endpointPublicAccess, vpc.endpointPrivateAccess, vpc.publicAccessCidrs]).toEqual([false, true, undefined]);
  });
});
