// The service dashboard a developer opens with SSO (issue 15): metrics panels whose PromQL
// parses with Prometheus' parser, a logs panel on the service's namespace whose LogQL parses
// with Grafana's LogQL grammar (logql.ts) against the platform's Loki data source, and links
// to the service's traces in Jaeger and its application in Argo CD.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findObject } from "../harness/helm";
import { logqlErrors } from "./logql";
import { promqlErrors } from "./promql";
import { CLUSTER_DOMAIN, SERVICE, renderMinimal } from "./render";

interface Panel {
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  targets: Array<{ expr: string }>;
}
interface Dashboard {
  title: string;
  uid: string;
  links: Array<{ title: string; url: string; targetBlank: boolean }>;
  panels: Panel[];
}

let dashboard: Dashboard;

/** The uid of the platform Grafana's data source of this type (platform-apps/values/grafana). */
function platformDatasourceUid(type: string): string {
  const file = path.resolve(__dirname, "..", "..", "platform-apps", "values", "grafana", "common.yaml");
  const values = parse(fs.readFileSync(file, "utf8")) as { datasources: { "datasources.yaml": { datasources: Array<{ type: string; uid: string }> } } };
  const found = values.datasources["datasources.yaml"].datasources.find((d) => d.type === type);
  if (!found) throw new Error(`${file} declares no ${type} data source`);
  return found.uid;
}

beforeAll(() => {
  const configMap = findObject(renderMinimal(), "ConfigMap", `${SERVICE}-dashboard`);
  expect(configMap.metadata.labels?.grafana_dashboard).toBe("1");
  dashboard = JSON.parse((configMap.data as Record<string, string>)[`${SERVICE}.json`]) as Dashboard;
});

describe("service dashboard", () => {
  it("has the metrics panels and one logs panel", () => {
    expect(dashboard.title).toBe(SERVICE);
    expect(dashboard.uid).toBe(`hs-${createHash("sha256").update(SERVICE).digest("hex").slice(0, 12)}`);
    expect(dashboard.panels.map((p) => [p.type, p.title])).toEqual([
      ["timeseries", "Requests per second"],
      ["timeseries", "Error ratio (5xx)"],
      ["timeseries", "Latency"],
      ["timeseries", "Pods ready"],
      ["timeseries", "CPU"],
      ["timeseries", "Memory"],
      ["timeseries", "Container restarts (15m)"],
      ["logs", `Logs (namespace ${SERVICE})`],
    ]);
  });

  it("queries Prometheus in PromQL that parses, all on the service's namespace", () => {
    const queries = dashboard.panels.filter((p) => p.datasource.type === "prometheus").flatMap((p) => p.targets.map((t) => t.expr));
    expect(queries).toHaveLength(9);
    expect(queries.every((q) => q.includes(`namespace="${SERVICE}"`))).toBe(true);
    expect(promqlErrors(queries)).toEqual([]);
  });

  it("reads the service's namespace from the platform's Loki, in LogQL that parses", () => {
    const logs = dashboard.panels.find((p) => p.type === "logs") as Panel;
    expect(logs.datasource).toEqual({ type: "loki", uid: platformDatasourceUid("loki") });
    expect(logs.targets.map((t) => t.expr)).toEqual([`{namespace="${SERVICE}", container!="istio-proxy"}`]);
    expect(logqlErrors(logs.targets.map((t) => t.expr))).toEqual([]);
  });

  it("checks LogQL with Grafana's LogQL grammar, which rejects a broken query", () => {
    const errors = logqlErrors([
      `{namespace="${SERVICE}"`,
      `sum(rate({namespace="${SERVICE}"} |= "error" [5m]))`,
      `sum(rate({namespace="${SERVICE}"} [5m])`,
      `{namespace="${SERVICE}"} |= `,
    ]);
    expect(errors).toEqual([
      '{namespace="python-example": syntax error at 27: unexpected end of query after `ace="python-example"`',
      'sum(rate({namespace="python-example"} [5m]): syntax error at 43: unexpected end of query after `thon-example"} [5m])`',
      '{namespace="python-example"} |= : syntax error at 32: unexpected end of query after `python-example"} |= `',
    ]);
  });

  it("links to the service's traces in Jaeger and its application in Argo CD", () => {
    expect(dashboard.links.map((l) => [l.title, l.url, l.targetBlank])).toEqual([
      ["Traces in Jaeger", `https://jaeger.${CLUSTER_DOMAIN}/search?service=${SERVICE}`, true],
      ["Argo CD application", `https://argocd.${CLUSTER_DOMAIN}/applications/argocd/${SERVICE}`, true],
    ]);
  });
});
