// The platform's alerts and dashboard: every PromQL expression parses with Prometheus' own
// parser, every alert the issue asks for exists with a severity and a summary, and the
// dashboard is valid JSON that Grafana's sidecar picks up.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { promqlErrors } from "../chart/promql";
import { PLATFORM_DIR, readDocs, yamlFiles, type Doc } from "./platform";

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

const monitoring = yamlFiles(path.join(PLATFORM_DIR, "manifests", "monitoring")).flatMap(readDocs);
const rules: Rule[] = monitoring
  .filter((d) => d.kind === "PrometheusRule")
  .flatMap((d) => (d.spec as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules));
const dashboard = monitoring.find((d) => d.kind === "ConfigMap" && (d.metadata as { name: string }).name === "dashboard-holodeck-platform") as Doc;
const panels = (
  JSON.parse(Object.values(dashboard.data as Record<string, string>)[0]) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> }
).panels;

describe("platform alerts", () => {
  it("cover ArgoCD health/sync, Vault seal, certificate expiry, NATS/JetStream and Crossplane readiness", () => {
    expect(rules.map((r) => r.alert)).toEqual([
      "ArgoCDAppDegraded",
      "ArgoCDAppOutOfSync",
      "NatsServerDown",
      "NatsMetricsAbsent",
      "NatsJetStreamDisabled",
      "NatsSlowConsumers",
      "NatsJetStreamStorageHigh",
      "CrossplaneResourceNotReady",
      "VaultSealed",
      "CertificateExpiringSoon",
      "CertificateNotReady",
    ]);
  });

  it("every expression parses with Prometheus' parser", () => {
    expect(promqlErrors(rules.map((r) => r.expr))).toEqual([]);
    expect(promqlErrors(["vault_core_unsealed =="])).toHaveLength(1);
  });

  it("NATS health comes from StatefulSet readiness, absence of the NATS series and the exporter's JetStream collector", () => {
    const expr = (name: string): string => rules.find((r) => r.alert === name)?.expr ?? "";
    // Not `up` of the exporter sidecar: it stays up while nats-server crashes.
    expect(expr("NatsServerDown")).toBe(
      'kube_statefulset_status_replicas_ready{namespace="nats", statefulset="nats"} < kube_statefulset_replicas{namespace="nats", statefulset="nats"}',
    );
    expect(expr("NatsMetricsAbsent")).toBe('absent(nats_varz_connections{namespace="nats"})');
    // Names of prometheus-nats-exporter's jsz collector under the nats chart's -prefix=nats.
    expect(expr("NatsJetStreamDisabled")).toBe('nats_server_jetstream_disabled{namespace="nats"} == 1');
    expect(expr("NatsJetStreamStorageHigh")).toBe('nats_server_total_message_bytes{namespace="nats"} / nats_server_max_storage{namespace="nats"} > 0.85');
    expect(rules.filter((r) => /\bup\b/.test(r.expr)).map((r) => r.alert)).toEqual([]);
  });

  it("every alert has a for duration, a known severity, a summary and a description", () => {
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(["warning", "critical"], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length, rule.alert).toBeGreaterThan(10);
      expect(rule.annotations.description.length, rule.alert).toBeGreaterThan(10);
    }
  });
});

describe("platform dashboard", () => {
  it("is labelled for Grafana's sidecar and filed in the Platform folder", () => {
    expect((dashboard.metadata as { labels: Doc; annotations: Doc }).labels).toEqual({ grafana_dashboard: "1" });
    expect((dashboard.metadata as { annotations: Doc }).annotations).toEqual({ grafana_folder: "Platform" });
  });

  it("every panel query parses with Prometheus' parser", () => {
    const expressions = panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(expressions).toHaveLength(6);
    expect(promqlErrors(expressions)).toEqual([]);
  });
});
