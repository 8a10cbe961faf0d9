// The service's identity comes from the platform (issue 14, docs/contracts.md §4): the services
// ApplicationSet passes global.platform.{service,domain,team} from services-root; the chart
// uses them for image, namespace, host, path, Vault path and labels, and refuses developer
// values that say otherwise. A local render without them works from global.service/domain.
import { describe, expect, it } from "vitest";
import { findObject, helmTemplate, type HelmSets, type K8sObject } from "../harness/helm";
import {
  APPSET_PARAMS,
  CHART_DIR,
  CLUSTER_DOMAIN,
  REGISTRY,
  SERVICE,
  TEAM,
  at,
  container,
  minimalSets,
  platformOnly,
  renderExample,
  renderMinimal,
} from "./render";

/** The chart with exactly these values (no wrapper prefix) in namespace `namespace`. */
const render = (sets: HelmSets, namespace = SERVICE): K8sObject[] => helmTemplate(CHART_DIR, [], sets, { releaseName: SERVICE, namespace });

/** The ApplicationSet's parameters without the platform identity: a developer's local render. */
function localSets(extra: HelmSets = {}): HelmSets {
  return Object.fromEntries(Object.entries(minimalSets(extra)).filter(([key]) => !key.startsWith("global.platform.")));
}

describe("identity from the platform", () => {
  it("labels every object with the service, its domain and its team", () => {
    for (const o of renderExample()) {
      expect(o.metadata.labels, `${o.kind}/${o.metadata.name}`).toMatchObject({
        "holodeck.dev/service": SERVICE,
        "holodeck.dev/domain": "services",
        "holodeck.dev/team": TEAM,
      });
    }
  });

  it("takes image, host, path, Vault path and labels from global.platform when the values leave them out", () => {
    const objects = render(platformOnly("billing-api", "payments"), "billing-api");
    expect(container(findObject(objects, "Deployment", "billing-api")).image).toBe(`${REGISTRY}/billing-api:1.4.2`);
    const ingress = findObject(objects, "Ingress", "billing-api");
    expect(at(ingress, "spec.rules.0.host")).toBe(`payments.${CLUSTER_DOMAIN}`);
    expect(at(ingress, "spec.rules.0.http.paths.0.path")).toBe("/billing-api");
    expect(at(findObject(objects, "ExternalSecret", "billing-api-vault"), "spec.data.0.remoteRef")).toEqual({
      key: "payments/billing-api",
      property: "api_key",
    });
    expect(ingress.metadata.labels).toMatchObject({ "holodeck.dev/service": "billing-api", "holodeck.dev/domain": "payments", "holodeck.dev/team": TEAM });
  });

  it("refuses a global.service that disagrees, naming the key and both values", () => {
    expect(() => renderMinimal({ "global.service": "payments-api" })).toThrow(
      'holodeck-service: global.service is "payments-api" in the service\'s values but the platform deploys it as global.platform.service="python-example" (services-root); remove global.service or set it to "python-example"',
    );
  });

  it("refuses a global.domain that disagrees, naming the key and both values", () => {
    expect(() => renderMinimal({ "global.domain": "payments" })).toThrow(
      'holodeck-service: global.domain is "payments" in the service\'s values but the platform deploys it as global.platform.domain="services" (services-root); remove global.domain or set it to "services"',
    );
  });

  it("refuses to render into another namespace than the platform's service", () => {
    expect(() => render(minimalSets(), "billing-api")).toThrow(
      'holodeck-service: the release namespace is "billing-api" but global.platform.service is "python-example"; a service deploys only into its own namespace',
    );
  });

  it("needs all three platform keys, a known domain and DNS-label names (schema)", () => {
    const withoutTeam = Object.fromEntries(Object.entries(minimalSets()).filter(([key]) => key !== "global.platform.team"));
    expect(() => render(withoutTeam)).toThrow(/missing property 'team'/);
    expect(() => renderMinimal({ "global.platform.domain": "grafana", "global.domain": "grafana" })).toThrow(/global\/platform\/domain/);
    expect(() => renderMinimal({ "global.platform.team": "Checkout Team" })).toThrow(/global\/platform\/team/);
  });
});

describe("a local render without the platform identity (as today)", () => {
  it("uses global.service and global.domain, and labels no team", () => {
    const objects = render(localSets());
    const app = findObject(objects, "Deployment", SERVICE);
    expect(container(app).image).toBe(`${REGISTRY}/${SERVICE}:1.4.2`);
    expect(app.metadata.labels?.["holodeck.dev/service"]).toBe(SERVICE);
    expect(app.metadata.labels?.["holodeck.dev/domain"]).toBe("services");
    expect(app.metadata.labels?.["holodeck.dev/team"]).toBeUndefined();
    // The release namespace is not checked without the platform's service.
    expect(findObject(render(localSets(), "sandbox"), "Deployment", SERVICE).metadata.name).toBe(SERVICE);
  });

  it("still requires global.service and global.domain", () => {
    const withoutService = Object.fromEntries(Object.entries(localSets()).filter(([key]) => key !== "global.service"));
    expect(() => render(withoutService)).toThrow(/missing property 'service'/);
    const withoutDomain = Object.fromEntries(Object.entries(localSets()).filter(([key]) => key !== "global.domain"));
    expect(() => render(withoutDomain)).toThrow(/missing property 'domain'/);
  });

  it("passes exactly the identity parameters the ApplicationSet sets", () => {
    expect(Object.keys(APPSET_PARAMS).filter((key) => key.startsWith("global.platform."))).toEqual([
      "global.platform.service",
      "global.platform.domain",
      "global.platform.team",
    ]);
  });
});
