// platform-apps/manifests/grafana/team-sync.py on bad or hostile input (see
// grafana-team-sync.test.ts for the models): a wrong team ConfigMap stops the run before any
// change; a wrong dashboard or an unreadable namespace is reported and skipped while the rest is
// synced; each exits 1 naming the ConfigMap and key. Without platform admin groups it writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardConfigMap, NAMESPACE, type Run, SyncHarness, teamConfigMap } from "./grafana-team-sync-run";

const FORBIDDEN = "d-secret";
const forbidden = (namespace: string): string =>
  JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `configmaps is forbidden: User "system:serviceaccount:monitoring:grafana-team-sync" cannot list resource "configmaps" in API group "" in the namespace "${namespace}"`,
    reason: "Forbidden",
    details: { kind: "configmaps" },
    code: 403,
  });

describe("bad and hostile team ConfigMaps", () => {
  const h = new SyncHarness(["a-web", "b-web"]);
  let run: Run;
  beforeAll(async () => {
    await h.start();
    h.kube.putConfigMap(teamConfigMap("a", ["holodeck-team-a"], ["a-web"]));
    // Sorted after a: each claims one of a's.
    h.kube.putConfigMap(teamConfigMap("b", ["holodeck-team-b", "holodeck-team-a"], ["b-web"]));
    h.kube.putConfigMap(teamConfigMap("c", ["holodeck-team-c"], ["a-web"]));
    h.kube.putConfigMap({
      metadata: { name: "grafana-team-e", namespace: NAMESPACE, labels: { "holodeck.dev/grafana-team": "true" } },
      data: { "team.json": "[]" },
    });
    // Named for team x but claiming team y: refused.
    h.kube.putConfigMap(teamConfigMap("y", ["holodeck-team-y"], ["y-web"], "grafana-team-x"));
    run = await h.run();
  });
  afterAll(async () => {
    await h.stop();
  });

  it("exits 1 naming every fault with its ConfigMap and key, every call known to both models", () => {
    expect(run.code).toBe(1);
    expect(h.kube.unknown).toEqual([]);
    expect(h.grafana.unknown).toEqual([]);
    const where = (name: string): string => `grafana-team-sync: ConfigMap ${NAMESPACE}/${name} key team.json`;
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      `${where("grafana-team-b")}: SSO group 'holodeck-team-a' is also in team 'a'; each belongs to one team`,
      `${where("grafana-team-c")}: namespace 'a-web' is also in team 'a'; each belongs to one team`,
      `${where("grafana-team-e")}: must be a JSON object`,
      `${where("grafana-team-x")}: team 'y' must be a DNS label and the ConfigMap named grafana-team-<team>`,
      "grafana-team-sync: nothing changed",
    ]);
  });

  it("changes nothing: a clashing newcomer can never take a team's access away", () => {
    expect(h.kube.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /api/v1/namespaces/${NAMESPACE}/configmaps?labelSelector=holodeck.dev/grafana-team%3Dtrue`,
    ]);
    expect(h.grafana.calls).toEqual([]);
    expect(h.mapping()).toBe("");
  });
});

describe("bad dashboards and an unreadable namespace", () => {
  // No RoleBinding in FORBIDDEN: listing its ConfigMaps is refused.
  const h = new SyncHarness(["a-web", "d-web"]);
  let run: Run;
  beforeAll(async () => {
    await h.start();
    h.kube.putConfigMap(teamConfigMap("a", ["holodeck-team-a"], ["a-web"]));
    h.kube.putConfigMap(teamConfigMap("d", ["holodeck-team-d"], [FORBIDDEN, "d-web"]));
    h.kube.putConfigMap(
      dashboardConfigMap("a-web", "dashboards", {
        "bad.json": "{not json",
        "good.json": JSON.stringify({ uid: "a-good", title: "Good" }),
        "no-uid.json": JSON.stringify({ title: "No uid" }),
        "tags.json": JSON.stringify({ uid: "a-tags", title: "Tags", tags: [1, "x"] }),
      }),
    );
    h.kube.putConfigMap(dashboardConfigMap("a-web", "more-dashboards", { "other.json": JSON.stringify({ uid: "a-other", title: "Other" }) }));
    h.kube.putConfigMap(dashboardConfigMap("d-web", "dashboards", { "d.json": JSON.stringify({ uid: "d-web", title: "D" }) }));
    // A copy team d made earlier: its namespace cannot be read now, so it must not look removed.
    const org = h.grafana.addOrg("team-d");
    org.folders.set(`ns-${FORBIDDEN}`, FORBIDDEN);
    org.dashboards.set("d-old", { dashboard: { uid: "d-old", title: "Old", tags: ["holodeck-team-sync"] }, folderUid: `ns-${FORBIDDEN}`, id: 99 });
    run = await h.run();
  });
  afterAll(async () => {
    await h.stop();
  });

  it("exits 1 naming each bad dashboard and the refused namespace, every call known to both models", () => {
    expect(run.code).toBe(1);
    expect(h.kube.unknown).toEqual([]);
    expect(h.grafana.unknown).toEqual([]);
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      "grafana-team-sync: team a: ConfigMap a-web/dashboards key bad.json: not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
      "grafana-team-sync: team a: ConfigMap a-web/dashboards key no-uid.json: a dashboard needs a uid",
      "grafana-team-sync: team a: ConfigMap a-web/dashboards key tags.json: tags must be a list of strings",
      `grafana-team-sync: team d: dashboards of ${FORBIDDEN}: GET /api/v1/namespaces/${FORBIDDEN}/configmaps?labelSelector=grafana_dashboard%3D1: HTTP 403 ${forbidden(FORBIDDEN)}`,
    ]);
  });

  it("syncs both teams' organisations and the mapping", () => {
    expect([...h.grafana.orgs.values()].map((o) => o.name)).toEqual(["Main Org.", "team-d", "team-a"]);
    expect(h.grafana.orgNamed("team-a")?.secure.get("loki")).toEqual({ httpHeaderValue1: "a-web" });
    expect(h.grafana.orgNamed("team-d")?.secure.get("loki")).toEqual({ httpHeaderValue1: `${FORBIDDEN}|d-web` });
    expect(h.mapping()).toBe(
      '["holodeck-platform-admins:*:Admin", "sre\\\\:oncall:*:Admin", "holodeck-team-a:team-a:Viewer", "holodeck-team-d:team-d:Viewer"]',
    );
  });

  it("copies the good dashboards next to the bad ones and those of the readable namespace; keeps the unreadable one's copies", () => {
    expect([...(h.grafana.orgNamed("team-a")?.dashboards.keys() ?? [])].sort()).toEqual(["a-good", "a-other"]);
    expect([...(h.grafana.orgNamed("team-d")?.dashboards.keys() ?? [])].sort()).toEqual(["d-old", "d-web"]);
  });
});

describe("platform admin groups missing", () => {
  const h = new SyncHarness([]);
  beforeAll(async () => {
    await h.start();
    h.kube.putConfigMap(teamConfigMap("a", ["holodeck-team-a"], ["a-web"]));
  });
  afterAll(async () => {
    await h.stop();
  });

  it.each([
    [undefined, "grafana-team-sync: environment variable PLATFORM_ADMIN_GROUPS is required"],
    ["", "grafana-team-sync: environment variable PLATFORM_ADMIN_GROUPS is required"],
    ["[]", "grafana-team-sync: PLATFORM_ADMIN_GROUPS must be a non-empty JSON list of group names"],
    ['[""]', "grafana-team-sync: PLATFORM_ADMIN_GROUPS must be a non-empty JSON list of group names"],
    ["holodeck-platform-admins", "grafana-team-sync: PLATFORM_ADMIN_GROUPS must be a non-empty JSON list of group names"],
  ])("PLATFORM_ADMIN_GROUPS=%j: exits 1 with that message before any call to Grafana or Kubernetes", async (value, message) => {
    const run = await h.run({ PLATFORM_ADMIN_GROUPS: value });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`${message}\n`);
    expect(h.grafana.calls).toEqual([]);
    expect(h.kube.calls).toEqual([]);
    expect(h.mapping()).toBe("");
  });
});
