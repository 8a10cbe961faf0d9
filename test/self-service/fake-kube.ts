// A MODEL of the Kubernetes API calls the Grafana team sync (platform-apps/manifests/grafana/
// team-sync.py) makes, over plain HTTP: list ConfigMaps by one equality label selector, get and
// merge-patch (RFC 7386) a Secret, merge-patch a Deployment. Each call must carry the bearer
// token and be allowed by a simple RBAC model (the namespaces where the caller may list
// ConfigMaps, the Secrets and Deployments it may get and patch by name); otherwise the answer is
// the API server's Status (401, 403). Any other call is answered 501 and recorded: the tests
// assert there is none. No API server can be run here in the suite's time.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export type Json = Record<string, unknown>;

export interface KubeObject {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface KubeCall {
  method: string;
  path: string;
  status: number;
  /** The parsed request body (PATCH only). */
  body?: Json;
  contentType?: string;
}

export interface KubeAccess {
  /** Namespaces where the caller may list ConfigMaps (its Role and the team chart's RoleBindings). */
  listConfigMaps: string[];
  /** "<namespace>/<name>" of the Secrets it may get and patch (the Role's resourceNames). */
  secrets: string[];
  /** "<namespace>/<name>" of the Deployments it may get and patch. */
  deployments: string[];
}

const MERGE_PATCH = "application/merge-patch+json";
// Patch types the API server accepts that this model does not implement (501, recorded).
const OTHER_PATCHES = ["application/strategic-merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml"];
const CALLER = "system:serviceaccount:monitoring:grafana-team-sync";

/** RFC 7386: objects merge key by key, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const result: Json = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function status(code: number, reason: string, message: string, details?: Json): [number, Json] {
  return [code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code }];
}

export class FakeKube {
  readonly configMaps: KubeObject[] = [];
  readonly secrets = new Map<string, KubeObject>();
  readonly deployments = new Map<string, KubeObject>();
  readonly calls: KubeCall[] = [];
  readonly unknown: string[] = [];
  private server?: http.Server;

  constructor(
    readonly token: string,
    readonly access: KubeAccess,
  ) {}

  /** Adds or replaces (same namespace and name) a ConfigMap. */
  putConfigMap(configMap: KubeObject): void {
    this.deleteConfigMap(configMap.metadata.namespace, configMap.metadata.name);
    this.configMaps.push(configMap);
  }

  deleteConfigMap(namespace: string, name: string): void {
    const index = this.configMaps.findIndex((c) => c.metadata.namespace === namespace && c.metadata.name === name);
    if (index >= 0) this.configMaps.splice(index, 1);
  }

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const method = request.method ?? "";
        const url = request.url ?? "";
        const contentType = request.headers["content-type"];
        const input = body ? (JSON.parse(body) as Json) : undefined;
        const [code, answer] = this.answer(method, url, request.headers.authorization, contentType, input);
        this.calls.push({ method, path: url, status: code, ...(input ? { body: input } : {}), ...(contentType ? { contentType } : {}) });
        response.writeHead(code, { "Content-Type": "application/json" });
        response.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(method: string, url: string, authorization: string | undefined, contentType: string | undefined, input: Json | undefined): [number, unknown] {
    if (authorization !== `Bearer ${this.token}`) return status(401, "Unauthorized", "Unauthorized");
    const { pathname, searchParams } = new URL(url, "http://kubernetes");
    const configMaps = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/.exec(pathname);
    if (method === "GET" && configMaps) return this.listConfigMaps(configMaps[1], searchParams);
    const named = /^\/(api\/v1|apis\/apps\/v1)\/namespaces\/([^/]+)\/(secrets|deployments)\/([^/]+)$/.exec(pathname);
    if (named && (method === "GET" || method === "PATCH")) {
      const [, group, namespace, resource, name] = named;
      if ((resource === "secrets") !== (group === "api/v1")) return this.notModelled(method, url);
      const store = resource === "secrets" ? this.secrets : this.deployments;
      const allowed = resource === "secrets" ? this.access.secrets : this.access.deployments;
      if (!allowed.includes(`${namespace}/${name}`)) {
        const verb = method === "GET" ? "get" : "patch";
        const apiGroup = resource === "secrets" ? "" : "apps";
        return status(
          403,
          "Forbidden",
          `${resource}${apiGroup ? `.${apiGroup}` : ""} "${name}" is forbidden: User "${CALLER}" cannot ${verb} resource "${resource}" in API group "${apiGroup}" in the namespace "${namespace}"`,
          { name, group: apiGroup, kind: resource },
        );
      }
      const current = store.get(`${namespace}/${name}`);
      if (!current) return status(404, "NotFound", `${resource}${resource === "deployments" ? ".apps" : ""} "${name}" not found`, { name, kind: resource });
      if (method === "GET") return [200, current];
      if (contentType !== undefined && OTHER_PATCHES.includes(contentType)) return this.notModelled(method, url);
      if (contentType !== MERGE_PATCH)
        return status(
          415,
          "UnsupportedMediaType",
          `the body of the request was in an unknown format - accepted media types include: ${[MERGE_PATCH, ...OTHER_PATCHES].join(", ")}`,
        );
      const patched = mergePatch(current, input ?? {}) as KubeObject;
      // Secret data is base64, as the API server requires of it.
      const data = resource === "secrets" ? ((patched.data ?? {}) as Json) : {};
      if (Object.values(data).some((value) => typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))) {
        return status(400, "BadRequest", 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data');
      }
      store.set(`${namespace}/${name}`, patched);
      return [200, patched];
    }
    return this.notModelled(method, url);
  }

  private listConfigMaps(namespace: string, query: URLSearchParams): [number, unknown] {
    if (!this.access.listConfigMaps.includes(namespace)) {
      return status(
        403,
        "Forbidden",
        `configmaps is forbidden: User "${CALLER}" cannot list resource "configmaps" in API group "" in the namespace "${namespace}"`,
        { kind: "configmaps" },
      );
    }
    const selector = query.get("labelSelector");
    // One equality requirement is all the model reads; anything else (sets, several) is not modelled.
    const equality = selector === null ? null : /^([^,=!()\s]+)=([^,=!()\s]*)$/.exec(selector);
    if (selector !== null && !equality) return this.notModelled("GET", `/api/v1/namespaces/${namespace}/configmaps?${query.toString()}`);
    const items = this.configMaps.filter((c) => c.metadata.namespace === namespace && (!equality || c.metadata.labels?.[equality[1]] === equality[2]));
    return [200, { kind: "ConfigMapList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items }];
  }

  private notModelled(method: string, url: string): [number, unknown] {
    this.unknown.push(`${method} ${url}`);
    return status(501, "NotImplemented", `not in the model: ${method} ${url}`);
  }
}
