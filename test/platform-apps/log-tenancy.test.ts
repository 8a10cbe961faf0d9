// Logs per team (issue 15): Loki's tenants are namespaces, Grafana's main organisation reads the
// platform's, each team's organisation (kept by the Grafana team sync) its own, and only the
// platform's clients reach Loki. Read from the merged Helm values and manifests each environment's
// Applications apply, and from the team chart rendered with the example team file.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PLATFORM_NAMESPACES } from "../../bootstrap/handoff/handoff";
import { TEAM_CHART_PATH } from "../../bootstrap/handoff/teams-appset";
import { IMAGES } from "../../bootstrap/versions";
import { ENVIRONMENTS, type Environment } from "../../model/environment";
import { findObject, helmTemplate, type K8sObject } from "../harness/helm";
import { applicationsFor, isPlatformRepo, manifestsOf, PLATFORM_DIR, REPO_ROOT, type Application, type Doc } from "./platform";
import { at, helmValues } from "./values";

const app = (environment: Environment, name: string): Application => {
  const found = applicationsFor(environment).find((a) => a.metadata.name === name);
  if (!found) throw new Error(`no Application ${name} in ${environment}`);
  return found;
};
const manifests = (environment: Environment, name: string): Doc[] =>
  app(environment, name)
    .spec.sources.filter(isPlatformRepo)
    .flatMap((s) => manifestsOf(s, name));
const named = (docs: Doc[], kind: string, name: string): Doc => {
  const found = docs.filter((d) => d.kind === kind && (d.metadata as { name: string }).name === name);
  if (found.length !== 1) throw new Error(`${found.length} ${kind}/${name}`);
  return found[0];
};
type Container = { image: string; env: Array<{ name: string; value?: string; valueFrom?: Doc }>; volumeMounts: Doc[] };

describe.each(ENVIRONMENTS)("logs per namespace in %s", (environment) => {
  it("Loki requires a tenant and lets one query read several (a team's namespaces)", () => {
    const loki = at(helmValues(app(environment, "loki")), "loki") as Doc;
    expect(loki.auth_enabled).toBe(true);
    expect(loki.querier).toEqual({ multi_tenant_queries_enabled: true });
  });

  it("Alloy sends each line to the tenant of its pod's namespace", () => {
    const config = String(at(helmValues(app(environment, "alloy")), "alloy", "configMap", "content"));
    expect(config).toContain(
      'loki.process "cluster" {\n  // Loki\'s tenant is the namespace: a team\'s Grafana organisation reads its own only.\n  stage.tenant {\n    label = "namespace"\n  }\n',
    );
    // The label it reads is the pod's namespace, from discovery (never a pod label a team sets).
    expect(config).toContain('source_labels = ["__meta_kubernetes_namespace"]\n    target_label  = "namespace"');
  });

  it("only Loki's own pods, Alloy, Grafana and Prometheus may reach Loki", () => {
    const policy = named(manifests(environment, "loki"), "NetworkPolicy", "loki-platform-clients-only");
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { podSelector: {} },
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
              podSelector: { matchLabels: { "app.kubernetes.io/name": "alloy" } },
            },
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
              podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["grafana", "prometheus"] }] },
            },
          ],
        },
      ],
    });
    expect(app(environment, "alloy").spec.destination.namespace).toBe("observability");
    expect(app(environment, "grafana").spec.destination.namespace).toBe("monitoring");
  });

  it("Grafana's main organisation reads the platform namespaces' logs, exactly", () => {
    const sources = at(helmValues(app(environment, "grafana")), "datasources", "datasources.yaml", "datasources") as Doc[];
    const loki = sources.find((s) => s.uid === "loki");
    expect(loki?.jsonData).toEqual({ httpHeaderName1: "X-Scope-OrgID" });
    expect(loki?.secureJsonData).toEqual({ httpHeaderValue1: PLATFORM_NAMESPACES.join("|") });
  });

  it("Grafana maps SSO groups to organisations with the team sync's mapping, re-read at most a day later", () => {
    const values = helmValues(app(environment, "grafana"));
    expect(at(values, "envFromSecrets")).toEqual([{ name: "grafana-org-mapping", optional: true }]);
    expect(at(values, "grafana.ini", "auth.generic_oauth", "org_attribute_path")).toBe("groups");
    expect(at(values, "grafana.ini", "auth", "login_maximum_lifetime_duration")).toBe("1d");
    expect(at(values, "grafana.ini", "users", "viewers_can_edit")).toBe(true);
  });
});

describe("the Grafana team sync's manifests", () => {
  let docs: Doc[];
  let container: Container;
  beforeAll(() => {
    docs = manifests("production", "grafana");
    const cronJob = named(docs, "CronJob", "grafana-team-sync");
    container = (at(cronJob, "spec", "jobTemplate", "spec", "template", "spec", "containers") as Container[])[0];
  });

  it("runs the tested script: the generated ConfigMap holds team-sync.py and is the one mounted", () => {
    const script = docs.find((d) => d.kind === "ConfigMap" && String((d.metadata as { name: string }).name).startsWith("grafana-team-sync-script-"));
    expect(at(script ?? {}, "data")).toEqual({ "team-sync.py": fs.readFileSync(path.join(PLATFORM_DIR, "manifests", "grafana", "team-sync.py"), "utf8") });
    const volumes = at(named(docs, "CronJob", "grafana-team-sync"), "spec", "jobTemplate", "spec", "template", "spec", "volumes") as Doc[];
    expect(volumes.find((v) => v.name === "script")).toEqual({ name: "script", configMap: { name: (script?.metadata as { name: string }).name } });
    expect(container.image).toBe(IMAGES.python);
  });

  it("gives each team organisation the data sources at the addresses of Grafana's own, Prometheus through prom-label-proxy", () => {
    const sources = at(helmValues(app("production", "grafana")), "datasources", "datasources.yaml", "datasources") as Array<{ type: string; url: string }>;
    const env = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    expect([env.LOKI_URL, env.JAEGER_URL]).toEqual(["loki", "jaeger"].map((type) => sources.find((s) => s.type === type)?.url));
    // A team's Prometheus is prom-label-proxy's Service, which forwards to Grafana's own Prometheus.
    const proxy = named(docs, "Deployment", "prom-label-proxy");
    const args = (at(proxy, "spec", "template", "spec", "containers") as Array<{ args: string[] }>)[0].args;
    expect(env.PROMETHEUS_URL).toBe("http://prom-label-proxy.monitoring.svc:8080");
    expect(at(named(docs, "Service", "prom-label-proxy"), "spec", "ports")).toEqual([{ name: "http", port: 8080, targetPort: "http" }]);
    expect(args).toContain(`-upstream=${sources.find((s) => s.type === "prometheus")?.url}`);
    // The header the sync sets on a team's data source is the one the proxy reads, as a list.
    const script = fs.readFileSync(path.join(PLATFORM_DIR, "manifests", "grafana", "team-sync.py"), "utf8");
    const header = /^PROMETHEUS_HEADER = "([^"]+)"$/m.exec(script)?.[1];
    expect(args.filter((a) => /^-(header-name|header-uses-list-syntax|label)[=]?/.test(a))).toEqual([
      "-label=namespace",
      `-header-name=${header}`,
      "-header-uses-list-syntax",
    ]);
    expect(container.env.filter((e) => e.valueFrom).map((e) => [e.name, e.valueFrom])).toEqual([
      ["PLATFORM_ADMIN_GROUPS", { secretKeyRef: { name: "grafana-oidc", key: "PLATFORM_ADMIN_GROUPS" } }],
      ["GRAFANA_USER", { secretKeyRef: { name: "grafana-admin", key: "admin-user" } }],
      ["GRAFANA_PASSWORD", { secretKeyRef: { name: "grafana-admin", key: "admin-password" } }],
    ]);
  });

  it("may list ConfigMaps, and touch only the mapping Secret and the Grafana Deployment, in monitoring", () => {
    expect(at(named(docs, "Role", "grafana-team-sync"), "rules")).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["list"] },
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["grafana-org-mapping"], verbs: ["get", "patch"] },
      { apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["grafana"], verbs: ["get", "patch"] },
    ]);
    // No data in git: Argo CD never reverts what the sync writes.
    expect(Object.keys(named(docs, "Secret", "grafana-org-mapping"))).toEqual(["apiVersion", "kind", "metadata", "type"]);
  });
});

describe("metrics per team: only Grafana reaches prom-label-proxy, only the platform reaches Prometheus", () => {
  it("prom-label-proxy admits Grafana only", () => {
    expect(at(named(manifests("production", "grafana"), "NetworkPolicy", "prom-label-proxy-grafana-only"), "spec")).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/name": "prom-label-proxy" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } } }], ports: [{ port: "http" }] }],
    });
  });

  it("Prometheus admits monitoring's pods and Kiali, the clients the platform configures", () => {
    const policy = named(manifests("production", "platform-monitoring"), "NetworkPolicy", "prometheus-platform-clients-only");
    expect(at(policy, "metadata", "namespace")).toBe("monitoring");
    expect(at(policy, "spec")).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { podSelector: {} },
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } },
              podSelector: { matchLabels: { "app.kubernetes.io/name": "kiali" } },
            },
          ],
        },
      ],
    });
    expect(app("production", "kiali").spec.destination.namespace).toBe("istio-system");
    expect(app("production", "kube-prometheus-stack").spec.destination.namespace).toBe("monitoring");
    // Every app whose values or manifests name Prometheus' address is one of those clients
    // (grafana: its main organisation and prom-label-proxy; kiali), so the policy breaks none.
    const address = "kube-prometheus-stack-prometheus.monitoring.svc";
    const users = applicationsFor("production")
      .filter((a) => a.spec.sources.some((s) => s.chart !== undefined) || a.spec.sources.some(isPlatformRepo))
      .filter((a) => {
        const chart = a.spec.sources.some((s) => s.chart !== undefined) ? JSON.stringify(helmValues(a)) : "";
        return (chart + JSON.stringify(manifests("production", a.metadata.name))).includes(address);
      })
      .map((a) => a.metadata.name);
    expect(users).toEqual(["grafana", "kiali"]);
  });
});

describe("the team chart's part: the team's Grafana organisation", () => {
  let objects: K8sObject[];
  beforeAll(() => {
    const platform = {
      serviceRepoUrlPrefix: "https://gitlab.com/holodeck/services",
      serviceChartRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts",
    };
    const team = {
      team: "payments",
      ssoGroups: ["holodeck-team-payments", "payments oncall"],
      domains: ["payments"],
      services: ["ledger", "refunds"].map((name) => ({ name, domain: "payments" })),
    };
    const file = path.join(fs.mkdtempSync(path.join(tmpdir(), "team-chart-grafana-")), "payments.json");
    fs.writeFileSync(file, JSON.stringify(team));
    try {
      objects = helmTemplate(path.join(REPO_ROOT, TEAM_CHART_PATH), [file], { platform }, { releaseName: "team-payments", namespace: "argocd" });
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it("tells the sync the team, its SSO groups and its namespaces, from the team file", () => {
    const configMap = findObject(objects, "ConfigMap", "grafana-team-payments");
    expect(configMap.metadata.namespace).toBe("monitoring");
    expect(configMap.metadata.labels).toEqual({
      "app.kubernetes.io/managed-by": "holodeck-platform",
      "holodeck.dev/team": "payments",
      "holodeck.dev/grafana-team": "true",
    });
    const data = (configMap as unknown as { data: Record<string, string> }).data;
    expect(JSON.parse(data["team.json"])).toEqual({
      team: "payments",
      ssoGroups: ["holodeck-team-payments", "payments oncall"],
      namespaces: ["ledger", "refunds"],
    });
  });

  it("lets the sync list ConfigMaps in each service namespace, nothing more", () => {
    const roles = objects.filter((o) => o.kind === "Role" && o.metadata.name === "grafana-team-sync");
    expect(roles.map((r) => [r.metadata.namespace, (r as unknown as { rules: unknown }).rules])).toEqual([
      ["ledger", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["list"] }]],
      ["refunds", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["list"] }]],
    ]);
    const bindings = objects.filter((o) => o.kind === "RoleBinding" && o.metadata.name === "grafana-team-sync");
    expect(bindings.map((b) => [b.metadata.namespace, (b as unknown as { subjects: unknown }).subjects])).toEqual(
      ["ledger", "refunds"].map((ns) => [ns, [{ kind: "ServiceAccount", name: "grafana-team-sync", namespace: "monitoring" }]]),
    );
  });
});
