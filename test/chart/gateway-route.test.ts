// The chart on the gateway edge (docs/edge.md): with the parameters the services ApplicationSet
// of a gateway stack sets, the documented example values (unchanged) render an HTTPRoute on the
// shared Gateway instead of an Ingress, valid against the pinned Gateway API CRDs, and the app
// is reachable only from the Gateway's proxies.
import * as path from "node:path";
import { readdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_NAME, GATEWAY_NAMESPACE, SERVICES_LISTENER } from "../../bootstrap/gateway/constants";
import { findObject, type K8sObject } from "../harness/helm";
import { registerCrdFile, validateManifests } from "../harness/k8s-schema";
import { REPO_ROOT } from "../harness/stacks";
import { ALL_ON } from "./cases";
import { at, CLUSTER_DOMAIN, names, renderExample, renderMinimal, SERVICE, stagingAppsetParams } from "./render";
import { registerPlatformXrds } from "./xrd";

const GATEWAY = stagingAppsetParams("gateway");
let onGateway: K8sObject[];
let onIngressNginx: K8sObject[];

beforeAll(() => {
  const crds = path.join(REPO_ROOT, ".tools", "bootstrap-crds", "gateway-api");
  for (const file of readdirSync(crds).filter((f) => f.endsWith(".yaml"))) registerCrdFile(path.join(crds, file));
  registerPlatformXrds();
  onGateway = renderExample(GATEWAY);
  onIngressNginx = renderExample(stagingAppsetParams("ingress-nginx"));
});

describe("the services ApplicationSet's parameters per edge", () => {
  it("gateway: global.edge and the shared Gateway's services listener", () => {
    expect(GATEWAY["global.edge"]).toBe("gateway");
    expect([GATEWAY["global.gateway.namespace"], GATEWAY["global.gateway.name"], GATEWAY["global.gateway.sectionName"]]).toEqual([
      "envoy-gateway-system",
      "holodeck",
      "https-services",
    ]);
  });

  it("ingress-nginx: global.edge only", () => {
    const params = stagingAppsetParams("ingress-nginx");
    expect(params["global.edge"]).toBe("ingress-nginx");
    expect(Object.keys(params).filter((k) => k.startsWith("global.gateway"))).toEqual([]);
  });
});

describe("the documented example values render verbatim on both edges", () => {
  it("the same objects, an HTTPRoute in place of the Ingress", () => {
    const swap = (n: string): string => (n === `Ingress/${SERVICE}` ? `HTTPRoute/${SERVICE}` : n);
    expect(names(onIngressNginx)).toContain(`Ingress/${SERVICE}`);
    expect(names(onGateway)).toEqual(names(onIngressNginx).map(swap).sort());
  });

  it("validates against the pinned Gateway API CRDs and the other kinds' schemas", () => {
    validateManifests(onGateway, "documented example on the gateway edge");
  });

  it("attaches to the shared Gateway's services listener, host <domain>.<clusterDomain>, path prefix /<service>", () => {
    const route = findObject(onGateway, "HTTPRoute", SERVICE);
    expect(route.apiVersion).toBe("gateway.networking.k8s.io/v1");
    expect(at(route, "spec.parentRefs")).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: GATEWAY_NAMESPACE, name: GATEWAY_NAME, sectionName: SERVICES_LISTENER },
    ]);
    expect(at(route, "spec.hostnames")).toEqual([`services.${CLUSTER_DOMAIN}`]);
    // The example sets rewrite: true.
    expect(at(route, "spec.rules")).toEqual([
      {
        matches: [{ path: { type: "PathPrefix", value: `/${SERVICE}` } }],
        filters: [
          { type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } },
          { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "X-Forwarded-Prefix", value: `/${SERVICE}` }] } },
        ],
        backendRefs: [{ group: "", kind: "Service", name: SERVICE, port: 80 }],
      },
    ]);
    expect(route.metadata.annotations?.["argocd.argoproj.io/sync-wave"]).toBe("1");
  });

  it("lets only the Gateway's proxies (not ingress-nginx) reach the HTTP port from outside", () => {
    const ingressFrom = (objects: K8sObject[]): unknown => at(findObject(objects, "NetworkPolicy", `${SERVICE}-ingress`), "spec.ingress.0");
    expect(ingressFrom(onGateway)).toEqual({
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": GATEWAY_NAMESPACE } } }],
      ports: [{ protocol: "TCP", port: 8080 }],
    });
    expect(JSON.stringify(ingressFrom(onIngressNginx))).toContain('"kubernetes.io/metadata.name":"ingress-nginx"');
  });
});

describe("chart options on the gateway edge", () => {
  it("without rewrite: no filters, and no certificate (the Gateway terminates TLS)", () => {
    const objects = renderMinimal({ ...GATEWAY, "ingress.rewrite": false });
    expect(at(findObject(objects, "HTTPRoute", SERVICE), "spec.rules")).toEqual([
      { matches: [{ path: { type: "PathPrefix", value: `/${SERVICE}` } }], backendRefs: [{ group: "", kind: "Service", name: SERVICE, port: 80 }] },
    ]);
    expect(objects.filter((o) => o.kind === "Ingress" || o.kind === "Certificate")).toEqual([]);
  });

  it("ingress.enabled false: no route", () => {
    expect(renderMinimal({ ...GATEWAY, "ingress.enabled": false }).filter((o) => o.kind === "HTTPRoute")).toEqual([]);
  });

  it("every option on validates", () => {
    validateManifests(renderMinimal({ ...ALL_ON, ...GATEWAY }), "all options on, gateway edge");
  });

  it("refuses the gateway edge without the Gateway's parentRef, and an unknown edge", () => {
    const withoutGateway = Object.fromEntries(Object.entries(GATEWAY).filter(([k]) => !k.startsWith("global.gateway")));
    expect(() => renderMinimal(withoutGateway)).toThrow(/missing property 'gateway'/);
    expect(() => renderMinimal({ ...GATEWAY, "global.edge": "traefik" })).toThrow(/global\/edge/);
  });
});

describe("both edges side by side during a switch (global.edgeStandby)", () => {
  it("renders the HTTPRoute and the Ingress, and lets both edges' proxies in", () => {
    const both = renderExample({ ...GATEWAY, "global.edge": "ingress-nginx", "global.edgeStandby": "gateway" });
    expect(names(both)).toEqual([...names(onIngressNginx), `HTTPRoute/${SERVICE}`].sort());
    expect(at(findObject(both, "HTTPRoute", SERVICE), "spec")).toEqual(at(findObject(onGateway, "HTTPRoute", SERVICE), "spec"));
    expect(at(findObject(both, "Ingress", SERVICE), "spec")).toEqual(at(findObject(onIngressNginx, "Ingress", SERVICE), "spec"));
    expect(at(findObject(both, "NetworkPolicy", `${SERVICE}-ingress`), "spec.ingress.0.from")).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": GATEWAY_NAMESPACE } } },
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
    ]);
    validateManifests(both, "documented example on both edges");
  });

  it("needs the Gateway's parentRef when the gateway edge stands by", () => {
    expect(() => renderMinimal({ ...stagingAppsetParams("ingress-nginx"), "global.edgeStandby": "gateway" })).toThrow(/missing property 'gateway'/);
  });
});
