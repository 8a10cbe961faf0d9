// HPAs scale only on metrics something serves: metrics-server (bootstrap) serves the resource
// metrics API (pod cpu and memory) in every stack, on the system nodes, HA in production; every
// HorizontalPodAutoscaler the service chart can render asks only for those. A chart option that
// adds another metric (custom, external, object) fails here until the platform serves it.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SERVED_RESOURCE_METRICS } from "../../bootstrap/metrics-server/metrics-server";
import { SYSTEM_NODE_SELECTOR, SYSTEM_TOLERATIONS } from "../../bootstrap/shared/placement";
import { CHARTS } from "../../bootstrap/versions";
import { ALL_ON } from "../chart/cases";
import { CHART_DIR, renderExample, renderMinimal } from "../chart/render";
import { recordedStack, REPO_ROOT, type StackRecording } from "../harness/stacks";
import { FACTS, STACKS, at, input, release } from "./helpers";

interface Metric {
  type: string;
  resource?: { name: string; target: { type: string } };
}

describe("every HorizontalPodAutoscaler the service chart can render", () => {
  const templatesWithHpa = readdirSync(path.join(CHART_DIR, "templates")).filter((file) =>
    /kind:\s*HorizontalPodAutoscaler/.test(readFileSync(path.join(CHART_DIR, "templates", file), "utf8")),
  );
  const renders = [
    renderMinimal({ autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } }),
    renderExample(ALL_ON),
    renderExample({ "holodeck-service.autoscaling.enabled": true }),
  ];
  const hpas = renders.flat().filter((o) => o.kind === "HorizontalPodAutoscaler");

  it("comes from the templates that can make one, in every autoscaling case", () => {
    expect(templatesWithHpa).toEqual(["hpa.yaml"]);
    expect(hpas).toHaveLength(renders.length);
  });

  it(`asks only for resource metrics metrics-server serves (${SERVED_RESOURCE_METRICS.join(", ")})`, () => {
    for (const hpa of hpas) {
      const metrics = at<Metric[]>(hpa, "spec.metrics");
      expect(metrics.length).toBeGreaterThan(0);
      for (const metric of metrics) {
        expect(metric.type).toBe("Resource");
        expect(SERVED_RESOURCE_METRICS).toContain(metric.resource?.name);
        expect(metric.resource?.target.type).toBe("Utilization");
      }
    }
  });

  it("offers no values key for another metric source (the schema lists exactly these autoscaling keys)", () => {
    const schema = JSON.parse(readFileSync(path.join(CHART_DIR, "values.schema.json"), "utf8")) as unknown;
    expect(Object.keys(at<Record<string, unknown>>(schema, "properties.autoscaling.properties")).sort()).toEqual([
      "enabled",
      "maxReplicas",
      "minReplicas",
      "targetCPUUtilizationPercentage",
    ]);
    expect(at(schema, "properties.autoscaling.additionalProperties")).toBe(false);
  });
});

describe.each(STACKS)("%s metrics-server", (stack) => {
  const production = FACTS[stack].environment === "production";
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });

  it(`serves the resource metrics API from the system nodes${production ? ", two replicas on distinct nodes with a PDB" : ", one replica"}`, () => {
    const r = release(rec, CHARTS.metricsServer.chart);
    expect([input(r, "name"), input(r, "namespace"), input(r, "version")]).toEqual(["metrics-server", "kube-system", CHARTS.metricsServer.version]);
    expect(input(r, "values.nodeSelector")).toEqual(SYSTEM_NODE_SELECTOR);
    expect(input(r, "values.tolerations")).toEqual(SYSTEM_TOLERATIONS);
    expect(input(r, "values.replicas")).toBe(production ? 2 : 1);
    expect(input(r, "values.podDisruptionBudget")).toEqual(production ? { enabled: true, minAvailable: 1 } : { enabled: false });
    expect(input(r, "values.affinity")).toEqual(
      production
        ? {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  topologyKey: "kubernetes.io/hostname",
                  labelSelector: { matchLabels: { "app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": "metrics-server" } },
                },
              ],
            },
          }
        : {},
    );
  });

  it("sets only keys of the pinned chart's values.yaml (scripts/install/metrics-server-chart.sh)", () => {
    const tools = path.join(REPO_ROOT, ".tools", "metrics-server-chart");
    expect(readFileSync(path.join(tools, ".version"), "utf8")).toContain(`chart ${CHARTS.metricsServer.version}`);
    const chartValues = parse(readFileSync(path.join(tools, "values.yaml"), "utf8")) as Record<string, unknown>;
    const set = input<Record<string, unknown>>(release(rec, CHARTS.metricsServer.chart), "values");
    expect(Object.keys(set).filter((key) => !(key in chartValues))).toEqual([]);
    expect(Object.keys(set.podDisruptionBudget as object).filter((key) => !(key in (chartValues.podDisruptionBudget as object)))).toEqual([]);
  });
});
