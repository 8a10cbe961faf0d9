// Helm values of a platform-apps Application as Argo CD passes them: value files in order,
// then valuesObject, merged the way Helm merges them (maps deep, everything else replaced).
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

/** The merged values of the Application's chart source. */
export function helmValues(app: Application): Doc {
  const helm = chartSource(app).helm ?? {};
  const files = (helm.valueFiles ?? []).map((f) => readDocs(path.join(REPO_ROOT, f.replace(/^\$values\//, "")))[0] ?? {});
  return [...files, helm.valuesObject ?? {}].reduce(mergeValues, {});
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
