// The gateway edge is monitored like the rest of the platform (docs/edge.md): Envoy Gateway's
// controller and the shared Gateway's proxies are scraped and the edge's 5xx ratio alerts,
// through the platform-monitoring Application on every stack that runs the gateway edge
// (serving or standby), and not on an ingress-nginx-only stack. The alert expressions parse
// with Prometheus' own parser (promql-check) and read only what those monitors scrape.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { GATEWAY_NAMESPACE, PROXY_POD_LABELS } from "../../bootstrap/gateway/constants";
import { ENVOY_GATEWAY_RELEASE } from "../../bootstrap/gateway/envoy-gateway";
import { edgeAnnotations } from "../../bootstrap/handoff/gitops-bridge";
import type { Edge } from "../../model";
import { promqlErrors } from "../chart/promql";
import { validateManifests } from "../harness/k8s-schema";
import {
  clusterSecret,
  isPlatformRepo,
  loadAppSets,
  manifestsOf,
  PLATFORM_DIR,
  readDocs,
  yamlFiles,
  type Application,
  type Doc,
} from "../platform-apps/platform";
import { renderForCluster } from "../platform-apps/template";

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

/** What the platform-monitoring Application applies on a stack running `edge` (and `standby`). */
function monitoringOn(edge: Edge, standby?: Edge): Doc[] {
  const cluster = clusterSecret("production");
  Object.assign(cluster.metadata.annotations, edgeAnnotations(edge, standby));
  const apps = renderForCluster(
    loadAppSets().map(({ appset }) => appset),
    cluster,
  ).flat() as Application[];
  const app = apps.find((a) => a.metadata.name === "platform-monitoring");
  if (!app) throw new Error("no Application platform-monitoring");
  return app.spec.sources.filter(isPlatformRepo).flatMap((source) => manifestsOf(source, "platform-monitoring"));
}

const id = (doc: Doc): string => `${String(doc.kind)} ${String((doc.metadata as Doc).namespace)}/${String((doc.metadata as Doc).name)}`;
/** In file order: edge-gateway-alerts.yaml, then edge-gateway-monitors.yaml. */
const EDGE_OBJECTS = [
  "PrometheusRule monitoring/edge-gateway",
  "ServiceMonitor envoy-gateway-system/envoy-gateway",
  "PodMonitor envoy-gateway-system/envoy-proxies",
];
const edgeObjects = (docs: Doc[]): Doc[] => docs.filter((d) => EDGE_OBJECTS.includes(id(d)));
const rulesOf = (docs: Doc[]): Rule[] =>
  docs.filter((d) => d.kind === "PrometheusRule").flatMap((d) => (d.spec as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules));

describe("edge monitoring per edge", () => {
  it("a gateway stack gets the controller's ServiceMonitor, the proxies' PodMonitor and the edge alerts, valid against the operator's schema", () => {
    const objects = edgeObjects(monitoringOn("gateway"));
    expect(objects.map(id)).toEqual(EDGE_OBJECTS);
    validateManifests(objects, "edge monitoring");
  });

  it("an ingress-nginx stack gets none of them; during a switch either way they are there", () => {
    expect(edgeObjects(monitoringOn("ingress-nginx")).map(id)).toEqual([]);
    expect(edgeObjects(monitoringOn("ingress-nginx", "gateway")).map(id)).toEqual(EDGE_OBJECTS);
    expect(edgeObjects(monitoringOn("gateway", "ingress-nginx")).map(id)).toEqual(EDGE_OBJECTS);
  });
});

describe("what is scraped", () => {
  const objects = edgeObjects(monitoringOn("gateway"));
  const spec = (name: string): Doc => (objects.find((o) => (o.metadata as Doc).name === name) as Doc).spec as Doc;

  it("the controller through the chart's Service envoy-gateway, port metrics, /metrics", () => {
    // The chart's templates/envoy-gateway-service.yaml (v1.9.1): control-plane plus eg.selectorLabels
    // (name = the chart name gateway-helm, instance = the release); its ports are deployment.ports,
    // whose `metrics` is 19001.
    expect(spec("envoy-gateway")).toEqual({
      selector: {
        matchLabels: { "control-plane": "envoy-gateway", "app.kubernetes.io/name": "gateway-helm", "app.kubernetes.io/instance": ENVOY_GATEWAY_RELEASE },
      },
      endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
    });
  });

  it("the proxies of the shared Gateway by the labels Envoy Gateway gives them, Envoy's stats endpoint", () => {
    expect((objects.find((o) => (o.metadata as Doc).name === "envoy-proxies")?.metadata as Doc).namespace).toBe(GATEWAY_NAMESPACE);
    expect(spec("envoy-proxies")).toEqual({
      selector: { matchLabels: { ...PROXY_POD_LABELS } },
      podMetricsEndpoints: [{ port: "metrics", path: "/stats/prometheus", interval: "30s" }],
    });
  });
});

describe("edge alerts", () => {
  const rules = rulesOf(edgeObjects(monitoringOn("gateway")));

  it("the 5xx ratio of the HTTPS listeners and the proxies' absence, exactly", () => {
    const https = 'namespace="envoy-gateway-system", envoy_http_conn_manager_prefix=~"https-.*"';
    expect(rules.map((r) => [r.alert, r.expr, r.for, r.labels.severity])).toEqual([
      [
        "EdgeServerErrorRatioHigh",
        `(sum(rate(envoy_http_downstream_rq_xx{${https}, envoy_response_code_class="5"}[5m])) / sum(rate(envoy_http_downstream_rq_total{${https}}[5m])) > 0.05) and sum(rate(envoy_http_downstream_rq_total{${https}}[5m])) > 0.2`,
        "10m",
        "critical",
      ],
      ["EdgeProxiesAbsent", 'absent(envoy_server_live{namespace="envoy-gateway-system"} == 1)', "5m", "critical"],
    ]);
    for (const rule of rules) expect(rule.annotations.description.length, rule.alert).toBeGreaterThan(50);
  });

  it("parse with Prometheus' parser and read only the proxies' Envoy stats (the PodMonitor above)", () => {
    expect(promqlErrors(rules.map((r) => r.expr))).toEqual([]);
    // The expressions are pinned exactly above; these are their metric families.
    expect([...new Set(rules.flatMap((r) => [...r.expr.matchAll(/\b[a-z_]+(?=\{)/g)].map((m) => m[0])))]).toEqual([
      "envoy_http_downstream_rq_xx",
      "envoy_http_downstream_rq_total",
      "envoy_server_live",
    ]);
  });

  it("certificate expiry stays the platform's one alert (the edge's wildcard certificate is a cert-manager Certificate)", () => {
    const platform = rulesOf(yamlFiles(path.join(PLATFORM_DIR, "manifests", "monitoring")).flatMap(readDocs));
    expect(platform.filter((r) => r.expr.includes("certmanager_certificate_expiration_timestamp_seconds")).map((r) => r.alert)).toEqual([
      "CertificateExpiringSoon",
    ]);
    expect(rules.filter((r) => r.expr.includes("certmanager_"))).toEqual([]);
  });
});
