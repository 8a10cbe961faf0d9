// Reads `holodeck:registry` for stacks/config.ts: which stack holds the registry of record
// (CI pushes there, it replicates to every other stack) and which stacks are replicas. Only
// the source's file says anything: its replication targets are every other stack file's
// account+region, and a replica's source is the file with `source: true`, so a new region
// is one new stack file.
import { accountOfArn, type RegistryConfig, type RegistryReplica, type ReplicaRegistryConfig, type SourceRegistryConfig } from "../model";
import type { Reader } from "./config-reader";
import * as rules from "./config-rules";
import { listStacks, readStackFile, stackFilePath } from "./stack-files";

const KEY = "holodeck:registry";
/** ECR allows at most 25 destinations in a replication rule. */
export const MAX_REPLICAS = 25;
const SOURCE_FIELDS = ["source", "gitlabUrl", "defaultBranch"] as const;
const ALLOWED = {
  shape:
    "{source: true, gitlabUrl: https URL, defaultBranch: branch} on exactly one stack (the registry of record); " +
    "unset (or {source: false}) on every other stack: replication targets and the source are derived from the stack files",
  gitlabUrl: "the https URL of the GitLab instance (its OIDC issuer); serviceRepoUrlPrefix must be <gitlabUrl>/<group>",
  branch: "a git branch name, e.g. main",
} as const;

/** This stack as the registry sees it, and what the other stack files say. */
export interface RegistryContext {
  stack: string;
  /** This stack's account (the account of ciRoleArn) and region. */
  accountId: string;
  region: string;
  serviceRepoUrlPrefix: string;
  /** The other stacks, read from their files (stacks/stack-files.ts). */
  others: StackPlace[];
}

/** Where another stack lives and whether its file holds the registry of record. */
export interface StackPlace {
  stack: string;
  accountId: string;
  region: string;
  registrySource: boolean;
}

/** Reads the other stack files' place; a file whose ciRoleArn or region is unusable is named in the error. */
export function otherStackPlaces(stack: string, dir?: string): StackPlace[] {
  return listStacks(dir)
    .filter((other) => other !== stack)
    .map((other) => {
      const { config } = readStackFile(other, dir);
      const registry = config[KEY];
      return {
        stack: other,
        accountId: typeof config["holodeck:ciRoleArn"] === "string" ? accountOfArn(config["holodeck:ciRoleArn"]) : "",
        region: typeof config["aws:region"] === "string" ? config["aws:region"] : "",
        registrySource: typeof registry === "object" && registry !== null && (registry as Record<string, unknown>).source === true,
      };
    });
}

/** Every other stack's account+region, once each, never this stack's own registry. */
function replicasOf(r: Reader, here: RegistryContext): RegistryReplica[] {
  const replicas: RegistryReplica[] = [];
  for (const other of here.others) {
    if (!/^\d{12}$/.test(other.accountId) || !rules.AWS_REGIONS.includes(other.region)) {
      r.fail(
        `${KEY}`,
        other.stack,
        `cannot derive a replication target: ${stackFilePath(other.stack)} lacks a valid holodeck:ciRoleArn or aws:region`,
        ALLOWED.shape,
      );
      continue;
    }
    const same = (d: RegistryReplica): boolean => d.accountId === other.accountId && d.region === other.region;
    if (!replicas.some(same) && !(other.accountId === here.accountId && other.region === here.region))
      replicas.push({ accountId: other.accountId, region: other.region });
  }
  if (replicas.length > MAX_REPLICAS)
    r.fail(KEY, replicas.length, `the stack files make ${replicas.length} replication targets, ECR allows ${MAX_REPLICAS}`, ALLOWED.shape);
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
  const otherSources = here.others.filter((other) => other.registrySource).map((other) => stackFilePath(other.stack));
  if (otherSources.length > 0) r.fail(`${KEY}.source`, true, `${otherSources.join(", ")} already holds the registry of record`, ALLOWED.shape);
  return { source: true, gitlabUrl, gitlabGroup, defaultBranch, replicateTo: replicasOf(r, here) };
}

/** A replica's source: the one other stack file with `source: true`. */
function readReplica(r: Reader, here: RegistryContext): ReplicaRegistryConfig {
  const sources = here.others.filter((other) => other.registrySource);
  if (sources.length !== 1) {
    const found = sources.length === 0 ? "no stack file has source: true" : `${sources.map((s) => stackFilePath(s.stack)).join(", ")} all have source: true`;
    r.fail(KEY, undefined, `cannot find the registry of record: ${found}`, ALLOWED.shape);
    return { source: false, sourceAccountId: here.accountId, sourceRegion: here.region };
  }
  return { source: false, sourceAccountId: sources[0].accountId, sourceRegion: sources[0].region };
}

/** Reads and checks `holodeck:registry`; problems go to `r` like every other key's. */
export function readRegistry(r: Reader, here: RegistryContext): RegistryConfig {
  const obj = r.object(KEY, ALLOWED.shape);
  if (obj === undefined) return readReplica(r, here);
  if (typeof obj.source !== "boolean") {
    r.fail(`${KEY}.source`, obj.source, "not true or false", ALLOWED.shape);
    return readReplica(r, here);
  }
  if (obj.source) return readSource(r, obj, here);
  for (const field of Object.keys(obj)) {
    if (field !== "source") r.fail(`${KEY}.${field}`, obj[field], "unknown field of a replica (the source is derived from the stack files)", ALLOWED.shape);
  }
  return readReplica(r, here);
}
