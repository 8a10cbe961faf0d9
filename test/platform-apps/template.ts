// ApplicationSets rendered by the real template engine (.tools/bin/appset-render -clusters:
// Go text/template + sprig, as the Argo CD ApplicationSet controller renders goTemplate mode),
// and the cluster Secret keys the ApplicationSets read.
import { renderForClusterGenerator } from "../harness/appset-render";

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
  return renderForClusterGenerator(appsets, cluster);
}
