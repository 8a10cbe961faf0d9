// Reads `holodeck:registry` for stacks/config.ts: which stack holds the registry of record
// (CI pushes there, it replicates to every other stack) and which stacks are replicas.
import type { RegistryConfig, RegistryReplica, SourceRegistryConfig } from "../model";
import * as rules from "./config-rules";
import type { Reader } from "./config-reader";

const KEY = "holodeck:registry";
/** ECR allows at most 25 destinations in a replication rule. */
export const MAX_REPLICAS = 25;
const SOURCE_FIELDS = ["source", "gitlabUrl", "defaultBranch", "replicateTo"] as const;
const ALLOWED = {
  shape:
    "{source: true, gitlabUrl: https URL, defaultBranch: branch, replicateTo: [{region, accountId}]} on exactly one stack " +
    "(the registry of record) | {source: false, sourceAccountId?: 12-digit string, sourceRegion?: AWS region} on every other stack",
  gitlabUrl: "the https URL of the GitLab instance (its OIDC issuer); serviceRepoUrlPrefix must be <gitlabUrl>/<group>",
  replicateTo: `a list of 1 to ${MAX_REPLICAS} distinct {region: AWS region, accountId: "12 digits"}: every other stack, not this one`,
  accountId: 'a 12-digit AWS account id as a quoted string, e.g. "123456789012"',
  branch: "a git branch name, e.g. main",
} as const;

export interface RegistryContext {
  /** This stack's account (the account of ciRoleArn) and region. */
  accountId: string;
  region: string;
  serviceRepoUrlPrefix: string;
}

function readReplicas(r: Reader, value: unknown, here: RegistryContext): RegistryReplica[] {
  const key = `${KEY}.replicateTo`;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_REPLICAS) {
    r.fail(key, value, "not a list of 1 to 25 destinations", ALLOWED.replicateTo);
    return [];
  }
  const replicas = value.map((item: unknown, i): RegistryReplica => {
    const at = `${key}[${i}]`;
    const obj = typeof item === "object" && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
    if (!obj) {
      r.fail(at, item, "not an object", ALLOWED.replicateTo);
      return { region: "", accountId: "" };
    }
    r.exactFields(at, obj, ["region", "accountId"], ALLOWED.replicateTo);
    if ("region" in obj)
      r.check(`${at}.region`, obj.region, ALLOWED.replicateTo, (v) =>
        typeof v === "string" && rules.AWS_REGIONS.includes(v) ? undefined : "not an AWS region",
      );
    if ("accountId" in obj) r.check(`${at}.accountId`, obj.accountId, ALLOWED.accountId, rules.awsAccountId);
    return { region: String(obj.region), accountId: String(obj.accountId) };
  });
  const ids = replicas.map((d) => `${d.accountId}/${d.region}`);
  if (new Set(ids).size !== ids.length) r.fail(key, value, "lists a destination twice", ALLOWED.replicateTo);
  if (ids.includes(`${here.accountId}/${here.region}`)) r.fail(key, value, "replicates to this stack's own registry", ALLOWED.replicateTo);
  return replicas;
}

function readSource(r: Reader, obj: Record<string, unknown>, here: RegistryContext): SourceRegistryConfig {
  r.exactFields(KEY, obj, SOURCE_FIELDS, ALLOWED.shape);
  const text = (field: string, allowed: string, check: rules.Check<string>): string => {
    const v = obj[field];
    if (v !== undefined && typeof v !== "string") r.fail(`${KEY}.${field}`, v, "not a string", allowed);
    return typeof v === "string" ? r.check(`${KEY}.${field}`, v, allowed, check) : "";
  };
  const gitlabUrl = text("gitlabUrl", ALLOWED.gitlabUrl, rules.httpsUrl);
  const defaultBranch = text("defaultBranch", ALLOWED.branch, rules.gitRevision);
  const prefix = `${gitlabUrl}/`;
  const gitlabGroup = here.serviceRepoUrlPrefix.startsWith(prefix) ? here.serviceRepoUrlPrefix.slice(prefix.length) : "";
  if (gitlabUrl && gitlabGroup === "") {
    r.fail(`${KEY}.gitlabUrl`, gitlabUrl, `is not the start of serviceRepoUrlPrefix ${JSON.stringify(here.serviceRepoUrlPrefix)}`, ALLOWED.gitlabUrl);
  }
  const replicateTo = "replicateTo" in obj ? readReplicas(r, obj.replicateTo, here) : [];
  return { source: true, gitlabUrl, gitlabGroup, defaultBranch, replicateTo };
}

/** Reads and checks `holodeck:registry`; problems go to `r` like every other key's. */
export function readRegistry(r: Reader, here: RegistryContext): RegistryConfig {
  const obj = r.object(KEY, ALLOWED.shape);
  const fallback: RegistryConfig = { source: false, sourceAccountId: here.accountId, sourceRegion: here.region };
  if (!obj) return fallback;
  if (typeof obj.source !== "boolean") {
    r.fail(`${KEY}.source`, obj.source, "not true or false", ALLOWED.shape);
    return fallback;
  }
  if (obj.source) return readSource(r, obj, here);
  for (const field of Object.keys(obj)) {
    if (field !== "source" && field !== "sourceAccountId" && field !== "sourceRegion")
      r.fail(`${KEY}.${field}`, obj[field], "unknown field of a replica", ALLOWED.shape);
  }
  const sourceAccountId =
    "sourceAccountId" in obj ? String(r.check(`${KEY}.sourceAccountId`, obj.sourceAccountId, ALLOWED.accountId, rules.awsAccountId)) : here.accountId;
  const sourceRegion =
    "sourceRegion" in obj
      ? String(
          r.check(`${KEY}.sourceRegion`, obj.sourceRegion, "an AWS region", (v) =>
            typeof v === "string" && rules.AWS_REGIONS.includes(v) ? undefined : "not an AWS region",
          ),
        )
      : here.region;
  return { source: false, sourceAccountId, sourceRegion };
}
