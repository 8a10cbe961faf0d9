// Every object of every values case validates against the real schemas: kubernetes-models
// and strict decoding for built-in kinds, the CRDs (External Secrets, prometheus-operator)
// and the platform's PostgresInstance XRD from platform-apps/. One file, so the schema
// validator is loaded once.
import { beforeAll, describe, expect, it } from "vitest";
import { helmTemplate, type K8sObject } from "../harness/helm";
import { validateManifests } from "../harness/k8s-schema";
import { ALL_OFF, ALL_ON, TUNED } from "./cases";
import { CHART_DIR, names, platformOnly, renderExample, renderMinimal } from "./render";
import { registerPlatformXrds } from "./xrd";

const CASES: Record<string, () => K8sObject[]> = {
  "documented example": () => renderExample(),
  defaults: () => renderMinimal(),
  "all options on": () => renderMinimal(ALL_ON),
  "on-by-default features off": () => renderMinimal(ALL_OFF),
  "tuned values": () => renderMinimal(TUNED),
  "identity from global.platform only": () =>
    helmTemplate(CHART_DIR, [], platformOnly("billing-api", "payments"), { releaseName: "billing-api", namespace: "billing-api" }),
};

const rendered = new Map<string, K8sObject[]>();

beforeAll(() => {
  for (const [name, render] of Object.entries(CASES)) rendered.set(name, render());
});

describe("rendered objects validate against the real schemas", () => {
  it("knows the platform's PostgresInstance XRD", () => {
    expect(registerPlatformXrds()).toContain("PostgresInstance");
  });

  it.each(Object.keys(CASES))("%s", (name) => {
    validateManifests(rendered.get(name) ?? [], name);
  });

  it("covers every kind the chart can emit", () => {
    const kinds = new Set([...rendered.values()].flatMap((objects) => names(objects).map((n) => n.split("/")[0])));
    expect([...kinds].sort()).toEqual([
      "ConfigMap",
      "CronJob",
      "Deployment",
      "ExternalSecret",
      "HorizontalPodAutoscaler",
      "Ingress",
      "Job",
      "NetworkPolicy",
      "Password",
      "PeerAuthentication",
      "PodDisruptionBudget",
      "PostgresInstance",
      "PrometheusRule",
      "Service",
      "ServiceAccount",
      "ServiceMonitor",
    ]);
  });
});
