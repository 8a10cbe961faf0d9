import { ENVIRONMENTS, type Environment, type ServiceRecord } from "./record";
import { validateEntry, type ValidationError } from "./validate";
import type { TreeFile } from "./working-copy";
import { shortSha } from "./deploy";

export interface ServiceVersion {
  imageTag: string;
  targetRevision: string;
}

export interface StatusRow {
  service: string;
  /** one entry per shown environment; null where the service is not deployed */
  versions: Record<string, ServiceVersion | null>;
}

export interface StatusReport {
  environments: Environment[];
  services: StatusRow[];
  /** entries that exist but are invalid (ArgoCD cannot deploy them as they are) */
  invalid: ValidationError[];
}

const ENTRY = /^([^/]+)\/([^/]+)\.json$/;

/** Collects service × environment versions from the files of the environment folders. */
export function collectStatus(files: readonly TreeFile[], environments: readonly Environment[] = ENVIRONMENTS): StatusReport {
  const rows = new Map<string, StatusRow>();
  const invalid: ValidationError[] = [];
  for (const file of files) {
    const [, env, stem] = ENTRY.exec(file.path) ?? [];
    const cluster = environments.find((e) => e === env);
    if (cluster === undefined) continue; // nested or non-JSON files: `services validate` reports them
    const { record, errors } = validateEntry(file.path, file.bytes, cluster, stem);
    invalid.push(...errors);
    if (!record) continue;
    const row = rows.get(record.service) ?? { service: record.service, versions: Object.fromEntries(environments.map((e) => [e, null])) };
    row.versions[cluster] = version(record);
    rows.set(record.service, row);
  }
  const services = [...rows.values()].sort((a, b) => (a.service < b.service ? -1 : 1));
  return { environments: [...environments], services, invalid };
}

const version = (record: ServiceRecord): ServiceVersion => ({ imageTag: record.imageTag, targetRevision: record.targetRevision });

function cell(v: ServiceVersion | null): string {
  if (v === null) return "-";
  return v.targetRevision === v.imageTag ? shortSha(v.imageTag) : `${shortSha(v.imageTag)} (rev ${shortSha(v.targetRevision)})`;
}

/** A fixed-width table: SERVICE then one column per environment, short SHAs. */
export function formatStatusTable(report: StatusReport): string {
  const header = ["SERVICE", ...report.environments.map((e) => e.toUpperCase())];
  const body = report.services.map((row) => [row.service, ...report.environments.map((e) => cell(row.versions[e]))]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [header, ...body].map(line).join("\n") + "\n";
}
