// Value checks used by stacks/config.ts. Each check returns undefined when the value is fine
// or a short problem text; config.ts adds the key, the file and the allowed values.
import { Region } from "@pulumi/aws/types/enums";
import { IPv4CidrRange, Validator } from "ip-num";
import { KUBERNETES_VERSIONS, type KubernetesVersion } from "../model";

export interface EksVersionDates {
  /** Day the minor version became available on EKS (UTC). */
  readonly release: string;
  /** First day without standard support (UTC): with upgradePolicy STANDARD, EKS upgrades the control plane by itself from then on. */
  readonly endOfStandardSupport: string;
  /** Where the dates come from and when they were checked. */
  readonly source: string;
}

/** The EKS release calendar of every accepted version (standard support = 14 months from the EKS release). */
export const EKS_RELEASE_CALENDAR: Readonly<Record<KubernetesVersion, EksVersionDates>> = {
  "1.35": {
    release: "2026-01-27",
    endOfStandardSupport: "2027-03-27",
    source: "Amazon EKS Kubernetes release calendar (as listed by endoflife.date/amazon-eks), checked 2026-12-03",
  },
  "1.36": {
    release: "2026-06-02",
    endOfStandardSupport: "2027-08-02",
    source: "EKS release of 1.36 on 2026-06-02 plus the 14 months of standard support of the EKS version lifecycle, checked 2026-12-03",
  },
};

/** The program warns this many days before a version leaves standard support. */
export const SUPPORT_WARNING_DAYS = 90;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from `today` (UTC date) to the end of standard support of `version`; negative once it has passed. */
export function daysOfStandardSupportLeft(version: KubernetesVersion, today: Date): number {
  const end = Date.parse(`${EKS_RELEASE_CALENDAR[version].endOfStandardSupport}T00:00:00Z`);
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((end - day) / DAY_MS);
}

/** Advisory for an accepted version within SUPPORT_WARNING_DAYS of leaving standard support: plan the upgrade. */
export function kubernetesSupportWarning(version: string, today: Date = new Date()): string | undefined {
  if (!(KUBERNETES_VERSIONS as readonly string[]).includes(version)) return undefined;
  const accepted = version as KubernetesVersion;
  const left = daysOfStandardSupportLeft(accepted, today);
  if (left > SUPPORT_WARNING_DAYS) return undefined;
  const end = EKS_RELEASE_CALENDAR[accepted].endOfStandardSupport;
  const newer = KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.indexOf(accepted) + 1];
  const when = left >= 0 ? `leaves EKS standard support on ${end} (in ${left} days)` : `left EKS standard support on ${end} (${-left} days ago)`;
  const action = newer === undefined ? "add the next EKS version first" : `upgrade to ${newer}: npm run plan -- --upgrade ${newer}`;
  return `holodeck:kubernetesVersion ${version} ${when}; ${action} (docs/runbooks/eks-upgrade.md)`;
}
export const REQUIRED_TAGS = ["Project", "Environment", "Owner", "CostCenter"] as const;
export const AZ_COUNT = { min: 2, max: 4 } as const;
export const VPC_PREFIX = { min: 16, max: 20 } as const;
export const DISK_GIB = { min: 20, max: 16384 } as const;
/** EKS managed node groups allow at most 450 nodes per group. */
export const NODE_GROUP_MAX_SIZE = 450;

const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((c) => IPv4CidrRange.fromCidr(c));

/** Regions the pinned @pulumi/aws knows. */
export const AWS_REGIONS: readonly string[] = Object.values(Region);

export type Check<T> = (value: T) => string | undefined;

/** A CIDR in canonical form (base address aligned to the prefix), via ip-num. */
export const cidr: Check<string> = (value) => {
  const [valid, errors] = Validator.isValidIPv4CidrRange(value);
  return valid ? undefined : `not a valid, aligned IPv4 CIDR (${errors.join("; ")})`;
};

export const vpcCidr: Check<string> = (value) => {
  const bad = cidr(value);
  if (bad) return bad;
  const range = IPv4CidrRange.fromCidr(value);
  const prefix = Number(range.getPrefix().getValue());
  if (prefix < VPC_PREFIX.min || prefix > VPC_PREFIX.max) return `prefix /${prefix} is out of range`;
  if (!RFC1918.some((block) => range.inside(block) || range.isEquals(block))) return "not inside an RFC 1918 private range";
  return undefined;
};

export const oneOf =
  <T extends string>(allowed: readonly T[]): Check<string> =>
  (value) =>
    (allowed as readonly string[]).includes(value) ? undefined : "not an allowed value";

export const intBetween =
  (min: number, max: number): Check<unknown> =>
  (value) =>
    typeof value === "number" && Number.isInteger(value) && value >= min && value <= max ? undefined : "not an integer in range";

/** EC2 instance type, e.g. m7i.large, t3a.xlarge, m7g.2xlarge, c7gn.metal. */
export const instanceType: Check<string> = (value) =>
  /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d{0,2}xlarge|metal-\d+xl)$/.test(value) ? undefined : "not an EC2 instance type";

const HOST_LABEL = "(?!-)[a-z0-9-]{1,63}(?<!-)";
export const dnsName: Check<string> = (value) =>
  value.length <= 253 && new RegExp(`^(${HOST_LABEL}\\.)+[a-z]{2,63}$`).test(value) ? undefined : "not a lower-case DNS name";

export const roleArn: Check<string> = (value) =>
  /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value) ? undefined : "not an IAM role ARN";

export const hostedZoneId: Check<string> = (value) => (/^Z[A-Z0-9]{1,31}$/.test(value) ? undefined : "not a Route53 hosted zone id");

export const email: Check<string> = (value) => (/^[^\s@]+@[^\s@]+\.[a-z]{2,63}$/i.test(value) ? undefined : "not an e-mail address");

export const httpsUrl: Check<string> = (value) => {
  try {
    const url = new URL(value);
    if (url.protocol !== "https:") return "not an https URL";
    if (url.username || url.password) return "must not embed credentials (use gitCredentialsSecretName)";
    return value.endsWith("/") ? "must not end with /" : undefined;
  } catch {
    return "not a URL";
  }
};

export const gitRepoUrl: Check<string> = (value) => httpsUrl(value) ?? (value.endsWith(".git") ? undefined : "must end with .git");

/** Branch, tag or commit: git check-ref-format rules that matter in practice. */
export const gitRevision: Check<string> = (value) =>
  /^[A-Za-z0-9._/-]{1,200}$/.test(value) && !value.includes("..") && !value.startsWith("/") && !value.endsWith("/")
    ? undefined
    : "not a git branch, tag or commit";

/** AWS Secrets Manager secret name. */
export const secretName: Check<string> = (value) => (/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(value) ? undefined : "not a Secrets Manager secret name");

export const nonEmpty: Check<string> = (value) => (value.trim() === "" ? "empty" : undefined);

/** AWS account id: exactly 12 digits, as a string (a YAML number would lose leading zeros). */
export const awsAccountId: Check<unknown> = (value) =>
  typeof value === "string" && /^\d{12}$/.test(value) ? undefined : "not a 12-digit account id string (quote it in YAML)";
