// What the ApplicationSet controller's cluster generator hands a template, and a renderer for
// the only template form platform-apps/ uses: `{{ .a.b.c }}` paths. Anything else in a template
// throws, so an expectation is never silently wrong (the real controller renders the real thing).
import type { KubeObject } from "./kube";

/** The cluster generator's Go-template parameters for a cluster Secret as stored in the API server. */
export function clusterGeneratorParams(secret: KubeObject & { data: Record<string, string> }): Record<string, unknown> {
  const decode = (key: string): string => Buffer.from(secret.data[key] ?? "", "base64").toString("utf8");
  const name = decode("name");
  return {
    name,
    nameNormalized: name.toLowerCase().replace(/[^a-z0-9.-]/g, "-"),
    server: decode("server"),
    project: decode("project"),
    metadata: { labels: secret.metadata.labels ?? {}, annotations: secret.metadata.annotations ?? {} },
  };
}

function lookup(params: Record<string, unknown>, dotted: string): string {
  let value: unknown = params;
  for (const key of dotted.split(".").slice(1)) {
    value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (typeof value !== "string") throw new Error(`template path ${dotted} has no string value in the cluster generator's parameters`);
  return value;
}

/** `value` with every `{{ .path }}` replaced from `params`; throws on any other template action. */
export function renderGoTemplatePaths<T>(value: T, params: Record<string, unknown>): T {
  if (typeof value === "string") {
    const rendered = value.replace(/\{\{\s*(\.[\w.]+)\s*\}\}/g, (_, dotted: string) => lookup(params, dotted));
    if (rendered.includes("{{")) throw new Error(`template action not supported by renderGoTemplatePaths: ${value}`);
    return rendered as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => renderGoTemplatePaths(v, params)) as T;
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderGoTemplatePaths(v, params)])) as T;
  return value;
}
