// A MODEL of the Vault HTTP API calls team-sync.py makes (policies, external groups, group
// aliases, the auth mount list, kv-v2 data read/write/soft delete, metadata list), holding state
// in memory, checking every call against the caller's policy with the ACL model (vault-acl.ts). Any other call is answered 501 and recorded:
// the tests assert there is none. Responses follow Vault's API docs (sys/policies/acl,
// identity/group, identity/group-alias, sys/auth); LIST of an empty collection is a 404 as in Vault.
import { randomUUID } from "node:crypto";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { allows, type Capability, type PathRule } from "./vault-acl";

const STATUS_TEXT: Record<number, string> = { 200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 501: "Not Implemented" };

export interface Group {
  id: string;
  name: string;
  type: string;
  policies: string[];
  metadata: Record<string, string>;
  alias?: { id: string; name: string; mount_accessor: string; canonical_id: string };
}

export interface VaultCall {
  method: string;
  path: string;
  capability: Capability;
  allowed: boolean;
}

export class FakeVault {
  readonly policies = new Map<string, string>();
  readonly groups = new Map<string, Group>();
  /** kv-v2 secrets by path below the mount: the current data and how many versions were written. */
  readonly kv = new Map<string, { data: Record<string, string>; versions: number; deleted?: boolean }>();
  readonly calls: VaultCall[] = [];
  readonly unknown: string[] = [];
  private server?: net.Server;

  constructor(
    /** The rules of the token the caller uses (the team sync's policy). */
    private readonly callerRules: PathRule[],
    readonly oidcPath: string,
    readonly oidcAccessor = "auth_oidc_0a1b2c3d",
    readonly kvMount = "secret",
  ) {}

  /**
   * Serves plain HTTP/1.1 over a TCP socket: Vault's LIST verb is not one Node's HTTP parser
   * accepts (it answers 400 itself). One request per connection, as urllib sends them.
   */
  async start(): Promise<string> {
    this.server = net.createServer((socket) => {
      let received = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const end = received.indexOf("\r\n\r\n");
        if (end < 0) return;
        const [requestLine, ...headerLines] = received.subarray(0, end).toString().split("\r\n");
        const length = Number(headerLines.find((h) => /^content-length:/i.test(h))?.split(":")[1] ?? 0);
        if (received.length < end + 4 + length) return;
        const [method, url] = requestLine.split(" ");
        const body = received.subarray(end + 4, end + 4 + length).toString();
        const [status, payload] = this.handle(method, url.replace(/^\/v1\//, ""), body ? (JSON.parse(body) as Record<string, unknown>) : {});
        const text = payload === undefined ? "" : JSON.stringify(payload);
        socket.end(
          `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
        );
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  groupByName(name: string): Group | undefined {
    return this.groups.get(name);
  }

  private capabilityOf(method: string, exists: boolean): Capability {
    if (method === "GET") return "read";
    if (method === "LIST") return "list";
    if (method === "DELETE") return "delete";
    return exists ? "update" : "create";
  }

  private handle(method: string, path: string, body: Record<string, unknown>): [number, unknown] {
    const policy = /^sys\/policies\/acl\/([^/]+)$/.exec(path)?.[1];
    const groupName = /^identity\/group\/name\/([^/]+)$/.exec(path)?.[1];
    const aliasId = /^identity\/group-alias\/id\/([^/]+)$/.exec(path)?.[1];
    const kvData = new RegExp(`^${this.kvMount}/data/(.+)$`).exec(path)?.[1];
    const kvMetadata = new RegExp(`^${this.kvMount}/metadata/(.+?)/?$`).exec(path)?.[1];
    const exists =
      (policy !== undefined && this.policies.has(policy)) ||
      (groupName !== undefined && this.groups.has(groupName)) ||
      (kvData !== undefined && this.kv.has(kvData));
    const capability = this.capabilityOf(method, exists);
    const allowed = allows([this.callerRules], capability, path, method === "POST" || method === "PUT" ? body : {});
    this.calls.push({ method, path, capability, allowed });
    if (!allowed) return [403, { errors: ["1 error occurred:\n\t* permission denied\n\n"] }];

    if (path === "sys/auth" && method === "GET") return [200, { data: { [`${this.oidcPath}/`]: { type: "oidc", accessor: this.oidcAccessor } } }];
    if (path === "sys/policies/acl" && method === "LIST") return this.list([...this.policies.keys()]);
    if (policy !== undefined && method === "PUT") {
      this.policies.set(policy, String(body["policy"]));
      return [204, undefined];
    }
    if (policy !== undefined && method === "DELETE") {
      this.policies.delete(policy);
      return [204, undefined];
    }
    if (path === "identity/group/name" && method === "LIST") return this.list([...this.groups.keys()]);
    if (groupName !== undefined && method === "POST") {
      const group = this.groups.get(groupName) ?? { id: randomUUID(), name: groupName, type: "", policies: [], metadata: {} };
      this.groups.set(groupName, {
        ...group,
        type: String(body["type"]),
        policies: body["policies"] as string[],
        metadata: body["metadata"] as Record<string, string>,
      });
      return [204, undefined];
    }
    if (groupName !== undefined && method === "GET") {
      const group = this.groups.get(groupName);
      return group ? [200, { data: { ...group, alias: group.alias ?? {} } }] : [404, { errors: [] }];
    }
    if (groupName !== undefined && method === "DELETE") {
      this.groups.delete(groupName);
      return [204, undefined];
    }
    if (path === "identity/group-alias" && method === "POST") return this.createAlias(body);
    if (kvData !== undefined) return this.kvData(method, kvData, body);
    if (kvMetadata !== undefined && method === "LIST") {
      const children = [...this.kv.keys()].filter((k) => k.startsWith(`${kvMetadata}/`)).map((k) => k.slice(kvMetadata.length + 1));
      return this.list([...new Set(children.map((c) => (c.includes("/") ? `${c.split("/")[0]}/` : c)))]);
    }
    if (aliasId !== undefined && method === "DELETE") {
      for (const group of this.groups.values()) if (group.alias?.id === aliasId) delete group.alias;
      return [204, undefined];
    }
    this.unknown.push(`${method} ${path}`);
    return [501, { errors: [`the fake Vault does not model ${method} ${path}`] }];
  }

  /** kv-v2 `data/` endpoint: read answers {data: {data, metadata}}, write takes {data}, delete is soft (Vault's API docs). */
  private kvData(method: string, key: string, body: Record<string, unknown>): [number, unknown] {
    const current = this.kv.get(key);
    if (method === "GET")
      return current && !current.deleted ? [200, { data: { data: current.data, metadata: { version: current.versions } } }] : [404, { errors: [] }];
    if (method === "DELETE" && current) {
      // A soft delete of the latest version: reads answer 404, the metadata (and LIST) keep it.
      current.deleted = true;
      return [204, undefined];
    }
    if (method === "POST" || method === "PUT") {
      const versions = (current?.versions ?? 0) + 1;
      this.kv.set(key, { data: body["data"] as Record<string, string>, versions, deleted: false });
      return [200, { data: { version: versions } }];
    }
    this.unknown.push(`${method} kv ${key}`);
    return [501, { errors: [`the fake Vault does not model ${method} on kv data`] }];
  }

  private list(keys: string[]): [number, unknown] {
    return keys.length === 0 ? [404, { errors: [] }] : [200, { data: { keys: keys.sort() } }];
  }

  private createAlias(body: Record<string, unknown>): [number, unknown] {
    const group = [...this.groups.values()].find((g) => g.id === body["canonical_id"]);
    if (!group) return [400, { errors: ["invalid canonical ID"] }];
    if (group.type !== "external") return [400, { errors: ["alias can't be created on an internal group"] }];
    if (body["mount_accessor"] !== this.oidcAccessor) return [400, { errors: ["invalid mount accessor"] }];
    // An external group has one alias per mount (Vault: "group already has an alias").
    if (group.alias) return [400, { errors: ["group already has an alias for this mount"] }];
    group.alias = { id: randomUUID(), name: String(body["name"]), mount_accessor: this.oidcAccessor, canonical_id: group.id };
    return [200, { data: { id: group.alias.id, canonical_id: group.id } }];
  }
}
