import { ENVIRONMENTS, type Environment } from "../../model";
import type { ServiceDomain } from "../../model/team";
import schemaDocument from "../../services-root/service.schema.json";

// Every environment has a folder in services-root (docs/contracts.md §4); the entry's
// `cluster` key names it.
export { ENVIRONMENTS, type Environment };

/** One services-root entry: exactly these six keys, in this order on disk. */
export interface ServiceRecord {
  cluster: Environment;
  service: string;
  /** the team and domain its team file gives it (teams/<team>.json), written by the CLI */
  team: string;
  domain: ServiceDomain;
  imageTag: string;
  targetRevision: string;
}

// The service-name rule lives once, in the schema; the CLI's flag checks and file-name check
// read it from there, so bad input fails before any git work with the schema's own rule.
const SERVICE_RULE = schemaDocument.properties.service;
const DNS_LABEL = new RegExp(SERVICE_RULE.pattern);
const FULL_SHA = /^[0-9a-f]{40}$/;

/** Namespaces no service may take: Kubernetes' own and every platform namespace. */
export const RESERVED_SERVICE_NAMES: readonly string[] = SERVICE_RULE.not.enum;
export const MAX_SERVICE_NAME = SERVICE_RULE.maxLength;

export const EXPECT_DNS_LABEL = `a DNS label: lowercase a-z, 0-9 and '-', starting with a letter, ending alphanumeric, at most ${MAX_SERVICE_NAME} characters`;
export const EXPECT_SERVICE_NAME = `${EXPECT_DNS_LABEL}, and not a reserved namespace (${RESERVED_SERVICE_NAMES.join(", ")})`;
export const EXPECT_SHA = "a full 40-character lowercase hex git commit SHA";
export const EXPECT_ENVIRONMENT = `one of: ${ENVIRONMENTS.join(", ")}`;

export function isDnsLabel(value: string): boolean {
  return value.length <= MAX_SERVICE_NAME && DNS_LABEL.test(value);
}

/** Why `value` cannot name a service, or undefined when it can. */
export function serviceNameProblem(value: string): string | undefined {
  if (!isDnsLabel(value)) return `"${value}" is not ${EXPECT_DNS_LABEL}`;
  if (RESERVED_SERVICE_NAMES.includes(value)) return `"${value}" is a reserved namespace (reserved: ${RESERVED_SERVICE_NAMES.join(", ")})`;
  return undefined;
}

export function isFullSha(value: string): boolean {
  return FULL_SHA.test(value);
}

export function isEnvironment(value: string): value is Environment {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}

/** Path of an entry inside the services-root tree (always '/'-separated, as git wants). */
export function recordPath(environment: Environment, service: string): string {
  return `${environment}/${service}.json`;
}

/**
 * The one on-disk formatting: fixed key order, two-space indent, trailing newline, so the
 * same record always produces the same bytes and the same content never makes a commit.
 */
export function formatRecord(record: ServiceRecord): string {
  const ordered: ServiceRecord = {
    cluster: record.cluster,
    service: record.service,
    team: record.team,
    domain: record.domain,
    imageTag: record.imageTag,
    targetRevision: record.targetRevision,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
