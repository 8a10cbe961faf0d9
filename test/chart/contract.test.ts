// The chart's postgres values accept exactly what the platform's PostgresInstance XRD
// accepts (docs/contracts.md §5), so a value that passes the chart never fails at sync.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INGRESS_NAMESPACE } from "../../bootstrap/ingress/ingress-nginx";
import { platformHelmParameters } from "../../bootstrap/handoff/services-appset";
import { findObject } from "../harness/helm";
import { ALL_ON } from "./cases";
import { APPSET_PARAMS, CHART_DIR, SERVICE, at, container, renderExample, renderMinimal, substituted } from "./render";
import { platformXrds } from "./xrd";

const chartSchema = JSON.parse(fs.readFileSync(path.join(CHART_DIR, "values.schema.json"), "utf8")) as Record<string, unknown>;
const chartPostgres = (key: string): unknown => at(chartSchema, `properties.postgres.properties.${key}`);

function xrdSpecProperty(key: string): unknown {
  const xrd = platformXrds().find((x) => at(x, "spec.names.kind") === "PostgresInstance");
  if (!xrd) throw new Error("platform-apps/ has no CompositeResourceDefinition for PostgresInstance");
  const versions = at(xrd, "spec.versions") as Array<Record<string, unknown>>;
  const v1alpha1 = versions.find((v) => v.name === "v1alpha1");
  return at(v1alpha1, `schema.openAPIV3Schema.properties.spec.properties.${key}`);
}

describe("chart postgres values ↔ PostgresInstance XRD", () => {
  it("allows the same storage range", () => {
    expect(at(chartPostgres("storage"), "minimum")).toBe(at(xrdSpecProperty("storageGB"), "minimum"));
    expect(at(chartPostgres("storage"), "maximum")).toBe(at(xrdSpecProperty("storageGB"), "maximum"));
  });

  it("allows the same engine versions", () => {
    expect(at(chartPostgres("engineVersion"), "enum")).toEqual(at(xrdSpecProperty("engineVersion"), "enum"));
  });

  it("allows the same database names (the chart also allows empty = derived)", () => {
    expect(at(chartPostgres("databaseName"), "pattern")).toBe(`^(${String(at(xrdSpecProperty("databaseName"), "pattern")).slice(1, -1)})?$`);
  });
});

describe("chart global.domain ↔ the python-service template's domain choices (contracts §8)", () => {
  it("allows exactly the domains the template offers", () => {
    const copier = parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "templates", "python-service", "copier.yml"), "utf8")) as {
      domain: { choices: string[] };
    };
    expect(at(chartSchema, "definitions.domain.enum")).toEqual(copier.domain.choices);
    // The developer's global.domain and the platform's global.platform.domain are the same set.
    expect(at(chartSchema, "properties.global.properties.domain")).toEqual({ $ref: "#/definitions/domain" });
    expect(at(chartSchema, "properties.global.properties.platform.properties.domain")).toEqual({ $ref: "#/definitions/domain" });
    expect(copier.domain.choices).toEqual(["services", "payments", "identity", "catalog", "data"]);
  });
});

describe("chart ↔ services ApplicationSet parameters", () => {
  const parameters = platformHelmParameters({
    environment: "production",
    servicesRepoUrl: "https://gitlab.com/holodeck/services-root.git",
    serviceRepoUrlPrefix: "https://gitlab.com/holodeck/services",
    domain: "production.eu-central-1.holodeck.dev",
    imageRegistry: "210987654321.dkr.ecr.eu-central-1.amazonaws.com",
    vpcCidr: "10.30.0.0/16",
    edge: "ingress-nginx",
  });

  it("the tests pass exactly the parameters the ApplicationSet sets", () => {
    expect(Object.keys(APPSET_PARAMS).sort()).toEqual(parameters.map((p) => p.name).sort());
  });

  it("renders the documented example with the ApplicationSet's production parameters", () => {
    const objects = renderExample(substituted(parameters, "2.0.0"));
    expect(container(findObject(objects, "Deployment", SERVICE)).image).toBe("210987654321.dkr.ecr.eu-central-1.amazonaws.com/python-example:2.0.0");
    const ingress = findObject(objects, "Ingress", SERVICE);
    expect(at(ingress, "spec.rules.0.host")).toBe("services.production.eu-central-1.holodeck.dev");
    // No per-service certificate: the platform's wildcard serves the domain host.
    expect(Object.keys(ingress.metadata.annotations ?? {}).filter((key) => key.startsWith("cert-manager.io/"))).toEqual([]);
    expect(ingress.metadata.labels?.["holodeck.dev/environment"]).toBe("production");
    expect(ingress.metadata.labels?.["holodeck.dev/team"]).toBe("checkout");
    // Postgres egress goes to the stack's VPC only, not to any host on 5432.
    const egress = at(findObject(objects, "NetworkPolicy", `${SERVICE}-egress`), "spec.egress") as Array<Record<string, unknown>>;
    expect(egress.filter((rule) => JSON.stringify(rule.ports).includes("5432"))).toEqual([
      { to: [{ ipBlock: { cidr: "10.30.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] },
    ]);
  });
});

describe("chart NetworkPolicies ↔ where the platform runs its add-ons", () => {
  const destination = (appset: string): unknown =>
    at(
      parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "platform-apps", "applicationsets", `${appset}.yaml`), "utf8")),
      "spec.template.spec.destination.namespace",
    );

  it("names exactly the namespaces of ingress-nginx, Prometheus, Jaeger, NATS, istiod and DNS", () => {
    const policies = renderMinimal(ALL_ON).filter((o) => o.kind === "NetworkPolicy");
    const peers = new Set(
      JSON.stringify(policies)
        .match(/"kubernetes\.io\/metadata\.name":"[^"]+"/g)
        ?.map((m) => m.split(":")[1].slice(1, -1)),
    );
    expect([...peers].sort()).toEqual(
      [INGRESS_NAMESPACE, "billing", "frontend", "istio-system", "kube-system", "monitoring", "nats", "observability", "weather"].sort(),
    );
    expect(destination("kube-prometheus-stack")).toBe("monitoring");
    expect(destination("jaeger")).toBe("observability");
    expect(destination("nats")).toBe("nats");
    expect(destination("istiod")).toBe("istio-system");
  });
});
