// Runs the pinned helm binary (scripts/install/helm.sh → .tools/bin/helm) for tests:
// `helmTemplate` renders a chart and returns the parsed objects, `helmLint` lints it.
// Charts with dependencies are rendered from a temporary copy whose file:// dependencies
// point at absolute paths, built once per process with `helm dependency build` (offline),
// so the tests never write Chart.lock or charts/*.tgz into the repository.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";

const repoRoot = path.resolve(__dirname, "..", "..");
const toolsDir = process.env.HOLODECK_TOOLS ?? path.join(repoRoot, ".tools");

/** The helm binary the tests use. */
export const HELM_BIN = path.join(toolsDir, "bin", "helm");
/** Kubernetes version helm renders for (EKS 1.36, as Argo CD passes the cluster's version). */
export const KUBE_VERSION = "1.36.0";

export interface K8sObject extends Record<string, unknown> {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface HelmOptions {
  releaseName?: string;
  namespace?: string;
  kubeVersion?: string;
  /** Dependency name → local chart directory, used instead of the Chart.yaml repository. */
  dependencies?: Record<string, string>;
}

/** helm exited non-zero; `stderr` carries helm's message (schema errors name the key). */
export class HelmError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`helm ${args.join(" ")} failed:\n${stderr}`);
    this.name = "HelmError";
  }
}

/** Value flags: --set-json keeps each value's JSON type (a tag "1.0" stays a string). */
export type HelmSets = Record<string, unknown>;

function runHelm(args: string[], cwd?: string): string {
  if (!fs.existsSync(HELM_BIN)) {
    throw new Error(`${HELM_BIN} is missing: run \`npm run tools\` (scripts/install/helm.sh)`);
  }
  const result = spawnSync(HELM_BIN, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new HelmError(args, `${result.stderr}${result.stdout}`);
  return result.stdout;
}

interface ChartDependency {
  name: string;
  repository?: string;
}

// Prepared copies live in the run's temporary folder, which the suite removes (test/harness/run-tmpdir.ts).
const prepared = new Map<string, string>();

/** The chart directory helm should read: the chart itself, or a prepared copy when it has dependencies. */
function chartWithDependencies(chartDir: string, overrides: Record<string, string>): string {
  const source = path.resolve(chartDir);
  const chart = parse(fs.readFileSync(path.join(source, "Chart.yaml"), "utf8")) as { dependencies?: ChartDependency[] };
  if (!chart.dependencies?.length) return source;
  const key = JSON.stringify([source, overrides]);
  const cached = prepared.get(key);
  if (cached) return cached;

  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "holodeck-chart-"));
  fs.cpSync(source, copy, {
    recursive: true,
    filter: (file) => !["charts", "Chart.lock"].includes(path.relative(source, file)),
  });
  for (const dependency of chart.dependencies) {
    const local = overrides[dependency.name];
    if (local) dependency.repository = `file://${path.resolve(local)}`;
    else if (dependency.repository?.startsWith("file://")) {
      dependency.repository = `file://${path.resolve(source, dependency.repository.slice("file://".length))}`;
    }
  }
  fs.writeFileSync(path.join(copy, "Chart.yaml"), stringify(chart));
  runHelm(["dependency", "build", copy]);
  prepared.set(key, copy);
  return copy;
}

function valueArgs(valuesFiles: string[], sets: HelmSets): string[] {
  const args = valuesFiles.flatMap((file) => ["--values", path.resolve(file)]);
  for (const [key, value] of Object.entries(sets)) args.push("--set-json", `${key}=${JSON.stringify(value)}`);
  return args;
}

/** `helm template` → every rendered object, parsed (empty documents dropped). Throws HelmError. */
export function helmTemplate(chartDir: string, valuesFiles: string[] = [], sets: HelmSets = {}, options: HelmOptions = {}): K8sObject[] {
  const chart = chartWithDependencies(chartDir, options.dependencies ?? {});
  const namespace = options.namespace ?? "default";
  const stdout = runHelm([
    "template",
    options.releaseName ?? "release",
    chart,
    "--namespace",
    namespace,
    "--kube-version",
    options.kubeVersion ?? KUBE_VERSION,
    ...valueArgs(valuesFiles, sets),
  ]);
  return parseAllDocuments(stdout).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`helm template ${chartDir}: invalid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as K8sObject | null;
    return value === null ? [] : [value];
  });
}

/** `helm lint --strict`: throws HelmError (with helm's findings) unless the chart is clean. */
export function helmLint(chartDir: string, valuesFiles: string[] = [], sets: HelmSets = {}, options: HelmOptions = {}): string {
  const chart = chartWithDependencies(chartDir, options.dependencies ?? {});
  return runHelm([
    "lint",
    "--strict",
    chart,
    "--namespace",
    options.namespace ?? "default",
    "--kube-version",
    options.kubeVersion ?? KUBE_VERSION,
    ...valueArgs(valuesFiles, sets),
  ]);
}

/** The one object of `kind` named `name`; throws listing what was rendered otherwise. */
export function findObject(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) {
    const rendered = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ");
    throw new Error(`expected exactly one ${kind}/${name}, found ${found.length} in: ${rendered}`);
  }
  return found[0];
}
