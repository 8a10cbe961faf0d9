// The ApplicationSet template language as platform-apps/ uses it: Go text/template in
// goTemplate mode with missingkey=error, restricted to plain field references such as
// `{{ .metadata.annotations.domain }}`. For that subset Go's output is the referenced
// string, so evaluating it here is exact; any other expression (pipelines, functions,
// conditionals) is rejected, which keeps every ApplicationSet inside the tested subset.
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
const FIELD_REFERENCE = /^\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function lookup(expression: string, cluster: ClusterParams, reads: Reads): string {
  if (!FIELD_REFERENCE.test(expression)) {
    throw new Error(`template action {{ ${expression} }} is not a plain field reference (the tested subset)`);
  }
  const keys = expression.slice(1).split(".");
  let node: unknown = cluster;
  for (const key of keys) {
    if (node === null || typeof node !== "object" || !(key in node)) {
      throw new Error(`map has no entry for key "${key}" in {{ ${expression} }} (missingkey=error)`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== "string") throw new Error(`{{ ${expression} }} is not a string`);
  if (keys[0] === "metadata" && keys[1] === "labels") reads.labels.add(keys[2]);
  if (keys[0] === "metadata" && keys[1] === "annotations") reads.annotations.add(keys[2]);
  return node;
}

/** Every template action in a string, in order. */
export function actionsIn(text: string): string[] {
  return [...text.matchAll(ACTION)].map((m) => m[1]);
}

/** Renders every string (map keys too) of a template, as the ApplicationSet controller does. */
export function evaluate(value: unknown, cluster: ClusterParams, reads: Reads): unknown {
  if (typeof value === "string") return value.replace(ACTION, (_, expression: string) => lookup(expression, cluster, reads));
  if (Array.isArray(value)) return value.map((item) => evaluate(item, cluster, reads));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [evaluate(key, cluster, reads) as string, evaluate(item, cluster, reads)]),
    );
  }
  return value;
}
