// Logs per team (issue 15): which lines an X-Scope-OrgID header reads from the platform's Loki,
// with the platform's tenancy settings read from the merged values (auth_enabled, querier).
// Real: the tenant resolution, by the code Loki runs for it, from github.com/grafana/dskit at the
// version Loki 3.7.8 requires (.tools/bin/loki-tenant, test/tools/loki-tenant): the auth
// middleware Loki puts in front of its routes when auth_enabled is true, tenant.TenantIDs (its
// multi-tenant querier) and tenant.TenantID (its push handler, its single-tenant querier).
// A model: Loki's store, lines kept under the tenant their push resolved to and a query answered
// from the streams of the tenants its header resolves to, whatever its selector says. Loki
// itself (github.com/grafana/loki/v3) is not run: that module is under the AGPL and this
// machine's package rules forbid it.
// Lines are pushed as Alloy's stage.tenant sends them (tenant = the pod's namespace; Alloy's
// config is asserted in log-tenancy.test.ts) and read with the headers Grafana sends: a team's
// organisation (its namespaces joined by '|', team-sync.py) and the main organisation (the
// values' data source).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PLATFORM_NAMESPACES } from "../../bootstrap/handoff/handoff";
import { applicationsFor, REPO_ROOT, type Doc } from "./platform";
import { at, helmValues } from "./values";

const LOKI_TENANT = path.join(process.env.HOLODECK_TOOLS ?? path.join(REPO_ROOT, ".tools"), "bin", "loki-tenant");
const TEAM_A = ["a-web", "a-api"];
const TEAM_B = ["b-shop"];
/** What team-sync.py gives a team with no namespace yet: a tenant no namespace can be. */
const NO_NAMESPACE = "_no-namespace_";

const lokiApp = applicationsFor("production").find((a) => a.metadata.name === "loki");
const grafanaApp = applicationsFor("production").find((a) => a.metadata.name === "grafana");
const values = (at(helmValues(lokiApp ?? fail("no Application loki")), "loki") ?? {}) as Doc;
const grafanaSources = at(helmValues(grafanaApp ?? fail("no Application grafana")), "datasources", "datasources.yaml", "datasources") as Doc[];
/** The main organisation's header, as the platform's Grafana values write it. */
const MAIN_ORG_TENANTS = String(at(grafanaSources.find((s) => s.uid === "loki") ?? {}, "secureJsonData", "httpHeaderValue1"));

function fail(message: string): never {
  throw new Error(message);
}

/** What dskit makes of one request's X-Scope-OrgID (loki-tenant's output line). */
interface Resolution {
  /** 401 when the auth middleware refuses the request, else 200. */
  status: number;
  error?: string;
  tenants?: string[];
  tenantsError?: string;
  tenant?: string;
  tenantError?: string;
}

/** Resolves each header (undefined: none sent) with dskit, in one run of loki-tenant. */
function resolveAll(headers: Array<string | undefined>): Resolution[] {
  const input = headers.map((h) => JSON.stringify(h ?? null)).join("\n") + "\n";
  const run = spawnSync(LOKI_TENANT, [], { input, encoding: "utf8" });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`loki-tenant failed: ${run.stderr}`);
  return run.stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Resolution);
}
const resolve = (header: string | undefined): Resolution => resolveAll([header])[0];

interface Stream {
  labels: Record<string, string>;
  line: string;
}
/** A query: equality matchers on labels and an optional line filter (|= "..."). */
interface Query {
  labels?: Record<string, string>;
  contains?: string;
}

/** The model of Loki's store: streams keyed by the tenant their push resolved to. */
class LokiStore {
  private readonly byTenant = new Map<string, Stream[]>();

  constructor(private readonly multiTenantQueries: boolean) {}

  /** A push, as Loki's push handler takes it: one tenant (tenant.TenantID) or a refusal. */
  push(header: string | undefined, stream: Stream): string {
    const resolved = resolve(header);
    if (resolved.status !== 200) return `${resolved.status} ${resolved.error}`;
    if (resolved.tenant === undefined) return `400 ${resolved.tenantError}`;
    this.byTenant.set(resolved.tenant, [...(this.byTenant.get(resolved.tenant) ?? []), stream]);
    return "204";
  }

  /** The lines a query reads (sorted), or the refusal: only its tenants' streams are searched. */
  read(header: string | undefined, query: Query = {}): string[] | string {
    const resolved = resolve(header);
    if (resolved.status !== 200) return `${resolved.status} ${resolved.error}`;
    const tenants = this.multiTenantQueries ? resolved.tenants : resolved.tenant === undefined ? undefined : [resolved.tenant];
    if (tenants === undefined) return `refused: ${this.multiTenantQueries ? resolved.tenantsError : resolved.tenantError}`;
    const matches = (s: Stream) =>
      Object.entries(query.labels ?? {}).every(([name, value]) => s.labels[name] === value) &&
      (query.contains === undefined || s.line.includes(query.contains));
    return tenants
      .flatMap((t) => this.byTenant.get(t) ?? [])
      .filter(matches)
      .map((s) => s.line)
      .sort();
  }
}

/** One line from a pod of `namespace`, labelled as Alloy labels it. */
const lineFrom = (namespace: string): Stream => ({
  labels: { namespace, pod: `${namespace}-0`, container: "app", app: namespace, cluster: "holodeck-production-eu-central-1", environment: "production" },
  line: `line from ${namespace}`,
});

let loki: LokiStore;

beforeAll(() => {
  if (!fs.existsSync(LOKI_TENANT)) throw new Error(`${LOKI_TENANT} is missing: run \`npm run tools\` (scripts/install/loki-tenant.sh)`);
  loki = new LokiStore(at(values, "querier", "multi_tenant_queries_enabled") === true);
  // Alloy pushes each pod's lines with its namespace as the tenant.
  for (const namespace of [...TEAM_A, ...TEAM_B, "vault", "argocd"]) expect(loki.push(namespace, lineFrom(namespace))).toBe("204");
});

describe("the platform's Loki tenancy: dskit's tenant resolution over a model of Loki's store", () => {
  it("runs with tenants enforced and multi-tenant queries (the platform's values)", () => {
    expect(values.auth_enabled).toBe(true);
    expect(values.querier).toEqual({ multi_tenant_queries_enabled: true });
  });

  it("a team's organisation reads its own namespaces' lines, all of them, and nothing else", () => {
    expect(resolve(TEAM_A.join("|"))).toEqual({ status: 200, tenants: ["a-api", "a-web"], tenantError: "multiple org IDs present" });
    expect(loki.read(TEAM_A.join("|"))).toEqual(["line from a-api", "line from a-web"]);
    expect(loki.read(TEAM_B.join("|"))).toEqual(["line from b-shop"]);
  });

  it("without multi-tenant queries a team of two namespaces would read nothing: Loki refuses its header", () => {
    expect(new LokiStore(false).read(TEAM_A.join("|"))).toBe("refused: multiple org IDs present");
  });

  it("asking for another team's namespace by label gives nothing: the tenant decides, not the query", () => {
    expect(loki.read(TEAM_A.join("|"), { labels: { namespace: "b-shop" } })).toEqual([]);
    expect(loki.read(TEAM_A.join("|"), { contains: "vault" })).toEqual([]);
  });

  it("the main organisation (platform admins) reads the platform namespaces, no team's", () => {
    expect(MAIN_ORG_TENANTS).toBe(PLATFORM_NAMESPACES.join("|"));
    expect(resolve(MAIN_ORG_TENANTS).tenants).toEqual([...PLATFORM_NAMESPACES].sort());
    expect(loki.read(MAIN_ORG_TENANTS)).toEqual(["line from argocd", "line from vault"]);
  });

  it("a team with no namespace yet reads nothing", () => {
    expect(resolve(NO_NAMESPACE)).toEqual({ status: 200, tenants: [NO_NAMESPACE], tenant: NO_NAMESPACE });
    expect(loki.read(NO_NAMESPACE)).toEqual([]);
  });

  it("refuses a query or a push without a tenant", () => {
    expect(loki.read(undefined)).toBe("401 no org id");
    expect(loki.read("")).toBe("401 no org id");
    expect(loki.push(undefined, lineFrom("a-web"))).toBe("401 no org id");
  });

  it("refuses a header naming a path instead of tenants", () => {
    expect(resolveAll(["a-web|../b-shop", "..", "a-web/x"])).toEqual([
      { status: 200, tenantsError: "tenant ID '../b-shop' contains unsupported character '/'", tenantError: "multiple org IDs present" },
      { status: 200, tenantsError: "tenant ID is '.' or '..'", tenantError: "tenant ID is '.' or '..'" },
      {
        status: 200,
        tenantsError: "tenant ID 'a-web/x' contains unsupported character '/'",
        tenantError: "tenant ID 'a-web/x' contains unsupported character '/'",
      },
    ]);
    expect(loki.read("a-web|../b-shop")).toBe("refused: tenant ID '../b-shop' contains unsupported character '/'");
    expect(loki.push("../b-shop", lineFrom("a-web"))).toBe("400 tenant ID '../b-shop' contains unsupported character '/'");
  });
});
