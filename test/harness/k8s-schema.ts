// Validates Kubernetes manifests against real schemas: the generated kubernetes-models
// packages for built-in and well-known CRD kinds, and the openAPIV3Schema of CRD / XRD
// YAML (from `.tools/crds/` and `.tools/bootstrap-crds/`, installed by scripts/install/, or
// registered by a test).
// Every object is also checked strictly (unknown or duplicate fields rejected, the way
// `kubectl apply`'s default strict field validation does): built-in kinds by decoding them
// with the real Go API types (.tools/bin/kube-strict), CRD kinds by closing their schemas.
// A kind with no known schema is an error, never a pass.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { parseAllDocuments } from "yaml";

export type Manifest = Record<string, unknown>;
type JsonSchema = Record<string, unknown>;
interface ModelInstance {
  validate(): void;
}
type ModelClass = new (data: Manifest) => ModelInstance;

const repoRoot = path.resolve(__dirname, "..", "..");
const requireFromRepo = createRequire(path.join(repoRoot, "package.json"));

/** npm packages of generated models, searched in this order by `<group>/<version>` subpath. */
const MODEL_PACKAGES = [
  "kubernetes-models",
  "@kubernetes-models/argo-cd",
  "@kubernetes-models/cert-manager",
  "@kubernetes-models/prometheus-operator",
  "@kubernetes-models/istio",
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
for (const format of ["int32", "int64", "byte", "double", "float", "int-or-string"]) {
  ajv.addFormat(format, true);
}

// Schemas are registered eagerly but compiled on first use: compiling every installed CRD
// (Argo CD's and the Prometheus operator's are huge) costs tens of seconds on 2 cores.
const crdSchemas = new Map<string, JsonSchema>();
const crdValidators = new Map<string, ValidateFunction>();

function crdValidator(key: string): ValidateFunction | undefined {
  const compiled = crdValidators.get(key);
  if (compiled) return compiled;
  const schema = crdSchemas.get(key);
  if (!schema) return undefined;
  const validator = ajv.compile(schema);
  crdValidators.set(key, validator);
  return validator;
}
let crdDirLoaded = false;

const gvk = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;

/** Model class for apiVersion/kind from the kubernetes-models packages, if one exists. */
export function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const slash = apiVersion.indexOf("/");
  const subpath = slash < 0 ? apiVersion : `${apiVersion.slice(0, slash)}/${apiVersion.slice(slash + 1)}`;
  for (const pkg of MODEL_PACKAGES) {
    let mod: Record<string, unknown>;
    try {
      mod = requireFromRepo(`${pkg}/${subpath}`) as Record<string, unknown>;
    } catch {
      continue;
    }
    const candidate = mod[kind];
    if (typeof candidate === "function") return candidate as ModelClass;
  }
  return undefined;
}

function compilesInJavaScript(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

/** Makes an OpenAPI v3 CRD schema strict and ajv-compatible (in a copy). */
function toStrictJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toStrictJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) out[key] = toStrictJsonSchema(value);
  if (out["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  // CRD patterns are Go RE2; the few that JavaScript cannot compile (inline flags such as
  // `(?i)`) are left to the API server rather than failing every other check.
  if (typeof out.pattern === "string" && !compilesInJavaScript(out.pattern)) delete out.pattern;
  const preserves = out["x-kubernetes-preserve-unknown-fields"] === true;
  if (out.type === "object" && out.properties && out.additionalProperties === undefined && !preserves) {
    out.additionalProperties = false;
  }
  return out;
}

/** Registers the schema of every served version of a CustomResourceDefinition document. */
export function registerCrd(crd: Manifest): void {
  const spec = crd.spec as { group: string; names: { kind: string }; versions?: Array<Record<string, unknown>> };
  for (const version of spec.versions ?? []) {
    const schema = (version.schema as { openAPIV3Schema?: JsonSchema } | undefined)?.openAPIV3Schema;
    if (!schema) continue;
    const strict = toStrictJsonSchema(schema) as JsonSchema;
    const properties = { ...((strict.properties as JsonSchema | undefined) ?? {}) };
    properties.apiVersion ??= { type: "string" };
    properties.kind ??= { type: "string" };
    properties.metadata = { type: "object" };
    strict.properties = properties;
    const key = gvk(`${spec.group}/${String(version.name)}`, spec.names.kind);
    crdSchemas.set(key, strict);
    crdValidators.delete(key);
  }
}

/** Registers a Crossplane v2 CompositeResourceDefinition as the CRD Crossplane derives from it. */
export function registerXrd(xrd: Manifest): void {
  const spec = xrd.spec as { group: string; names: { kind: string }; versions: Array<Record<string, unknown>> };
  const versions = spec.versions.map((version) => {
    const schema = (version.schema as { openAPIV3Schema: JsonSchema }).openAPIV3Schema;
    const properties = (schema.properties as JsonSchema | undefined) ?? {};
    return { ...version, schema: { openAPIV3Schema: { type: "object", ...schema, properties } } };
  });
  registerCrd({ spec: { group: spec.group, names: spec.names, versions } });
}

/** Registers every CRD in a YAML file (documents of other kinds are ignored). */
export function registerCrdFile(file: string): void {
  for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
    const value = doc.toJS() as Manifest | null;
    if (value?.kind === "CustomResourceDefinition") registerCrd(value);
  }
}

function loadInstalledCrds(): void {
  if (crdDirLoaded) return;
  crdDirLoaded = true;
  // Platform-apps' CRDs (scripts/install/crds.sh) and bootstrap's (bootstrap-crds.sh).
  const dirs = ["crds", "bootstrap-crds"].map((d) => path.join(repoRoot, ".tools", d)).filter((d) => fs.existsSync(d));
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) registerCrdFile(full);
    }
  };
  dirs.forEach(walk);
}

/** True when validateManifest knows a schema for this kind. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  loadInstalledCrds();
  return crdSchemas.has(gvk(apiVersion, kind)) || modelFor(apiVersion, kind) !== undefined;
}

function metadataErrors(doc: Manifest): string[] {
  const meta = (doc.metadata ?? {}) as { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };
  const errors: string[] = [];
  if (typeof meta.name !== "string" || meta.name.length > 253 || !DNS_SUBDOMAIN.test(meta.name)) {
    errors.push(`metadata.name ${JSON.stringify(meta.name)} must be a DNS subdomain (lowercase, ≤ 253 chars)`);
  }
  if (meta.namespace !== undefined && (typeof meta.namespace !== "string" || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(meta.namespace))) {
    errors.push(`metadata.namespace ${JSON.stringify(meta.namespace)} must be a DNS label`);
  }
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push(`metadata.labels.${key} ${JSON.stringify(value)} is not a valid label value`);
    }
  }
  return errors;
}

interface StrictResult {
  status: "ok" | "invalid" | "unknown";
  error?: string;
}

/** Strict decoding of built-in kinds with the Go API types; one process per batch. */
function strictDecode(docs: Manifest[]): StrictResult[] {
  const bin = path.join(repoRoot, ".tools", "bin", "kube-strict");
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run scripts/install-tools.sh`);
  const out = execFileSync(bin, { input: JSON.stringify(docs), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out) as StrictResult[];
}

const formatAjvErrors = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map(
    (e) =>
      `${e.instancePath || "/"} ${e.message ?? e.keyword}${e.keyword === "additionalProperties" ? `: ${String((e.params as { additionalProperty: string }).additionalProperty)}` : ""}`,
  );

/** A manifest field as text: itself when a string, else its JSON (or the fallback when absent). */
const fieldText = (value: unknown, fallback: string): string => (typeof value === "string" ? value : value === undefined ? fallback : JSON.stringify(value));

function problems(doc: Manifest, strict: StrictResult): string[] {
  const apiVersion = fieldText(doc.apiVersion, "");
  const kind = fieldText(doc.kind, "");
  const errors = metadataErrors(doc);
  if (strict.status === "invalid") errors.push(strict.error ?? "strict decoding failed");
  const crd = crdValidator(gvk(apiVersion, kind));
  const Model = modelFor(apiVersion, kind);
  if (crd) {
    if (!crd(doc)) errors.push(...formatAjvErrors(crd.errors));
  } else if (Model) {
    try {
      new Model(doc).validate();
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  } else if (strict.status === "unknown") {
    errors.push("no schema is known for this apiVersion/kind (add its CRD to .tools/crds or a model package)");
  }
  return errors;
}

function labelOf(doc: Manifest, where: string): string {
  const name = fieldText((doc.metadata as { name?: unknown } | undefined)?.name, "<no name>");
  return `${where}: ${fieldText(doc.kind, "<no kind>")}/${name} (${fieldText(doc.apiVersion, "<no apiVersion>")})`;
}

/**
 * Validates every document; throws one error listing each invalid one with `where`
 * (file, chart case, stack), its kind/name and every schema error.
 */
export function validateManifests(docs: Manifest[], where: string): void {
  loadInstalledCrds();
  const strict = strictDecode(docs);
  const failures = docs.flatMap((doc, i) => {
    const errors = problems(doc, strict[i]);
    return errors.length === 0 ? [] : [`${labelOf(doc, where)} is invalid:\n  - ${errors.join("\n  - ")}`];
  });
  if (failures.length > 0) throw new Error(failures.join("\n"));
}

/** Throws unless `doc` is a valid object of its kind (see validateManifests). */
export function validateManifest(doc: Manifest, where: string): void {
  validateManifests([doc], where);
}
