// A small Kubernetes REST client (node:https, client-certificate auth) for the stand-in
// controllers and the scenario observers: get/list/create/merge-patch (object or status)/
// delete and watch streams. Paths are API paths, e.g. `/apis/apps/v1/namespaces/x/deployments`.
import * as https from "node:https";

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** How to reach the API server: URL and PEM strings (CA, admin client certificate and key). */
export interface KubeConnection {
  server: string;
  ca: string;
  cert: string;
  key: string;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject;
}

/** A non-2xx answer of the API server, with its Status message. */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    body: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${body.slice(0, 600)}`);
    this.name = "KubeError";
  }
}

export class KubeRest {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(connection: KubeConnection) {
    this.base = new URL(connection.server);
    this.agent = new https.Agent({ ca: connection.ca, cert: connection.cert, key: connection.key, keepAlive: true, maxSockets: 16 });
  }

  private request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<string> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          agent: this.agent,
          headers: { Accept: "application/json", ...(payload ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => ((res.statusCode ?? 0) < 300 ? resolve(text) : reject(new KubeError(res.statusCode ?? 0, method, path, text))));
          res.on("error", reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** The body of a GET as text (e.g. /readyz). */
  raw(path: string): Promise<string> {
    return this.request("GET", path);
  }

  /** The object, or undefined when the API server answers 404. */
  async get<T extends KubeObject = KubeObject>(path: string): Promise<T | undefined> {
    try {
      return JSON.parse(await this.request("GET", path)) as T;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return undefined;
      throw error;
    }
  }

  async list<T extends KubeObject = KubeObject>(path: string): Promise<T[]> {
    return (JSON.parse(await this.request("GET", path)) as { items: T[] }).items;
  }

  async create<T extends KubeObject = KubeObject>(collectionPath: string, object: KubeObject): Promise<T> {
    return JSON.parse(await this.request("POST", collectionPath, object)) as T;
  }

  /** Server-side apply as `manager` (creates or updates; `force` takes over conflicting fields). */
  async apply<T extends KubeObject = KubeObject>(objectPath: string, object: KubeObject, manager = "holodeck-test"): Promise<T> {
    const query = `?fieldManager=${encodeURIComponent(manager)}&force=true`;
    return JSON.parse(await this.request("PATCH", `${objectPath}${query}`, object, "application/apply-patch+yaml")) as T;
  }

  /** JSON merge patch of the object, or of its status with `objectPath + "/status"`. */
  async mergePatch<T extends KubeObject = KubeObject>(objectPath: string, patch: Record<string, unknown>): Promise<T> {
    return JSON.parse(await this.request("PATCH", objectPath, patch, "application/merge-patch+json")) as T;
  }

  /** Deletes the object; true when it existed. */
  async delete(objectPath: string): Promise<boolean> {
    try {
      await this.request("DELETE", objectPath);
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * Streams watch events of a collection until `stop()`; reconnects (from the last seen
   * resourceVersion) when the API server closes the stream, as client-go's reflector does.
   */
  watch(collectionPath: string, onEvent: (event: WatchEvent) => void): { stop(): void } {
    let stopped = false;
    let resourceVersion = "";
    let current: ReturnType<typeof https.request> | undefined;
    const connect = (): void => {
      if (stopped) return;
      const query = `?watch=1&allowWatchBookmarks=true${resourceVersion ? `&resourceVersion=${resourceVersion}` : ""}`;
      current = https.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method: "GET",
          path: `${collectionPath}${query}`,
          agent: this.agent,
          headers: { Accept: "application/json" },
        },
        (res) => {
          if ((res.statusCode ?? 0) >= 300) {
            res.resume();
            resourceVersion = "";
            setTimeout(connect, 500);
            return;
          }
          let buffer = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buffer += chunk;
            let newline = buffer.indexOf("\n");
            while (newline >= 0) {
              const line = buffer.slice(0, newline).trim();
              buffer = buffer.slice(newline + 1);
              newline = buffer.indexOf("\n");
              if (!line) continue;
              const event = JSON.parse(line) as WatchEvent;
              if (event.type === "ERROR") {
                resourceVersion = ""; // expired: start over with a fresh list
                continue;
              }
              resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
              if (event.type !== "BOOKMARK") onEvent(event);
            }
          });
          res.on("end", () => setTimeout(connect, 100));
          res.on("error", () => setTimeout(connect, 500));
        },
      );
      current.on("error", () => setTimeout(connect, 500));
      current.end();
    };
    connect();
    return {
      stop: () => {
        stopped = true;
        current?.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The condition of `type` in an object's status.conditions, if any. */
export function conditionOf(object: KubeObject | undefined, type: string): Condition | undefined {
  const status = object?.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((condition) => condition.type === type);
}

/** The owner reference a controller sets on what it creates for `owner`. */
export function controllerReference(owner: KubeObject): OwnerReference {
  if (!owner.metadata.uid) throw new Error(`${owner.kind} ${owner.metadata.name} has no uid: read it from the API server first`);
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}
