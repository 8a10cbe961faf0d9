// ApplicationSets rendered by the real template engine (.tools/bin/cluster-render: Go
// text/template + sprig, as the Argo CD ApplicationSet controller renders goTemplate mode),
// and the cluster Secret keys the ApplicationSets read.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface ClusterParams {
  name: string;
  server: string;
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
}

/** Keys of the cluster Secret that templates and selectors read. */
export interface Reads {
  labels: Set<string>;
  annotations: Set<string>;
}

const RENDERER = path.resolve(__dirname, "..", "..", ".tools", "bin", "cluster-render");
const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;
const SECRET_KEY = /\.metadata\.(labels|annotations)\.([A-Za-z0-9_]+)/g;

/** Every template action in a text, in order. */
export function actionsIn(text: string): string[] {
  return [...text.matchAll(ACTION)].map((m) => m[1]);
}

/** Records the labels/annotations a (JSON-serialisable) ApplicationSet reads. */
export function recordReads(appset: unknown, reads: Reads): void {
  const text = JSON.stringify(appset);
  for (const action of actionsIn(text)) {
    for (const [, where, key] of action.matchAll(SECRET_KEY)) (where === "labels" ? reads.labels : reads.annotations).add(key);
  }
  const generators = (appset as { spec: { generators: Array<{ clusters?: { selector?: { matchLabels?: Record<string, string> } } }> } }).spec.generators;
  for (const generator of generators) for (const key of Object.keys(generator.clusters?.selector?.matchLabels ?? {})) reads.labels.add(key);
}

/** The Applications each ApplicationSet generates for the cluster, in input order. */
export function renderForCluster(appsets: unknown[], cluster: ClusterParams): unknown[][] {
  if (!fs.existsSync(RENDERER)) throw new Error(`${RENDERER} is missing: run scripts/install-tools.sh`);
  const out = execFileSync(RENDERER, { input: JSON.stringify({ cluster, appsets }), encoding: "utf8" });
  return (JSON.parse(out) as Array<{ applications: unknown[] }>).map((entry) => entry.applications);
}
