// One certificate per edge, issued by the platform, for every service of every domain host
// (issue 16): N services of one domain render no Certificate, no cert-manager annotation and
// no per-service TLS Secret on either edge; the host they share is covered by the edge's
// wildcard certificate that bootstrap issues (ingress-nginx's default certificate, the
// Gateway's services listener). Let's Encrypt therefore sees one order per edge and stack.
import { describe, expect, it } from "vitest";
import { gatewayListeners } from "../../bootstrap/gateway/envoy-gateway";
import { SERVICES_LISTENER } from "../../bootstrap/gateway/constants";
import { WILDCARD_TLS_SECRET, wildcardDnsNames } from "../../bootstrap/ingress/edge-endpoint";
import { DEFAULT_SSL_CERTIFICATE, INGRESS_NAMESPACE } from "../../bootstrap/ingress/ingress-nginx";
import { findObject, helmTemplate, type HelmSets, type K8sObject } from "../harness/helm";
import { CHART_DIR, CLUSTER_DOMAIN, at, minimalSets, renderMinimal } from "./render";

const SERVICES = ["python-example", "billing-api", "weather", "search", "orders", "checkout"];
const GATEWAY_EDGE: HelmSets = {
  "global.edge": "gateway",
  "global.gateway.namespace": "envoy-gateway-system",
  "global.gateway.name": "holodeck",
  "global.gateway.sectionName": SERVICES_LISTENER,
};

const rendered = new Map<string, K8sObject[]>();

/** Service `service` of domain `services` as the services ApplicationSet renders it, on the given edge (rendered once). */
function renderService(service: string, edge: HelmSets): K8sObject[] {
  const key = `${service}@${edge === GATEWAY_EDGE ? "gateway" : "ingress-nginx"}`;
  const cached = rendered.get(key);
  if (cached) return cached;
  const sets = minimalSets({ ...edge, "global.service": service, "global.platform.service": service });
  const objects = helmTemplate(CHART_DIR, [], sets, { releaseName: service, namespace: service });
  rendered.set(key, objects);
  return objects;
}

/** Does a certificate name (possibly `*.` wildcard, one label) cover `host`, as TLS clients match it? */
const covers = (name: string, host: string): boolean =>
  name.startsWith("*.") ? host.endsWith(name.slice(1)) && !host.slice(0, -name.length + 1).includes(".") : name === host;

const certificateAnnotations = (o: K8sObject): string[] => Object.keys(o.metadata.annotations ?? {}).filter((key) => key.startsWith("cert-manager.io/"));

describe(`${SERVICES.length} services of one domain (more than Let's Encrypt's 5 duplicate certificates a week)`, () => {
  const host = `services.${CLUSTER_DOMAIN}`;

  it("on ingress-nginx: every Ingress lists the shared host with no Secret and no issuer, so the default certificate serves it", () => {
    const ingresses = SERVICES.map((service) => findObject(renderService(service, {}), "Ingress", service));
    for (const ingress of ingresses) {
      expect(at(ingress, "spec.tls"), ingress.metadata.name).toEqual([{ hosts: [host] }]);
      expect(at(ingress, "spec.rules.0.host")).toBe(host);
      expect(certificateAnnotations(ingress)).toEqual([]);
    }
    // The controller's default certificate is the edge's wildcard, in its own namespace.
    expect(DEFAULT_SSL_CERTIFICATE).toBe(`${INGRESS_NAMESPACE}/${WILDCARD_TLS_SECRET}`);
  });

  it("on the gateway: every HTTPRoute attaches to the services listener, which terminates TLS with the wildcard", () => {
    const routes = SERVICES.map((service) => findObject(renderService(service, GATEWAY_EDGE), "HTTPRoute", service));
    for (const route of routes) {
      expect(at(route, "spec.hostnames")).toEqual([host]);
      expect(at(route, "spec.parentRefs.0.sectionName")).toBe(SERVICES_LISTENER);
      expect(certificateAnnotations(route)).toEqual([]);
    }
    const listener = gatewayListeners(CLUSTER_DOMAIN).find((l) => l.name === SERVICES_LISTENER);
    expect(listener?.hostname).toBe(`*.${CLUSTER_DOMAIN}`);
    expect(at(listener, "tls")).toEqual({ mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: WILDCARD_TLS_SECRET }] });
  });

  it("renders no Certificate and no TLS Secret of its own on either edge", () => {
    for (const service of SERVICES) {
      for (const edge of [{}, GATEWAY_EDGE]) {
        const objects = renderService(service, edge);
        expect(objects.filter((o) => ["Certificate", "Secret", "Issuer"].includes(o.kind))).toEqual([]);
      }
    }
  });

  it("is covered, domain host by domain host, by the names of the edge's one wildcard certificate", () => {
    const names = wildcardDnsNames(CLUSTER_DOMAIN);
    expect(names).toEqual([CLUSTER_DOMAIN, `*.${CLUSTER_DOMAIN}`]);
    for (const domain of ["services", "payments", "identity", "catalog", "data"]) {
      expect(
        names.some((name) => covers(name, `${domain}.${CLUSTER_DOMAIN}`)),
        domain,
      ).toBe(true);
    }
    // A wildcard covers one label only: the reason domains are single labels (schema enum).
    expect(names.some((name) => covers(name, `a.services.${CLUSTER_DOMAIN}`))).toBe(false);
  });
});

describe("a service cannot ask for its own certificate", () => {
  it("refuses cert-manager annotations on its Ingress, naming the key", () => {
    expect(() => renderMinimal({ "ingress.annotations": { "cert-manager.io/cluster-issuer": "letsencrypt-prod" } })).toThrow(
      `holodeck-service: ingress.annotations sets cert-manager.io/cluster-issuer, but a service requests no certificate: the platform's wildcard certificate for *.${CLUSTER_DOMAIN} serves every domain host (docs/chart.md)`,
    );
  });

  it("no longer accepts ingress.certificate (schema)", () => {
    expect(() => renderMinimal({ "ingress.certificate": "clusterIssuer" })).toThrow(/additional properties 'certificate' not allowed/);
  });
});
