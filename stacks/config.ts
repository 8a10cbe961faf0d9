// The ONE place that reads stack config: every key of docs/contracts.md section 1 is read,
// checked and typed here, and all problems are reported in a single error before the program
// registers any resource. Defaults live in Pulumi.yaml (applied by the CLI and the harness).
// config-reader.ts and config-rules.ts are its helpers; nothing else imports them to read config.
import * as pulumi from "@pulumi/pulumi";
import {
  accountOfArn,
  EDGES,
  ENVIRONMENTS,
  isArmInstanceType,
  KUBERNETES_VERSIONS,
  NAT_MODES,
  type Edge,
  type Environment,
  type KubernetesVersion,
  type NatMode,
  type NodeGroupConfig,
  type RegistryConfig,
} from "../model";
import { edgeKubernetesProblem } from "../bootstrap/chart-support";
import * as rules from "./config-rules";
import { Reader, type ConfigIssue } from "./config-reader";
import { otherStackPlaces, readRegistry } from "./config-registry";

export type { ConfigIssue };

export interface ArgocdOidcConfig {
  issuer: string;
  clientId: string;
  clientSecretName: string;
}

export interface HolodeckConfig {
  /** Stack name, `<environment>-<region>`. */
  stack: string;
  /** EKS cluster name, also used in explicit physical names: `holodeck-<stack>`. */
  clusterName: string;
  /** Short prefix of logical resource names (IAM names stay under 64 characters), e.g. `stg-euw1`. */
  namePrefix: string;
  environment: Environment;
  region: string;
  /** The stack's AWS account: the account of ciRoleArn (the provider refuses any other). */
  accountId: string;
  vpcCidr: string;
  azCount: number;
  natGateways: NatMode;
  kubernetesVersion: KubernetesVersion;
  /** The public edge: Gateway API (Envoy Gateway) or ingress-nginx (docs/edge.md). */
  edge: Edge;
  /** The other edge, installed side by side without DNS during a switch; undefined = none. */
  edgeStandby?: Edge;
  /** Optional: Vault on the edge only from these source CIDRs; unset = public like the other UIs (docs/edge.md). */
  vaultAllowedCidrs?: string[];
  endpointPublicAccessCidrs: string[];
  systemNodeGroup: NodeGroupConfig;
  workloadNodeGroup: NodeGroupConfig;
  adminRoleArns: string[];
  ciRoleArn: string;
  /** Role of merge-request previews (read-only access entry); undefined = no preview entry. */
  previewRoleArn?: string;
  /** Role of the scheduled drift checks (read-only access entry that can also read Secrets); undefined = no entry. */
  driftRoleArn?: string;
  domain: string;
  hostedZoneId: string;
  letsencryptEmail: string;
  platformRepoUrl: string;
  platformRepoRevision: string;
  servicesRepoUrl: string;
  serviceRepoUrlPrefix: string;
  gitCredentialsSecretName: string;
  argocdOidc: ArgocdOidcConfig;
  /** SSO (`groups` claim) groups whose members administer the platform: Argo CD, Grafana, Vault, Kiali. */
  platformAdminGroups: string[];
  deletionProtection: boolean;
  tags: Record<string, string>;
  /** ECR registry of record or replica (stacks/config-registry.ts). */
  registry: RegistryConfig;
}

/** Every bad key of one stack, in one error. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    const lines = issues.map((i) => `  - ${i.key} = ${i.value}: ${i.problem}; allowed: ${i.allowed}`);
    super(`Invalid config in ${file} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`);
    this.name = "ConfigError";
  }
}

const ALLOWED = {
  environment: ENVIRONMENTS.join(" | ") + " (must match the stack name prefix)",
  region: "an AWS region known to @pulumi/aws, e.g. eu-west-1 (must match the stack name suffix)",
  vpcCidr: `an aligned RFC 1918 CIDR of size /${rules.VPC_PREFIX.min} to /${rules.VPC_PREFIX.max}, e.g. 10.20.0.0/16`,
  azCount: `an integer from ${rules.AZ_COUNT.min} to ${rules.AZ_COUNT.max}`,
  natGateways: NAT_MODES.join(" | "),
  kubernetesVersion: KUBERNETES_VERSIONS.join(" | "),
  edge: EDGES.join(" | "),
  edgeStandby: `unset, or the edge other than holodeck:edge (${EDGES.join(" | ")}): side by side during a switch (docs/runbooks/edge-switch.md)`,
  vaultAllowedCidrs: "unset (Vault public on the edge, like the other UIs), or a non-empty list of IPv4 CIDRs, e.g. [203.0.113.0/24]",
  cidrList: "a list of aligned IPv4 CIDRs, e.g. [203.0.113.0/24]; [] = private endpoint (0.0.0.0/0 not in production)",
  instanceTypes: "a non-empty list of EC2 instance types of one CPU architecture, e.g. [m7i.large]",
  size: `integers with 0 <= minSize <= desiredSize <= maxSize <= ${rules.NODE_GROUP_MAX_SIZE}, maxSize >= 1`,
  diskSizeGiB: `an integer from ${rules.DISK_GIB.min} to ${rules.DISK_GIB.max}`,
  roleArn: "an IAM role ARN, arn:aws:iam::<12 digits>:role/<name>",
  adminRoleArns: "a non-empty list of distinct IAM role ARNs, not containing ciRoleArn",
  readOnlyRoleArn:
    "unset, or an IAM role ARN in ciRoleArn's account, arn:aws:iam::<12 digits>:role/<name>, other than ciRoleArn, the adminRoleArns and the other read-only role",
  domain: "a lower-case DNS name, e.g. staging.eu-west-1.holodeck.dev",
  hostedZoneId: "a Route53 zone id, Z followed by upper-case letters and digits",
  email: "an e-mail address",
  gitRepoUrl: "an https git URL ending in .git, without credentials",
  urlPrefix: "an https URL without trailing slash or credentials",
  revision: "a git branch, tag or commit",
  secretName: "an AWS Secrets Manager name: letters, digits and /_+=.@-",
  argocdOidc: "{issuer: https URL, clientId: non-empty, clientSecretName: Secrets Manager name}",
  platformAdminGroups: "a non-empty list of distinct SSO group names (the OIDC groups claim): letters, digits and ._-, e.g. [holodeck-platform-admins]",
  deletionProtection: "true | false (true in production)",
  tags: `a map of non-empty strings with ${rules.REQUIRED_TAGS.join(", ")}; Environment = environment`,
} as const;

const NODE_GROUP_FIELDS = ["instanceTypes", "minSize", "desiredSize", "maxSize", "diskSizeGiB"] as const;

function readNodeGroup(r: Reader, key: string, minSizeFloor: number): NodeGroupConfig {
  const obj = r.object(key, `{${NODE_GROUP_FIELDS.join(", ")}}`);
  if (!obj) return { instanceTypes: [], minSize: 0, desiredSize: 0, maxSize: 0, diskSizeGiB: 0 };
  r.exactFields(key, obj, NODE_GROUP_FIELDS, `{${NODE_GROUP_FIELDS.join(", ")}}`);
  const types = obj.instanceTypes;
  const instanceTypes = Array.isArray(types) && types.every((t) => typeof t === "string") ? types : [];
  if (instanceTypes.length === 0 && "instanceTypes" in obj) r.fail(`${key}.instanceTypes`, types, "not a non-empty list", ALLOWED.instanceTypes);
  instanceTypes.forEach((t, i) => r.check(`${key}.instanceTypes[${i}]`, t, ALLOWED.instanceTypes, rules.instanceType));
  if (new Set(instanceTypes.map(isArmInstanceType)).size > 1) {
    r.fail(`${key}.instanceTypes`, instanceTypes, "mixes arm64 and x86_64 types", ALLOWED.instanceTypes);
  }
  const sizes = { minSize: obj.minSize, desiredSize: obj.desiredSize, maxSize: obj.maxSize };
  const sizeAllowed = `${ALLOWED.size}${minSizeFloor > 0 ? `, minSize >= ${minSizeFloor}` : ""}`;
  for (const [field, v] of Object.entries(sizes)) {
    if (field in obj) r.check(`${key}.${field}`, v, sizeAllowed, rules.intBetween(0, rules.NODE_GROUP_MAX_SIZE));
  }
  const [min, desired, max] = [sizes.minSize, sizes.desiredSize, sizes.maxSize].map(Number);
  if (min > desired || desired > max || max < 1) r.fail(key, sizes, "sizes are not ordered", sizeAllowed);
  if (min < minSizeFloor) r.fail(`${key}.minSize`, sizes.minSize, "too small for the system pods' disruption budgets", sizeAllowed);
  if ("diskSizeGiB" in obj) r.check(`${key}.diskSizeGiB`, obj.diskSizeGiB, ALLOWED.diskSizeGiB, rules.intBetween(rules.DISK_GIB.min, rules.DISK_GIB.max));
  return { instanceTypes, minSize: min, desiredSize: desired, maxSize: max, diskSizeGiB: Number(obj.diskSizeGiB) };
}

function readArgocdOidc(r: Reader): ArgocdOidcConfig {
  const key = "holodeck:argocdOidc";
  const obj = r.object(key, ALLOWED.argocdOidc);
  if (!obj) return { issuer: "", clientId: "", clientSecretName: "" };
  r.exactFields(key, obj, ["issuer", "clientId", "clientSecretName"], ALLOWED.argocdOidc);
  const field = (name: string, check: rules.Check<string>): string => {
    const v = obj[name];
    if (v !== undefined && typeof v !== "string") r.fail(`${key}.${name}`, v, "not a string", ALLOWED.argocdOidc);
    return typeof v === "string" ? r.check(`${key}.${name}`, v, ALLOWED.argocdOidc, check) : "";
  };
  return {
    issuer: field("issuer", rules.httpsUrl),
    clientId: field("clientId", rules.nonEmpty),
    clientSecretName: field("clientSecretName", rules.secretName),
  };
}

function readTags(r: Reader, environment: string): Record<string, string> {
  const key = "holodeck:tags";
  const obj = r.object(key, ALLOWED.tags);
  if (!obj) return {};
  for (const [name, v] of Object.entries(obj)) {
    if (typeof v !== "string" || v.trim() === "" || v.length > 256)
      r.fail(`${key}.${name}`, v, "not a non-empty string of at most 256 characters", ALLOWED.tags);
  }
  for (const name of rules.REQUIRED_TAGS) if (!(name in obj)) r.fail(`${key}.${name}`, undefined, "missing required tag", ALLOWED.tags);
  if ("Environment" in obj && obj.Environment !== environment)
    r.fail(`${key}.Environment`, obj.Environment, `differs from environment "${environment}"`, ALLOWED.tags);
  return obj as Record<string, string>;
}

/** Optional: a read-only principal (preview, drift) must be its own role, in the stack's account. */
function readReadOnlyRoleArn(r: Reader, key: string, ciRoleArn: string, taken: string[]): string | undefined {
  const arn = r.optionalString(key);
  if (arn === undefined) return undefined;
  return r.check(key, arn, ALLOWED.readOnlyRoleArn, rules.roleArn, (v) =>
    v === ciRoleArn || taken.includes(v)
      ? "is already ciRoleArn, an admin or the other read-only role (one access entry per principal)"
      : accountOfArn(v) !== accountOfArn(ciRoleArn)
        ? `not in ciRoleArn's account ${accountOfArn(ciRoleArn)}`
        : undefined,
  );
}

/** Optional: restricts Vault on the edge to source CIDRs; an empty list would lock everyone out. */
function readVaultAllowedCidrs(r: Reader): string[] | undefined {
  const key = "holodeck:vaultAllowedCidrs";
  if (r.optionalString(key) === undefined) return undefined;
  const cidrs = r.stringList(key, ALLOWED.vaultAllowedCidrs, rules.cidr);
  if (cidrs.length === 0) r.fail(key, cidrs, "empty: leave the key out for a public Vault", ALLOWED.vaultAllowedCidrs);
  return cidrs;
}

/** An edge whose chart does not support the cluster's version: switch edge first (docs/runbooks/edge-switch.md). */
function refuseUnsupportedEdge(r: Reader, key: string, edge: Edge | undefined, version: KubernetesVersion): void {
  const known = (EDGES as readonly string[]).includes(edge ?? "") && (KUBERNETES_VERSIONS as readonly string[]).includes(version);
  const problem = known && edge ? edgeKubernetesProblem(edge, version) : undefined;
  const supported = EDGES.filter((candidate) => !edgeKubernetesProblem(candidate, version)).join(" | ");
  if (problem) r.fail(key, edge, problem, `on Kubernetes ${version}: ${supported} (or keep the Kubernetes version the edge supports)`);
}

/** Optional: the standby edge of a switch must be the other edge. */
function readEdgeStandby(r: Reader, edge: Edge): Edge | undefined {
  const key = "holodeck:edgeStandby";
  const standby = r.optionalString(key);
  if (standby === undefined) return undefined;
  return r.check(key, standby, ALLOWED.edgeStandby, rules.oneOf(EDGES), (v) => (v === edge ? "is already holodeck:edge" : undefined)) as Edge;
}

/** Groups are matched literally in Argo CD's policy.csv, Grafana's JMESPath and Vault group aliases: no separators or quotes. */
function readPlatformAdminGroups(r: Reader): string[] {
  const key = "holodeck:platformAdminGroups";
  const groups = r.stringList(key, ALLOWED.platformAdminGroups, (v) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(v) ? undefined : "not an SSO group name"));
  if (groups.length === 0 || new Set(groups).size !== groups.length) r.fail(key, groups, "empty or duplicated", ALLOWED.platformAdminGroups);
  return groups;
}

/** eu-west-1 -> euw1, ap-southeast-2 -> apse2, us-gov-west-1 -> usgw1. */
export function shortRegion(region: string): string {
  const compass: Record<string, string> = {
    north: "n",
    south: "s",
    east: "e",
    west: "w",
    central: "c",
    northeast: "ne",
    northwest: "nw",
    southeast: "se",
    southwest: "sw",
  };
  return region
    .split("-")
    .map((part) => compass[part] ?? (/^\d+$/.test(part) ? part : part.slice(0, part === "gov" ? 1 : 2)))
    .join("");
}

/** Reads and validates the current stack's config; throws one ConfigError listing every bad key. */
export function loadConfig(): HolodeckConfig {
  const stack = pulumi.getStack();
  const holodeck = new pulumi.Config("holodeck");
  const aws = new pulumi.Config("aws");
  const r = new Reader((key) => (key.startsWith("aws:") ? aws.get(key.slice(4)) : holodeck.get(key.slice("holodeck:".length))));
  const [stackEnv, stackRegion] = [stack.split("-")[0], stack.split("-").slice(1).join("-")];

  const environment = r.string("holodeck:environment", ALLOWED.environment, rules.oneOf(ENVIRONMENTS), (v) =>
    v === stackEnv ? undefined : `differs from the stack name prefix "${stackEnv}"`,
  ) as Environment;
  const region = r.string(
    "aws:region",
    ALLOWED.region,
    (v) => (rules.AWS_REGIONS.includes(v) ? undefined : "not an AWS region @pulumi/aws knows"),
    (v) => (v === stackRegion ? undefined : `differs from the stack name suffix "${stackRegion}"`),
  );
  const production = environment === "production";
  const adminRoleArns = r.stringList("holodeck:adminRoleArns", ALLOWED.adminRoleArns, rules.roleArn);
  const ciRoleArn = r.string("holodeck:ciRoleArn", ALLOWED.roleArn, rules.roleArn);
  if (adminRoleArns.length === 0 || new Set(adminRoleArns).size !== adminRoleArns.length || adminRoleArns.includes(ciRoleArn)) {
    r.fail("holodeck:adminRoleArns", adminRoleArns, "empty, duplicated or contains ciRoleArn (one access entry per principal)", ALLOWED.adminRoleArns);
  }
  const previewRoleArn = readReadOnlyRoleArn(r, "holodeck:previewRoleArn", ciRoleArn, adminRoleArns);
  const driftRoleArn = readReadOnlyRoleArn(r, "holodeck:driftRoleArn", ciRoleArn, [...adminRoleArns, ...(previewRoleArn ? [previewRoleArn] : [])]);
  const edge = r.string("holodeck:edge", ALLOWED.edge, rules.oneOf(EDGES)) as Edge;
  const edgeStandby = readEdgeStandby(r, edge);
  const kubernetesVersion = r.string("holodeck:kubernetesVersion", ALLOWED.kubernetesVersion, rules.oneOf(KUBERNETES_VERSIONS)) as KubernetesVersion;
  refuseUnsupportedEdge(r, "holodeck:edge", edge, kubernetesVersion);
  refuseUnsupportedEdge(r, "holodeck:edgeStandby", edgeStandby, kubernetesVersion);
  const serviceRepoUrlPrefix = r.string("holodeck:serviceRepoUrlPrefix", ALLOWED.urlPrefix, rules.httpsUrl);
  const cfg: HolodeckConfig = {
    stack,
    clusterName: `holodeck-${stack}`,
    namePrefix: `${environment === "production" ? "prd" : "stg"}-${shortRegion(region)}`,
    environment,
    region,
    accountId: accountOfArn(ciRoleArn),
    vpcCidr: r.string("holodeck:vpcCidr", ALLOWED.vpcCidr, rules.vpcCidr),
    azCount: r.check(
      "holodeck:azCount",
      r.value("holodeck:azCount", ALLOWED.azCount),
      ALLOWED.azCount,
      rules.intBetween(rules.AZ_COUNT.min, rules.AZ_COUNT.max),
    ) as number,
    natGateways: r.string("holodeck:natGateways", ALLOWED.natGateways, rules.oneOf(NAT_MODES)) as NatMode,
    kubernetesVersion,
    edge,
    edgeStandby,
    vaultAllowedCidrs: readVaultAllowedCidrs(r),
    endpointPublicAccessCidrs: r.stringList(
      "holodeck:endpointPublicAccessCidrs",
      ALLOWED.cidrList,
      (v) => rules.cidr(v) ?? (production && v === "0.0.0.0/0" ? "opens the production API to the internet" : undefined),
    ),
    systemNodeGroup: readNodeGroup(r, "holodeck:systemNodeGroup", 2),
    workloadNodeGroup: readNodeGroup(r, "holodeck:workloadNodeGroup", 0),
    adminRoleArns,
    ciRoleArn,
    previewRoleArn,
    driftRoleArn,
    domain: r.string("holodeck:domain", ALLOWED.domain, rules.dnsName),
    hostedZoneId: r.string("holodeck:hostedZoneId", ALLOWED.hostedZoneId, rules.hostedZoneId),
    letsencryptEmail: r.string("holodeck:letsencryptEmail", ALLOWED.email, rules.email),
    platformRepoUrl: r.string("holodeck:platformRepoUrl", ALLOWED.gitRepoUrl, rules.gitRepoUrl),
    platformRepoRevision: r.string("holodeck:platformRepoRevision", ALLOWED.revision, rules.gitRevision),
    servicesRepoUrl: r.string("holodeck:servicesRepoUrl", ALLOWED.gitRepoUrl, rules.gitRepoUrl),
    serviceRepoUrlPrefix,
    gitCredentialsSecretName: r.string("holodeck:gitCredentialsSecretName", ALLOWED.secretName, rules.secretName),
    argocdOidc: readArgocdOidc(r),
    platformAdminGroups: readPlatformAdminGroups(r),
    deletionProtection: r.check(
      "holodeck:deletionProtection",
      r.value("holodeck:deletionProtection", ALLOWED.deletionProtection),
      ALLOWED.deletionProtection,
      (v) => (typeof v !== "boolean" ? "not a boolean" : production && !v ? "must be true in production" : undefined),
    ) as boolean,
    tags: readTags(r, environment),
    registry: readRegistry(r, { stack, accountId: accountOfArn(ciRoleArn), region, serviceRepoUrlPrefix, others: otherStackPlaces(stack) }),
  };
  if (r.issues.length > 0) throw new ConfigError(`stacks/Pulumi.${stack}.yaml (defaults: Pulumi.yaml)`, r.issues);
  const supportWarning = rules.kubernetesSupportWarning(cfg.kubernetesVersion);
  if (supportWarning) void pulumi.log.warn(supportWarning);
  return cfg;
}
