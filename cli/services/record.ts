/** The environments that have a folder in services-root (DESIGN.md contract 4). */
export const KNOWN_CLUSTERS = ["staging", "production"] as const;
export type Cluster = (typeof KNOWN_CLUSTERS)[number];

/** One services-root entry: exactly these four keys, in this order on disk. */
export interface ServiceRecord {
  cluster: Cluster;
  service: string;
  imageTag: string;
  targetRevision: string;
}

// Same rules as the schema; used for CLI flags so bad input fails before any git work.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const FULL_SHA = /^[0-9a-f]{40}$/;

export const EXPECT_DNS_LABEL =
  "a DNS label: lowercase a-z, 0-9 and '-', starting and ending alphanumeric, at most 63 characters";
export const EXPECT_SHA = "a full 40-character lowercase hex git commit SHA";
export const EXPECT_CLUSTER = `one of: ${KNOWN_CLUSTERS.join(", ")}`;

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

export function isFullSha(value: string): boolean {
  return FULL_SHA.test(value);
}

export function isCluster(value: string): value is Cluster {
  return (KNOWN_CLUSTERS as readonly string[]).includes(value);
}

/** Path of an entry inside the services-root tree (always '/'-separated, as git wants). */
export function recordPath(cluster: Cluster, service: string): string {
  return `${cluster}/${service}.json`;
}

/**
 * The one on-disk formatting: fixed key order, two-space indent, trailing newline, so the
 * same record always produces the same bytes and the same content never makes a commit.
 */
export function formatRecord(record: ServiceRecord): string {
  const ordered: ServiceRecord = {
    cluster: record.cluster,
    service: record.service,
    imageTag: record.imageTag,
    targetRevision: record.targetRevision,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
