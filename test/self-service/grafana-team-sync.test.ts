// platform-apps/manifests/grafana/team-sync.py, run for real (python3) with its CronJob's
// environment against models of the Grafana and Kubernetes APIs (fake-grafana.ts, fake-kube.ts:
// neither server can be run here in the suite's time): one organisation per team whose Loki
// reads only the team's namespaces, the org mapping Secret, Grafana's restart, dashboards copied
// and pruned, and a removed team's organisation emptied of data sources.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeCall } from "./fake-kube";
import {
  ADMIN_GROUPS,
  CRONJOB_ENV,
  dashboardConfigMap,
  DEPLOYMENT,
  MAPPING_KEY,
  MAPPING_SECRET,
  NAMESPACE,
  type Run,
  SECRET_ENV,
  SyncHarness,
  teamConfigMap,
} from "./grafana-team-sync-run";

const TEAM_A = { team: "a", ssoGroups: ["holodeck-team-a", "Team A Oncall"], namespaces: ["a-web", "a-api"] };
const TEAM_B = { team: "b", ssoGroups: ["corp:team-b"], namespaces: ["b-shop"] };
const SYNC_TAG = "holodeck-team-sync";
const SECRET_PATH = `/api/v1/namespaces/${NAMESPACE}/secrets/${MAPPING_SECRET}`;
const DEPLOYMENT_PATH = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${DEPLOYMENT}`;
const MAPPING_ANNOTATION = "holodeck.dev/org-mapping-sha256";
const CREATED_ANNOTATION = "holodeck.dev/orgs-created-at";
// Python's json.dumps of the entries: admin groups first, then teams sorted, groups in file order; ':' escaped.
const MAPPING =
  '["holodeck-platform-admins:*:Admin", "sre\\\\:oncall:*:Admin", "holodeck-team-a:team-a:Viewer", "Team A Oncall:team-a:Viewer", "corp\\\\:team-b:team-b:Viewer"]';
const MAPPING_WITHOUT_B = '["holodeck-platform-admins:*:Admin", "sre\\\\:oncall:*:Admin", "holodeck-team-a:team-a:Viewer", "Team A Oncall:team-a:Viewer"]';

const dashboard = (uid: string, title: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ uid, title, ...extra });
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

const h = new SyncHarness([...TEAM_A.namespaces, ...TEAM_B.namespaces]);
let kubeSeen = 0;
let grafanaSeen = 0;
/** The calls of the last run only. */
let kubeCalls: KubeCall[] = [];
let grafanaCalls: typeof h.grafana.calls = [];

/** One run; every call of it known to both models. */
async function sync(): Promise<Run> {
  const run = await h.run();
  kubeCalls = h.kube.calls.slice(kubeSeen);
  grafanaCalls = h.grafana.calls.slice(grafanaSeen);
  kubeSeen = h.kube.calls.length;
  grafanaSeen = h.grafana.calls.length;
  expect(h.kube.unknown).toEqual([]);
  expect(h.grafana.unknown).toEqual([]);
  return run;
}

const org = (name: string) => {
  const found = h.grafana.orgNamed(name);
  if (!found) throw new Error(`no organisation ${name}`);
  return found;
};
const templateAnnotations = (deployment: unknown): Record<string, string> =>
  (deployment as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations;
const patches = (path: string): KubeCall[] => kubeCalls.filter((c) => c.method === "PATCH" && c.path === path);

beforeAll(async () => {
  await h.start();
  // Grafana's own provisioned data source in the Main org: the sync must leave it alone.
  h.grafana.orgs.get(1)?.dataSources.set("loki", { uid: "loki", name: "Loki", url: CRONJOB_ENV.LOKI_URL });
  h.kube.putConfigMap(teamConfigMap(TEAM_A.team, TEAM_A.ssoGroups, TEAM_A.namespaces));
  h.kube.putConfigMap(teamConfigMap(TEAM_B.team, TEAM_B.ssoGroups, TEAM_B.namespaces));
  h.kube.putConfigMap(dashboardConfigMap("a-web", "web-dashboards", { "web.json": dashboard("a-web", "Web", { id: 42, tags: ["service"] }) }));
  h.kube.putConfigMap(dashboardConfigMap("a-api", "api-dashboards", { "api.json": dashboard("a-api", "API") }));
  h.kube.putConfigMap(dashboardConfigMap("a-web", "not-a-dashboard", { "x.json": dashboard("stray", "Stray") }, { grafana_dashboard: "0" }));
  // Team b's namespace holds a dashboard with team a's uid: it lands in team b's organisation only.
  h.kube.putConfigMap(dashboardConfigMap("b-shop", "shop-dashboards", { "shop.json": dashboard("b-shop", "Shop"), "web.json": dashboard("a-web", "Not A's") }));
});

afterAll(async () => {
  await h.stop();
});

it("runs with the CronJob's env: only the Secret-sourced values are the test's own", () => {
  expect(SECRET_ENV).toEqual(["PLATFORM_ADMIN_GROUPS", "GRAFANA_USER", "GRAFANA_PASSWORD"]);
  expect(CRONJOB_ENV.KUBERNETES_CA_FILE).toBe("/var/run/kube-api/ca.crt");
});

describe("first run: two teams", () => {
  let first: Run;
  let started: number;
  beforeAll(async () => {
    started = Math.floor(Date.now() / 1000) * 1000;
    first = await sync();
  });

  it("exits 0, creating organisations team-a and team-b and reading only what its Role allows", () => {
    expect(first.code, first.stderr).toBe(0);
    expect([...h.grafana.orgs.values()].map((o) => [o.id, o.name])).toEqual([
      [1, "Main Org."],
      [2, "team-a"],
      [3, "team-b"],
    ]);
    // urllib.parse.quote keeps '/' as is.
    const dashboards = "labelSelector=grafana_dashboard%3D1";
    expect(kubeCalls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      `GET /api/v1/namespaces/${NAMESPACE}/configmaps?labelSelector=holodeck.dev/grafana-team%3Dtrue 200`,
      `GET /api/v1/namespaces/a-web/configmaps?${dashboards} 200`,
      `GET /api/v1/namespaces/a-api/configmaps?${dashboards} 200`,
      `GET /api/v1/namespaces/b-shop/configmaps?${dashboards} 200`,
      `GET ${SECRET_PATH} 200`,
      `PATCH ${SECRET_PATH} 200`,
      `PATCH ${DEPLOYMENT_PATH} 200`,
    ]);
  });

  it("gives each organisation Loki and Prometheus reading exactly its team's namespaces, and Jaeger, at the CronJob's addresses", () => {
    for (const [name, id, tenants, namespaces] of [
      ["team-a", 2, "a-web|a-api", "a-web,a-api"],
      ["team-b", 3, "b-shop", "b-shop"],
    ] as const) {
      const sources = org(name).dataSources;
      expect([...sources.keys()]).toEqual(["prometheus", "loki", "jaeger"]);
      expect(sources.get("loki")).toEqual({
        name: "Loki",
        uid: "loki",
        type: "loki",
        access: "proxy",
        url: CRONJOB_ENV.LOKI_URL,
        jsonData: { httpHeaderName1: "X-Scope-OrgID" },
        orgId: id,
        secureJsonFields: { httpHeaderValue1: true },
      });
      expect(org(name).secure.get("loki")).toEqual({ httpHeaderValue1: tenants });
      // prom-label-proxy (manifests/grafana/prom-label-proxy.yaml: -header-name, -header-uses-list-syntax).
      expect(sources.get("prometheus")).toEqual({
        name: "Prometheus",
        uid: "prometheus",
        type: "prometheus",
        access: "proxy",
        url: "http://prom-label-proxy.monitoring.svc:8080",
        isDefault: true,
        jsonData: { httpHeaderName1: "X-Holodeck-Namespaces" },
        orgId: id,
        secureJsonFields: { httpHeaderValue1: true },
      });
      expect(org(name).secure.get("prometheus")).toEqual({ httpHeaderValue1: namespaces });
      expect(sources.get("jaeger")?.url).toBe("http://jaeger-collector.observability.svc:16686");
      expect(sources.get("jaeger")?.jsonData).toEqual({ tracesToLogsV2: { datasourceUid: "loki", filterByTraceID: true } });
    }
  });

  it("leaves the Main org alone: only the organisation list and creation act there", () => {
    expect(new Set(grafanaCalls.filter((c) => c.orgId === 1).map((c) => `${c.method} ${c.path}`))).toEqual(
      new Set(["GET /api/orgs?perpage=1000", "POST /api/orgs"]),
    );
    expect([...(h.grafana.orgs.get(1)?.dataSources.keys() ?? [])]).toEqual(["loki"]);
    expect(h.grafana.orgs.get(1)?.dashboards.size).toBe(0);
  });

  it("writes the org mapping: admin groups first, then the teams sorted, groups in file order, ':' escaped", () => {
    expect(h.mapping()).toBe(MAPPING);
    expect(JSON.parse(h.mapping())).toEqual([
      "holodeck-platform-admins:*:Admin",
      "sre\\:oncall:*:Admin",
      "holodeck-team-a:team-a:Viewer",
      "Team A Oncall:team-a:Viewer",
      "corp\\:team-b:team-b:Viewer",
    ]);
    expect(ADMIN_GROUPS).toEqual(["holodeck-platform-admins", "sre:oncall"]);
    expect(patches(SECRET_PATH).map((c) => [c.contentType, c.body])).toEqual([
      ["application/merge-patch+json", { data: { [MAPPING_KEY]: Buffer.from(MAPPING).toString("base64") } }],
    ]);
  });

  it("restarts Grafana: the pod template gets the mapping's sha256 and the creation time, its other annotations kept", () => {
    const [patch] = patches(DEPLOYMENT_PATH);
    expect(patch.contentType).toBe("application/merge-patch+json");
    const annotations = templateAnnotations(patch.body);
    expect(Object.keys(annotations)).toEqual([MAPPING_ANNOTATION, CREATED_ANNOTATION]);
    expect(annotations[MAPPING_ANNOTATION]).toBe(sha256(MAPPING));
    expect(annotations[CREATED_ANNOTATION]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const created = Date.parse(annotations[CREATED_ANNOTATION]);
    expect(created >= started && created <= Date.now()).toBe(true);
    expect(templateAnnotations(h.kube.deployments.get(`${NAMESPACE}/${DEPLOYMENT}`))).toEqual({ "checksum/config": "abc", ...annotations });
  });

  it("copies each team's dashboards into its own organisation only, a folder per namespace, id reset, tag added", () => {
    const a = org("team-a");
    expect([...a.dashboards.keys()].sort()).toEqual(["a-api", "a-web"]);
    expect([...a.folders.entries()]).toEqual([
      ["ns-a-web", "a-web"],
      ["ns-a-api", "a-api"],
    ]);
    const web = a.dashboards.get("a-web");
    expect(web?.folderUid).toBe("ns-a-web");
    expect(web?.dashboard.title).toBe("Web");
    expect(web?.dashboard.tags).toEqual(["holodeck-team-sync", "service"]);
    // Saved with id null (the source's 42 would be another dashboard's): Grafana gave it the first id.
    expect(web?.id).toBe(1);
    expect(web?.dashboard.id).toBe(1);
    expect(a.dashboards.get("a-api")).toMatchObject({ folderUid: "ns-a-api", dashboard: { title: "API", tags: [SYNC_TAG] } });
    const b = org("team-b");
    expect([...b.dashboards.keys()].sort()).toEqual(["a-web", "b-shop"]);
    expect(b.dashboards.get("a-web")?.dashboard.title).toBe("Not A's");
    expect([...b.folders.keys()]).toEqual(["ns-b-shop"]);
  });
});

describe("second run, nothing changed", () => {
  let second: Run;
  beforeAll(async () => {
    second = await sync();
  });

  it("exits 0, creates no organisation, patches neither the Secret nor the Deployment", () => {
    expect(second.code, second.stderr).toBe(0);
    expect(grafanaCalls.filter((c) => c.method === "POST" && c.path === "/api/orgs")).toEqual([]);
    expect(kubeCalls.filter((c) => c.method !== "GET")).toEqual([]);
    expect(h.mapping()).toBe(MAPPING);
    expect(org("team-a").dashboards.get("a-web")?.dashboard.title).toBe("Web");
  });
});

describe("a dashboard ConfigMap removed", () => {
  beforeAll(async () => {
    // A dashboard made in Grafana (not tagged by the sync) must survive the pruning.
    org("team-a").dashboards.set("handmade", { dashboard: { uid: "handmade", title: "Mine", tags: ["mine"] }, folderUid: "", id: 900 });
    h.kube.deleteConfigMap("a-web", "web-dashboards");
    expect((await sync()).code).toBe(0);
  });

  it("prunes its copy in the team's organisation and nothing else", () => {
    expect([...org("team-a").dashboards.keys()].sort()).toEqual(["a-api", "handmade"]);
    expect(grafanaCalls.filter((c) => c.method === "DELETE").map((c) => [c.orgId, c.path])).toEqual([[2, "/api/dashboards/uid/a-web"]]);
    expect([...org("team-b").dashboards.keys()].sort()).toEqual(["a-web", "b-shop"]);
  });
});

describe("a team removed", () => {
  let run: Run;
  beforeAll(async () => {
    h.kube.deleteConfigMap(NAMESPACE, "grafana-team-b");
    run = await sync();
  });

  it("keeps its organisation and dashboards but deletes its data sources", () => {
    expect(run.code, run.stderr).toBe(0);
    expect(org("team-b").id).toBe(3);
    expect(org("team-b").dataSources.size).toBe(0);
    expect([...org("team-b").dashboards.keys()].sort()).toEqual(["a-web", "b-shop"]);
    expect(grafanaCalls.filter((c) => c.orgId === 3).map((c) => `${c.method} ${c.path}`)).toEqual(
      ["loki", "prometheus", "jaeger"].flatMap((uid) => [`GET /api/datasources/uid/${uid}`, `DELETE /api/datasources/uid/${uid}`]),
    );
    expect(run.stdout).toContain("grafana-team-sync: kept organisation team-b (no team file): no data source, no member but the platform admins\n");
    expect(org("team-a").dataSources.size).toBe(3);
  });

  it("drops its groups from the mapping and restarts Grafana with the new mapping's sha256 only", () => {
    expect(h.mapping()).toBe(MAPPING_WITHOUT_B);
    expect(patches(SECRET_PATH).map((c) => c.body)).toEqual([{ data: { [MAPPING_KEY]: Buffer.from(MAPPING_WITHOUT_B).toString("base64") } }]);
    expect(patches(DEPLOYMENT_PATH).map((c) => c.body)).toEqual([
      { spec: { template: { metadata: { annotations: { [MAPPING_ANNOTATION]: sha256(MAPPING_WITHOUT_B) } } } } },
    ]);
  });
});
