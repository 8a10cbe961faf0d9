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
const panels = (JSON.parse(Object.values(dashboard.data as Record<string, string>)[0]) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> }).panels;

describe("platform alerts", () => {
  it("cover ArgoCD health/sync, Vault seal, certificate expiry, NATS/JetStream and Crossplane readiness", () => {
    expect(rules.map((r) => r.alert)).toEqual([
      "ArgoCDAppDegraded",
      "ArgoCDAppOutOfSync",
      "NatsServerDown",
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
