import { describe, expect, it } from "vitest";
import { hasSchema, registerCrd, registerXrd, validateManifest, validateManifests } from "./k8s-schema";

const deployment = (spec: Record<string, unknown>) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
    ...spec,
  },
});

const widgetCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.dev" },
  spec: {
    group: "example.dev",
    names: { kind: "Widget", plural: "widgets" },
    scope: "Namespaced",
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["size"],
                properties: {
                  size: { type: "integer", minimum: 1 },
                  port: { "x-kubernetes-int-or-string": true },
                  extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                },
              },
            },
          },
        },
      },
    ],
  },
};

describe("validateManifest", () => {
  it("accepts a valid built-in object and rejects a wrong type with the field path", () => {
    expect(() => validateManifest(deployment({ replicas: 2 }), "case")).not.toThrow();
    expect(() => validateManifest(deployment({ replicas: "2" }), "case")).toThrow(
      /case: Deployment\/web \(apps\/v1\) is invalid:[\s\S]*\/spec\/replicas must be integer/,
    );
  });

  it("rejects invalid names and label values for every kind", () => {
    const bad = { ...deployment({}), metadata: { name: "Web_1", labels: { app: "a b" } } };
    expect(() => validateManifest(bad, "case")).toThrow(/metadata.name "Web_1"[\s\S]*metadata.labels.app/);
  });

  it("knows the CRD model packages", () => {
    expect(hasSchema("argoproj.io/v1alpha1", "ApplicationSet")).toBe(true);
    expect(hasSchema("cert-manager.io/v1", "ClusterIssuer")).toBe(true);
    expect(hasSchema("monitoring.coreos.com/v1", "ServiceMonitor")).toBe(true);
    expect(hasSchema("security.istio.io/v1beta1", "PeerAuthentication")).toBe(true);
  });

  it("fails on a kind with no schema instead of passing it", () => {
    const doc = { apiVersion: "nowhere.dev/v1", kind: "Ghost", metadata: { name: "g" } };
    expect(() => validateManifest(doc, "case")).toThrow(/no schema is known/);
  });

  it("checks CRD kinds strictly: unknown fields, required fields, int-or-string, preserved fields", () => {
    registerCrd(widgetCrd);
    const widget = (spec: Record<string, unknown>) => ({ apiVersion: "example.dev/v1", kind: "Widget", metadata: { name: "w" }, spec });
    expect(() => validateManifest(widget({ size: 3, port: "http", extra: { any: { thing: 1 } } }), "crd")).not.toThrow();
    expect(() => validateManifest(widget({ size: 3, port: 8080 }), "crd")).not.toThrow();
    expect(() => validateManifest(widget({ size: 3, colour: "red" }), "crd")).toThrow(/\/spec must NOT have additional properties: colour/);
    expect(() => validateManifest(widget({}), "crd")).toThrow(/must have required property 'size'/);
    expect(() => validateManifest(widget({ size: 0 }), "crd")).toThrow(/\/spec\/size must be >= 1/);
  });

  it("derives a schema from a Crossplane XRD", () => {
    registerXrd({
      spec: {
        group: "platform.example.dev",
        names: { kind: "Bucket" },
        versions: [
          {
            name: "v1alpha1",
            schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { region: { type: "string" } } } } } },
          },
        ],
      },
    });
    const bucket = { apiVersion: "platform.example.dev/v1alpha1", kind: "Bucket", metadata: { name: "b" }, spec: { region: 1 } };
    expect(() => validateManifest(bucket, "xrd")).toThrow(/\/spec\/region must be string/);
  });

  it("reports every invalid document at once", () => {
    const docs = [deployment({ replicas: "x" }), { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad!" } }];
    expect(() => validateManifests(docs, "many")).toThrow(/Deployment\/web[\s\S]*ConfigMap\/Bad!/);
  });
});

describe("strict decoding of built-in kinds", () => {
  it("rejects a misspelled field that the generated models let through", () => {
    const typo = deployment({});
    const pod = (typo.spec.template as { spec: { containers: Array<Record<string, unknown>> } }).spec;
    pod.containers[0].securityContext = { runAsNonroot: true };
    expect(() => validateManifest(typo, "strict")).toThrow(/unknown field "spec.template.spec.containers\[0\].securityContext.runAsNonroot"/);
  });
});
