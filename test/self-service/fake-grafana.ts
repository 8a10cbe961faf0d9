// A MODEL of the Grafana HTTP API calls the Grafana team sync (platform-apps/manifests/grafana/
// team-sync.py) makes: organisations, data sources, folders, dashboards and dashboard search,
// each scoped to the organisation of the X-Grafana-Org-Id header as in Grafana's HTTP API docs
// (a caller acts in an organisation only if it is a member; the server admin who creates one
// becomes its Admin). Secure JSON data is write-only, as in Grafana: reads show only which keys
// are set. Any other call is answered 501 and recorded: the tests assert there is none.
// Grafana itself cannot be built here (its module is far larger than this suite's budget).
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export type Json = Record<string, unknown>;

export interface Org {
  id: number;
  name: string;
  members: Set<string>;
  dataSources: Map<string, Json>;
  /** The secureJsonData last written per data source uid (never returned by the API). */
  secure: Map<string, Json>;
  folders: Map<string, string>;
  dashboards: Map<string, { dashboard: Json; folderUid: string; id: number }>;
}

export interface GrafanaCall {
  method: string;
  path: string;
  orgId: number;
  status: number;
}

export class FakeGrafana {
  readonly orgs = new Map<number, Org>();
  readonly calls: GrafanaCall[] = [];
  readonly unknown: string[] = [];
  private nextOrgId = 1;
  private nextDashboardId = 1;
  private server?: http.Server;

  constructor(
    readonly user = "admin",
    readonly password = "grafana-admin-password",
  ) {
    this.addOrg("Main Org.");
  }

  addOrg(name: string): Org {
    const org: Org = {
      id: this.nextOrgId++,
      name,
      members: new Set([this.user]),
      dataSources: new Map(),
      secure: new Map(),
      folders: new Map(),
      dashboards: new Map(),
    };
    this.orgs.set(org.id, org);
    return org;
  }

  orgNamed(name: string): Org | undefined {
    return [...this.orgs.values()].find((org) => org.name === name);
  }

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const orgId = Number(request.headers["x-grafana-org-id"] ?? 1);
        const [status, answer] = this.answer(request.method ?? "", request.url ?? "", orgId, request.headers.authorization, body);
        this.calls.push({ method: request.method ?? "", path: request.url ?? "", orgId, status });
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(method: string, url: string, orgId: number, authorization: string | undefined, body: string): [number, unknown] {
    const expected = `Basic ${Buffer.from(`${this.user}:${this.password}`).toString("base64")}`;
    if (authorization !== expected) return [401, { message: "Unauthorized" }];
    const { pathname, searchParams } = new URL(url, "http://grafana");
    const input = body ? (JSON.parse(body) as Json) : {};
    if (method === "GET" && pathname === "/api/orgs") return [200, [...this.orgs.values()].map(({ id, name }) => ({ id, name }))];
    if (method === "POST" && pathname === "/api/orgs") {
      if (this.orgNamed(String(input.name))) return [409, { message: "Organization name taken" }];
      return [200, { orgId: this.addOrg(String(input.name)).id, message: "Organization created" }];
    }
    const org = this.orgs.get(orgId);
    if (!org?.members.has(this.user)) return [401, { message: "User not a member of organization" }];
    const uidPath = (prefix: string): string | undefined => (pathname.startsWith(prefix) ? decodeURIComponent(pathname.slice(prefix.length)) : undefined);
    const dataSourceUid = uidPath("/api/datasources/uid/");
    if (dataSourceUid !== undefined) return this.dataSource(org, method, dataSourceUid, input);
    if (method === "POST" && pathname === "/api/datasources") {
      const uid = String(input.uid);
      if (org.dataSources.has(uid) || [...org.dataSources.values()].some((d) => d.name === input.name))
        return [409, { message: "data source with the same name already exists" }];
      return this.dataSource(org, "PUT", uid, input);
    }
    const folderUid = uidPath("/api/folders/");
    if (method === "GET" && folderUid !== undefined) {
      const title = org.folders.get(folderUid);
      return title === undefined ? [404, { message: "folder not found" }] : [200, { uid: folderUid, title }];
    }
    if (method === "POST" && pathname === "/api/folders") {
      if (org.folders.has(String(input.uid))) return [409, { message: "a folder with the same uid already exists" }];
      org.folders.set(String(input.uid), String(input.title));
      return [200, { uid: input.uid, title: input.title }];
    }
    if (method === "POST" && pathname === "/api/dashboards/db") return this.saveDashboard(org, input);
    if (method === "GET" && pathname === "/api/search") {
      const tag = searchParams.get("tag");
      const hits = [...org.dashboards.values()].filter(({ dashboard }) => tag === null || ((dashboard.tags as string[] | undefined) ?? []).includes(tag));
      return [200, hits.map(({ dashboard, folderUid }) => ({ uid: dashboard.uid, title: dashboard.title, tags: dashboard.tags, folderUid, type: "dash-db" }))];
    }
    const dashboardUid = uidPath("/api/dashboards/uid/");
    if (method === "DELETE" && dashboardUid !== undefined) {
      return org.dashboards.delete(dashboardUid) ? [200, { message: "Dashboard deleted" }] : [404, { message: "Dashboard not found" }];
    }
    this.unknown.push(`${method} ${url}`);
    return [501, { message: `not in the model: ${method} ${pathname}` }];
  }

  private dataSource(org: Org, method: string, uid: string, input: Json): [number, unknown] {
    const current = org.dataSources.get(uid);
    if (method === "GET") return current ? [200, current] : [404, { message: "Data source not found" }];
    if (method === "DELETE") return org.dataSources.delete(uid) ? [200, { message: "Data source deleted" }] : [404, { message: "Data source not found" }];
    if (method !== "PUT") return [501, { message: `not in the model: ${method} data source` }];
    const { secureJsonData, ...stored } = input;
    if (secureJsonData) org.secure.set(uid, secureJsonData as Json);
    const secureJsonFields = Object.fromEntries(Object.keys(org.secure.get(uid) ?? {}).map((key) => [key, true]));
    org.dataSources.set(uid, { ...stored, uid, orgId: org.id, secureJsonFields });
    return [200, { message: "Datasource updated", datasource: org.dataSources.get(uid) }];
  }

  private saveDashboard(org: Org, input: Json): [number, unknown] {
    const dashboard = input.dashboard as Json;
    const uid = String(dashboard.uid);
    const folderUid = typeof input.folderUid === "string" ? input.folderUid : "";
    if (folderUid && !org.folders.has(folderUid)) return [400, { message: "folder not found" }];
    const existing = org.dashboards.get(uid);
    // A dashboard id is per Grafana database: one from another organisation is not found.
    if (dashboard.id !== null && dashboard.id !== undefined && existing?.id !== dashboard.id) return [404, { message: "Dashboard not found" }];
    if (existing && input.overwrite !== true) return [412, { message: "A dashboard with the same uid already exists", status: "name-exists" }];
    const id = existing?.id ?? this.nextDashboardId++;
    org.dashboards.set(uid, { dashboard: { ...dashboard, id }, folderUid, id });
    return [200, { id, uid, status: "success", version: 1 }];
  }
}
