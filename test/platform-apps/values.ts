// Helm values of a platform-apps Application as Argo CD passes them: value files in order,
// then valuesObject, merged the way Helm merges them (maps deep, everything else replaced).
// A value file that does not exist is skipped only with helm.ignoreMissingValueFiles (the
// repo-server then leaves it out of `helm template`); without it Helm fails on the file.
import * as fs from "node:fs";
import * as path from "node:path";
import { readDocs, REPO_ROOT, type Application, type Doc, type Source } from "./platform";

export function mergeValues(base: Doc, overlay: Doc): Doc {
  const out: Doc = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = out[key];
    const bothMaps = [current, value].every((v) => v !== null && typeof v === "object" && !Array.isArray(v));
    out[key] = bothMaps ? mergeValues(current as Doc, value as Doc) : value;
  }
  return out;
}

export function chartSource(app: Application): Source {
  const chart = app.spec.sources.find((s) => s.chart !== undefined);
  if (!chart) throw new Error(`Application ${app.metadata.name} has no chart source`);
  return chart;
}

/** The value files Argo CD passes to Helm for a chart source (default: the first), in order, as repository paths (`$values/` is this repository). */
export function valueFilesPassed(app: Application, source: Source = chartSource(app)): string[] {
  const helm = source.helm ?? {};
  return (helm.valueFiles ?? [])
    .map((file) => {
      if (!file.startsWith("$values/")) throw new Error(`Application ${app.metadata.name}: value file ${file} is not in the platform repo ($values/...)`);
      if (/[*?[]/.test(file)) throw new Error(`Application ${app.metadata.name}: value file ${file} is a glob, which this reader does not expand`);
      return file.slice("$values/".length);
    })
    .filter((file) => {
      if (fs.existsSync(path.join(REPO_ROOT, file))) return true;
      if (helm.ignoreMissingValueFiles === true) return false;
      throw new Error(`Application ${app.metadata.name}: value file ${file} does not exist and helm.ignoreMissingValueFiles is not true`);
    });
}

/** The merged values of the Application's chart source. */
export function helmValues(app: Application): Doc {
  const files = valueFilesPassed(app).map((file) => readDocs(path.join(REPO_ROOT, file))[0] ?? {});
  return [...files, chartSource(app).helm?.valuesObject ?? {}].reduce(mergeValues, {});
}

/** The value at a dotted path (keys containing dots are given as separate array items). */
export function at(values: Doc, ...keys: string[]): unknown {
  let node: unknown = values;
  for (const key of keys) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Doc)[key];
  }
  return node;
}

/** True if `enabled: true` appears under a key named serviceMonitor or podMonitor. */
export function enablesPrometheusMonitors(values: unknown): boolean {
  if (values === null || typeof values !== "object") return false;
  return Object.entries(values as Doc).some(([key, value]) => {
    if ((key === "serviceMonitor" || key === "podMonitor") && (value as Doc | null)?.enabled === true) return true;
    return enablesPrometheusMonitors(value);
  });
}
