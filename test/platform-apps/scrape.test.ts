// Every platform alert reads metrics that something scrapes: each metric family of each
// alert expression is claimed by a ServiceMonitor/PodMonitor Argo CD applies (raw manifest of
// platform-monitoring, or a chart's monitor switched on in its values) or by
// kube-prometheus-stack's own targets. The ServiceMonitors for the bootstrap's Argo CD,
// cert-manager and Vault live here, in platform-monitoring (wave 0, after
// kube-prometheus-stack); test/bootstrap/monitoring.test.ts checks that their selectors
// match the Services those releases create.
import { beforeAll, describe, expect, it } from "vitest";
import { validateManifest } from "../harness/k8s-schema";
import { ENVIRONMENTS } from "../../model/environment";
import { applicationsFor, isPlatformRepo, manifestsOf, type Application, type Doc } from "./platform";
import { at, helmValues } from "./values";

/** Where each metric family (by prefix) is scraped from. */
const SCRAPERS: Array<{ prefix: string; by: string }> = [
  { prefix: "argocd_", by: "ServiceMonitor argocd/argocd-application-controller" },
  { prefix: "vault_", by: "ServiceMonitor vault/vault" },
  { prefix: "certmanager_", by: "ServiceMonitor cert-manager/cert-manager" },
  { prefix: "crossplane_", by: "PodMonitor monitoring/crossplane-providers" },
  { prefix: "nats_", by: "chart nats podMonitor" },
  { prefix: "kube_", by: "kube-prometheus-stack kube-state-metrics" },
  { prefix: "envoy_", by: "PodMonitor envoy-gateway-system/envoy-proxies" },
  { prefix: "up", by: "every target" },
];

const KEYWORDS = new Set(["by", "on", "or", "and", "unless", "without", "ignoring", "group_left", "group_right", "bool", "offset"]);

/** Metric names of a PromQL expression (label matchers, groupings, ranges and calls removed). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\[[^\]]*\]/g, "");
  const names = [...bare.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g)].map((m) => m[0]).filter((n) => !KEYWORDS.has(n));
  return [...new Set(names)];
}

const id = (doc: Doc): string => `${String(doc.kind)} ${String((doc.metadata as Doc).namespace)}/${String((doc.metadata as Doc).name)}`;

describe("metricNames", () => {
  it("finds the metrics, not functions, labels, groupings or durations", () => {
    expect(metricNames('sum by (gvk) (crossplane_managed_resource_exists) - sum by (gvk) (crossplane_managed_resource_ready{x="y"}) > 0')).toEqual([
      "crossplane_managed_resource_exists",
      "crossplane_managed_resource_ready",
    ]);
    expect(metricNames("increase(nats_varz_slow_consumers[10m]) > 0 or on (namespace, pod) up == 0")).toEqual(["nats_varz_slow_consumers", "up"]);
  });
});

describe.each(ENVIRONMENTS)("platform alerts are scraped in %s", (environment) => {
  let apps: Application[] = [];
  let monitoring: Doc[] = [];
  beforeAll(() => {
    apps = applicationsFor(environment);
    const app = apps.find((a) => a.metadata.name === "platform-monitoring");
    if (!app) throw new Error("no Application platform-monitoring");
    monitoring = app.spec.sources.filter(isPlatformRepo).flatMap((s) => manifestsOf(s, "platform-monitoring"));
  });

  it("the monitoring app ships the ServiceMonitors of the bootstrap's releases, valid against the operator's schema", () => {
    const monitors = monitoring.filter((d) => d.kind === "ServiceMonitor" || d.kind === "PodMonitor");
    expect(monitors.map(id).sort()).toEqual([
      "PodMonitor envoy-gateway-system/envoy-proxies",
      "PodMonitor monitoring/crossplane-providers",
      "ServiceMonitor argocd/argocd-application-controller",
      "ServiceMonitor argocd/argocd-applicationset-controller",
      "ServiceMonitor argocd/argocd-repo-server",
      "ServiceMonitor argocd/argocd-server",
      "ServiceMonitor cert-manager/cert-manager",
      "ServiceMonitor envoy-gateway-system/envoy-gateway",
      "ServiceMonitor vault/vault",
    ]);
    for (const monitor of monitors) validateManifest(monitor, `${environment} ${id(monitor)}`);
    const vault = monitors.find((m) => id(m) === "ServiceMonitor vault/vault") as Doc;
    // The operator's model checks types (unknown fields are not rejected for this group:
    // the monitors were checked strictly by hand against the operator's v0.93.1 CRD).
    const wrongType = JSON.parse(JSON.stringify(vault).replace('["prometheus"]', '"prometheus"')) as Doc;
    expect(() => validateManifest(wrongType, "ServiceMonitor with a string params value")).toThrow(/params/);
  });

  it("every metric family of every alert has a scraper, and each named monitor exists", () => {
    const rules = monitoring
      .filter((d) => d.kind === "PrometheusRule")
      .flatMap((d) => (d.spec as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((g) => g.rules));
    const claimed = rules.flatMap((rule) =>
      metricNames(rule.expr).map((name) => {
        const scraper = SCRAPERS.find((s) => (s.prefix === "up" ? name === "up" : name.startsWith(s.prefix)));
        return `${rule.alert}: ${name} <- ${scraper?.by ?? "NOTHING"}`;
      }),
    );
    expect(claimed.filter((c) => c.endsWith("NOTHING"))).toEqual([]);
    expect(claimed).toContain("VaultSealed: vault_core_unsealed <- ServiceMonitor vault/vault");
    expect(claimed).toContain("ArgoCDAppDegraded: argocd_app_info <- ServiceMonitor argocd/argocd-application-controller");
    expect(claimed).toContain("CertificateExpiringSoon: certmanager_certificate_expiration_timestamp_seconds <- ServiceMonitor cert-manager/cert-manager");

    const used = new Set(claimed.map((c) => c.split(" <- ")[1]));
    const shipped = new Set(monitoring.map(id));
    for (const by of used) {
      if (by.startsWith("ServiceMonitor") || by.startsWith("PodMonitor")) expect(shipped.has(by), by).toBe(true);
    }
    const app = (name: string): Application => apps.find((a) => a.metadata.name === name) as Application;
    expect(at(helmValues(app("nats")), "promExporter", "podMonitor", "enabled")).toBe(true);
    expect(at(helmValues(app("kube-prometheus-stack")), "kubeStateMetrics", "enabled") ?? true).toBe(true);
  });
});
