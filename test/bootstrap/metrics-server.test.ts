// HPAs scale only on metrics something serves: metrics-server (bootstrap) serves the resource
// metrics API (pod cpu and memory) in every stack, on the system nodes, HA in production; every
// HorizontalPodAutoscaler the service chart can render asks only for those. A chart option that
// adds another metric (custom, external, object) fails here until the platform serves it. The
// platform apps' HPAs likewise: istiod's in production (its chart's autoscale.yaml, modelled
// below), and no other platform app or bootstrap release turns one on.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SERVED_RESOURCE_METRICS } from "../../bootstrap/metrics-server/metrics-server";
import { SYSTEM_NODE_SELECTOR, SYSTEM_TOLERATIONS } from "../../bootstrap/shared/placement";
import { CHARTS } from "../../bootstrap/versions";
import { ALL_ON } from "../chart/cases";
import { CHART_DIR, renderExample, renderMinimal } from "../chart/render";
import { listStacks, recordedStack, REPO_ROOT, type StackRecording } from "../harness/stacks";
import { applicationsFor, PLATFORM_DIR, readDocs, yamlFiles, type Application, type Doc } from "../platform-apps/platform";
import { mergeValues, valueFilesPassed } from "../platform-apps/values";
import { FACTS, STACKS, at, input, kubernetesObjects, release } from "./helpers";

interface Metric {
  type: string;
  resource?: { name: string; target: { type: string; averageUtilization?: number } };
}

/** A key that turns on or shapes an HPA in a chart's values or an object (autoscaling, autoscaleEnabled, hpa, envoyHpa). */
const HPA_KEY = /^(autoscal\w*|\w*hpa)$/i;

/** Dotted paths of the keys matching HPA_KEY in a values tree. */
function hpaKeys(node: unknown, prefix = ""): string[] {
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node as Doc).flatMap(([key, value]) => {
    const here = prefix ? `${prefix}.${key}` : key;
    return [...(HPA_KEY.test(key) ? [here] : []), ...hpaKeys(value, here)];
  });
}

/**
 * istiod chart 1.30.3 (unchanged on release-1.30, 2026-08-21), values.yaml
 * `_internal_defaults_do_not_set`: the defaults that decide its HPA.
 */
const ISTIOD_HPA_DEFAULTS: Doc = { autoscaleEnabled: true, autoscaleMin: 1, autoscaleMax: 5, cpu: { targetAverageUtilization: 80 }, memory: {} };

/**
 * The HPA istiod's templates/autoscale.yaml renders from its values (null: none): only with
 * autoscaleEnabled, autoscaleMin and autoscaleMax set; a cpu Utilization metric always, a
 * memory one when memory.targetAverageUtilization is set.
 */
function istiodHpa(values: Doc): { min: number; max: number; metrics: Metric[] } | null {
  const v = mergeValues(ISTIOD_HPA_DEFAULTS, values);
  if (!(v.autoscaleEnabled && v.autoscaleMin && v.autoscaleMax)) return null;
  const resource = (name: string, averageUtilization: number): Metric => ({
    type: "Resource",
    resource: { name, target: { type: "Utilization", averageUtilization } },
  });
  const memory = (v.memory as { targetAverageUtilization?: number }).targetAverageUtilization;
  const metrics = [resource("cpu", (v.cpu as { targetAverageUtilization: number }).targetAverageUtilization), ...(memory ? [resource("memory", memory)] : [])];
  return { min: v.autoscaleMin as number, max: v.autoscaleMax as number, metrics };
}

/** Each chart source's merged values (value files, then valuesObject), by Application and chart. */
function chartValues(app: Application): { chart: string; values: Doc }[] {
  return app.spec.sources
    .filter((s) => s.chart !== undefined)
    .map((source) => {
      const files = valueFilesPassed(app, source).map((file) => readDocs(path.join(REPO_ROOT, file))[0] ?? {});
      return { chart: source.chart!, values: [...files, source.helm?.valuesObject ?? {}].reduce(mergeValues, {}) };
    });
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

describe("every HorizontalPodAutoscaler a platform app can render", () => {
  const apps = new Map<string, Application[]>();
  const appsFor = (environment: "staging" | "production"): Application[] =>
    apps.get(environment) ?? apps.set(environment, applicationsFor(environment)).get(environment)!;
  const values = (environment: "staging" | "production", chart: string): Doc =>
    appsFor(environment)
      .flatMap(chartValues)
      .find((c) => c.chart === chart)!.values;

  it("istiod: production autoscales 2-5 replicas on CPU utilisation (80%), a metric metrics-server serves; staging renders no HPA", () => {
    const production = istiodHpa(values("production", "istiod"));
    expect(production).toEqual({
      min: 2,
      max: 5,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
    });
    for (const metric of production!.metrics) expect(SERVED_RESOURCE_METRICS).toContain(metric.resource?.name);
    expect(istiodHpa(values("staging", "istiod"))).toBeNull();
  });

  it("the model follows the template: a memory target adds a memory metric (also served), autoscaleEnabled false removes the HPA", () => {
    const withMemory = istiodHpa({ autoscaleMin: 2, autoscaleMax: 3, memory: { targetAverageUtilization: 70 } });
    expect(withMemory?.metrics.map((m) => [m.resource?.name, m.resource?.target.averageUtilization])).toEqual([
      ["cpu", 80],
      ["memory", 70],
    ]);
    expect(withMemory!.metrics.every((m) => (SERVED_RESOURCE_METRICS as readonly string[]).includes(m.resource!.name))).toBe(true);
    expect(istiodHpa({ autoscaleEnabled: false, autoscaleMin: 2, autoscaleMax: 5 })).toBeNull();
  });

  it("no other platform app's values touch an HPA, and no platform manifest or local chart is one", () => {
    // The charts' own HPAs are off by default at the pinned versions (grafana autoscaling.enabled,
    // loki <component>.autoscaling.enabled, oauth2-proxy autoscaling.enabled: false); the other
    // platform charts have no HPA template. Turning one on must extend the check above.
    const keys = (environment: "staging" | "production") =>
      appsFor(environment).flatMap((app) => chartValues(app).flatMap(({ chart, values: v }) => hpaKeys(v).map((k) => `${app.metadata.name}/${chart}: ${k}`)));
    expect(keys("production").sort()).toEqual(["istiod/istiod: autoscaleEnabled", "istiod/istiod: autoscaleMax", "istiod/istiod: autoscaleMin"]);
    expect(keys("staging")).toEqual(["istiod/istiod: autoscaleEnabled"]);
    const hpaFiles = yamlFiles(PLATFORM_DIR).filter((f) => /kind:\s*HorizontalPodAutoscaler/.test(readFileSync(f, "utf8")));
    expect(hpaFiles.map((f) => path.relative(PLATFORM_DIR, f))).toEqual([]);
  });

  it.each(listStacks())("%s: no bootstrap release or recorded object turns on an HPA", (stack) => {
    // Pinned charts' HPAs are off by default (argo-cd server/repoServer, ingress-nginx controller,
    // aws-load-balancer-controller autoscaling.enabled; envoy-gateway hpa.enabled: false); vault,
    // cert-manager, karpenter and metrics-server have none; the EnvoyProxy could ask for envoyHpa.
    for (const rec of [recordedStack(stack), recordedStack(stack, "ingress-nginx-edge")]) {
      const releases = rec.byType("kubernetes:helm.sh/v3:Release").flatMap((r) => hpaKeys(r.inputs.values).map((k) => `${String(r.inputs.chart)}: ${k}`));
      const objects = kubernetesObjects(rec).flatMap((r) => [
        ...(r.inputs.kind === "HorizontalPodAutoscaler" ? [`${r.name}: kind`] : []),
        ...hpaKeys(r.inputs.spec).map((k) => `${r.name}: spec.${k}`),
      ]);
      expect([...releases, ...objects]).toEqual([]);
    }
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
