// Reads platform-apps/ the way Argo CD does for one cluster: the ApplicationSets platform-root
// applies (its folder built by the real kustomize), each rendered against the in-cluster Secret that bootstrap writes (labels/annotations from
// bootstrap/handoff/gitops-bridge.ts), then each Application's sources resolved to what Argo CD
// would apply (kustomize JSON patches, directory include globs, Helm value files).
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseAllDocuments } from "yaml";
import { CLUSTER_SECRET_ANNOTATIONS, CLUSTER_SECRET_LABELS, edgeAnnotations, PLATFORM_ADDONS } from "../../bootstrap/handoff/gitops-bridge";
import type { Edge } from "../../model";
import { type Environment } from "../../model/environment";
import { kustomizeBuildText } from "./kustomize";
import { recordReads, renderForCluster, type ClusterParams, type Reads } from "./template";

export type Doc = Record<string, unknown>;

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const PLATFORM_DIR = path.join(REPO_ROOT, "platform-apps");
export const APPSETS_DIR = path.join(PLATFORM_DIR, "applicationsets");
export const PLATFORM_REPO_URL = "https://gitlab.example.com/holodeck/holodeck.git";

export interface Source {
  repoURL: string;
  targetRevision: string;
  chart?: string;
  path?: string;
  ref?: string;
  helm?: { releaseName?: string; valueFiles?: string[]; ignoreMissingValueFiles?: boolean; valuesObject?: Doc };
  kustomize?: { patches?: Array<{ target: { kind: string; name: string }; patch: string }> };
  directory?: { include?: string };
}
export interface Application {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    project: string;
    sources: Source[];
    destination: { server: string; namespace: string };
    syncPolicy: { syncOptions?: string[]; automated?: Doc; retry?: Doc };
    ignoreDifferences?: Array<{ group: string; kind: string; jqPathExpressions?: string[] }>;
  };
}

/** Every YAML document of a text (null documents dropped); parse errors name `where`. */
export function parseDocs(text: string, where: string): Doc[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join("; ")}`);
      return doc.toJS() as Doc | null;
    })
    .filter((doc): doc is Doc => doc !== null);
}

export const readDocs = (file: string): Doc[] => parseDocs(fs.readFileSync(file, "utf8"), file);

export function yamlFiles(dir: string, recursive = true): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return recursive ? yamlFiles(full) : [];
      return /\.ya?ml$/.test(entry.name) ? [full] : [];
    })
    .sort();
}

/**
 * The YAML files under platform-apps/ that are plain YAML: everything except the local charts'
 * templates (Helm templates, tested through their rendered output with the chart).
 */
export function plainPlatformYamlFiles(): string[] {
  const helmTemplate = new RegExp(`^${path.join(PLATFORM_DIR, "charts")}/[^/]+/templates/`);
  return yamlFiles(PLATFORM_DIR).filter((file) => !helmTemplate.test(file));
}

/** The in-cluster Secret of a stack on `edge` as bootstrap writes it (every listed key present). */
export function clusterSecret(environment: Environment, edge: Edge = "gateway"): ClusterParams {
  const region = environment === "staging" ? "eu-west-1" : "eu-central-1";
  const clusterName = `holodeck-${environment}-${region}`;
  const labelValues: Record<string, string> = { environment, region, cluster_name: clusterName };
  for (const addon of PLATFORM_ADDONS) labelValues[`enable_${addon}`] = "true";
  // As on the registry of record's cluster, so every ApplicationSet renders.
  labelValues.enable_ecr_push_roles = "true";
  const annotationValues: Record<string, string> = {
    aws_region: region,
    aws_account_id: "123456789012",
    cluster_name: clusterName,
    environment,
    domain: `${environment}.${region}.holodeck.dev`,
    platform_repo_url: PLATFORM_REPO_URL,
    platform_repo_revision: "main",
    letsencrypt_issuer: "letsencrypt-prod",
    vault_addr: "https://vault.vault.svc:8200",
    crossplane_provider_aws_role_arn: `arn:aws:iam::123456789012:role/${clusterName}-crossplane`,
    crossplane_provider_aws_iam_role_arn: `arn:aws:iam::123456789012:role/${clusterName}-crossplane-iam`,
    loki_role_arn: `arn:aws:iam::123456789012:role/${clusterName}-loki`,
    loki_bucket_name: `${clusterName}-loki`,
    rds_subnet_group_name: `${clusterName}-rds`,
    rds_security_group_id: "sg-0123456789abcdef0",
    oidc_issuer_url: "https://sso.holodeck.dev/realms/platform",
    chart_registry_host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    chart_registry_region: "eu-west-1",
    chart_pull_role_arn: `arn:aws:iam::210987654321:role/${clusterName}-chart-pull`,
    ...edgeAnnotations(edge),
  };
  const pick = (keys: readonly string[], values: Record<string, string>): Record<string, string> =>
    Object.fromEntries(keys.map((key) => [key, values[key] ?? `value-of-${key}`]));
  return {
    name: "in-cluster",
    server: "https://kubernetes.default.svc",
    metadata: { labels: pick(CLUSTER_SECRET_LABELS, labelValues), annotations: pick(CLUSTER_SECRET_ANNOTATIONS, annotationValues) },
  };
}

export interface AppSetFile {
  file: string;
  appset: Doc;
}

/** The kustomization that platform-root renders, and the patch it applies to every ApplicationSet. */
export const ROOT_KUSTOMIZATION = path.join(APPSETS_DIR, "kustomization.yaml");
export const SHARED_PATCH = path.join(APPSETS_DIR, "every-applicationset.patch.yaml");

/** Each ApplicationSet file as written (before the shared patch), with its path. */
export function appSetFiles(): AppSetFile[] {
  return yamlFiles(APPSETS_DIR, false)
    .filter((file) => file !== ROOT_KUSTOMIZATION && file !== SHARED_PATCH)
    .flatMap((file) => readDocs(file).map((appset) => ({ file, appset })));
}

let rendered: Doc[] | undefined;

/** The ApplicationSets platform-root applies (`kustomize build` of its folder), each with its source file. */
export function loadAppSets(): AppSetFile[] {
  rendered ??= parseDocs(kustomizeBuildText(APPSETS_DIR), `kustomize build ${APPSETS_DIR}`);
  const fileOf = new Map(appSetFiles().map(({ file, appset }) => [(appset.metadata as { name: string }).name, file]));
  return rendered.map((doc) => {
    const name = (doc.metadata as { name: string }).name;
    const file = fileOf.get(name);
    if (file === undefined) throw new Error(`${ROOT_KUSTOMIZATION}: rendered ${String(doc.kind)}/${name} comes from no ApplicationSet file`);
    return { file, appset: structuredClone(doc) };
  });
}

/** Every Application of platform-apps/ for one environment on `edge` (rendered by the real engine). */
export function applicationsFor(environment: Environment, reads: Reads = { labels: new Set(), annotations: new Set() }, edge: Edge = "gateway"): Application[] {
  const appsets = loadAppSets().map(({ appset }) => appset);
  for (const appset of appsets) recordReads(appset, reads);
  return renderForCluster(appsets, clusterSecret(environment, edge)).flat() as Application[];
}

export const isPlatformRepo = (source: Source): boolean => source.repoURL === PLATFORM_REPO_URL;

/** Minimal glob of Argo CD's directory.include: `*`, `?` and `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (const ch of glob) {
    if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "{") out += "(?:";
    else if (ch === "}") out += ")";
    else if (ch === ",") out += "|";
    else out += ch.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

interface JsonPatchOp {
  op: string;
  path: string;
  value: unknown;
}

/** Applies RFC 6902 `replace`, `remove` and `test` operations; the target path must already exist. */
function applyJsonPatch(doc: Doc, ops: JsonPatchOp[], where: string): void {
  for (const op of ops) {
    if (!["replace", "remove", "test"].includes(op.op)) throw new Error(`${where}: only replace/remove/test patches are used here, got ${op.op}`);
    const keys = op.path
      .split("/")
      .slice(1)
      .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    let node = doc as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === null || typeof next !== "object") throw new Error(`${where}: path ${op.path} does not exist`);
      node = next as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (!(last in node)) throw new Error(`${where}: path ${op.path} does not exist (${op.op} needs it)`);
    if (op.op === "test" && !isDeepStrictEqual(node[last], op.value)) throw new Error(`${where}: test ${op.path} failed: ${JSON.stringify(node[last])}`);
    if (op.op === "replace") node[last] = op.value;
    if (op.op === "remove") {
      if (Array.isArray(node)) node.splice(Number(last), 1);
      else delete node[last];
    }
  }
}

/** One JSON patch on the single object `target` names (kustomize fails on none or several). */
function patchTarget(docs: Doc[], target: { kind: string; name: string }, ops: JsonPatchOp[], where: string): void {
  const targets = docs.filter((d) => d.kind === target.kind && (d.metadata as { name: string }).name === target.name);
  if (targets.length !== 1) throw new Error(`${where}: patch target ${target.kind}/${target.name} matches ${targets.length} objects`);
  applyJsonPatch(targets[0], ops, where);
}

/** `kustomize build <dir>` with the pinned kustomize (generators and patches as Argo CD's repo-server renders them). */
export function kustomizeBuild(dir: string, where: string): Doc[] {
  return parseDocs(kustomizeBuildText(dir), `${where}: kustomize build ${path.relative(REPO_ROOT, dir)}`);
}

/** The manifests a platform-repo source applies, after kustomize patches / include globs. */
export function manifestsOf(source: Source, where: string): Doc[] {
  if (!source.path) return [];
  const dir = path.join(REPO_ROOT, source.path);
  if (!fs.existsSync(dir)) throw new Error(`${where}: path ${source.path} does not exist`);
  const kustomization = path.join(dir, "kustomization.yaml");
  if (fs.existsSync(kustomization)) {
    const docs = kustomizeBuild(dir, where);
    for (const patch of source.kustomize?.patches ?? []) {
      patchTarget(docs, patch.target, parseDocs(patch.patch, `${where} patch`)[0] as unknown as JsonPatchOp[], where);
    }
    return docs;
  }
  if (source.kustomize) throw new Error(`${where}: kustomize patches on ${source.path}, which has no kustomization.yaml`);
  const include = source.directory?.include ? globToRegExp(source.directory.include) : /.*/;
  return yamlFiles(dir, false)
    .filter((file) => include.test(path.basename(file)))
    .flatMap(readDocs);
}
