// The platform UIs Argo CD installs (Grafana, Kiali, Jaeger's oauth2-proxy) on each edge
// (docs/edge.md): the ApplicationSets rendered by the real template engine for a cluster Secret
// whose edge annotations are those bootstrap writes (edgeAnnotations), then each Application's
// Helm values and manifests resolved the way Argo CD resolves them. On the gateway edge a UI
// gets exactly one HTTPRoute on its own listener of the shared Gateway and no Ingress; on
// ingress-nginx its Ingress as before and no route; during a switch both.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_NAME, GATEWAY_NAMESPACE, PLATFORM_UIS, platformListener, type PlatformUi } from "../../bootstrap/gateway/constants";
import { gatewayListeners } from "../../bootstrap/gateway/envoy-gateway";
import { edgeAnnotations, NO_STANDBY_EDGE } from "../../bootstrap/handoff/gitops-bridge";
import { hostValidations } from "../../bootstrap/handoff/host-policy";
import type { Edge } from "../../model";
import { validateManifests } from "../harness/k8s-schema";
import {
  clusterSecret,
  isPlatformRepo,
  loadAppSets,
  manifestsOf,
  readDocs,
  REPO_ROOT,
  type Application,
  type Doc,
  type Source,
} from "../platform-apps/platform";
import { renderForCluster } from "../platform-apps/template";
import { at, mergeValues } from "../platform-apps/values";

const ENVIRONMENT = "staging";
const DOMAIN = clusterSecret(ENVIRONMENT).metadata.annotations.domain;

/** The Applications of platform-apps/ for a stack on `edge` (and `standby` during a switch). */
function applicationsOn(edge: Edge, standby?: Edge): Application[] {
  const cluster = clusterSecret(ENVIRONMENT);
  Object.assign(cluster.metadata.annotations, edgeAnnotations(edge, standby));
  return renderForCluster(
    loadAppSets().map(({ appset }) => appset),
    cluster,
  ).flat() as Application[];
}

/** The merged Helm values of one chart source: its value files that exist, in order, then valuesObject. */
function valuesOf(apps: Application[], appName: string, chart: string): Doc {
  const app = apps.find((a) => a.metadata.name === appName);
  const source = app?.spec.sources.find((s) => s.chart === chart);
  if (!source?.helm) throw new Error(`Application ${appName} has no Helm source of chart ${chart}`);
  const files = (source.helm.valueFiles ?? [])
    .map((file) => path.join(REPO_ROOT, file.replace(/^\$values\//, "")))
    .filter((file) => {
      if (fs.existsSync(file)) return true;
      if (source.helm?.ignoreMissingValueFiles === true) return false;
      throw new Error(`Application ${appName}: value file ${file} does not exist`);
    })
    .map((file) => readDocs(file)[0] ?? {});
  return [...files, source.helm.valuesObject ?? {}].reduce(mergeValues, {});
}

/** Every manifest the Application's platform-repo sources apply. */
function manifestsOfApp(apps: Application[], appName: string): Doc[] {
  const app = apps.find((a) => a.metadata.name === appName);
  if (!app) throw new Error(`no Application ${appName}`);
  return app.spec.sources.filter(isPlatformRepo).flatMap((source: Source) => manifestsOf(source, appName));
}

const routesIn = (docs: Doc[]): Doc[] => docs.filter((d) => d.kind === "HTTPRoute");
const parentRef = (ui: PlatformUi): Doc => ({
  group: "gateway.networking.k8s.io",
  kind: "Gateway",
  name: GATEWAY_NAME,
  namespace: GATEWAY_NAMESPACE,
  sectionName: platformListener(ui),
});
/** The route manifests of Kiali and Jaeger (Kiali's operator makes no routes; the oauth2-proxy chart's own, gatewayApi, stays off). */
const manifestRoute = (ui: PlatformUi, backend: { name: string; port: number }): Doc => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name: ui, namespace: PLATFORM_UIS[ui] },
  spec: { parentRefs: [parentRef(ui)], rules: [{ backendRefs: [{ group: "", kind: "Service", name: backend.name, port: backend.port }] }] },
});
const KIALI_ROUTE = manifestRoute("kiali", { name: "kiali", port: 20001 });
const JAEGER_ROUTE = manifestRoute("jaeger", { name: "jaeger-oauth2-proxy", port: 80 });

describe("the cluster Secret's edge annotations", () => {
  it("name the serving edge and the standby one, or none", () => {
    expect(edgeAnnotations("gateway")).toEqual({ edge: "gateway", edge_standby: "none" });
    expect(edgeAnnotations("ingress-nginx", "gateway")).toEqual({ edge: "ingress-nginx", edge_standby: "gateway" });
    expect(NO_STANDBY_EDGE).toBe("none");
  });
});

describe("platform UIs on the gateway edge", () => {
  let apps: Application[] = [];
  beforeAll(() => {
    apps = applicationsOn("gateway");
  });

  it("Grafana: the chart's HTTPRoute on its listener at grafana.<domain>, no Ingress", () => {
    const values = valuesOf(apps, "grafana", "grafana");
    expect(at(values, "route", "main", "enabled")).toBe(true);
    expect(at(values, "route", "main", "hostnames")).toEqual([`grafana.${DOMAIN}`]);
    expect(at(values, "route", "main", "parentRefs")).toEqual([parentRef("grafana")]);
    expect(at(values, "ingress", "enabled")).toBe(false);
  });

  it("Kiali: our HTTPRoute on its listener, the operator's Ingress off", () => {
    expect(at(valuesOf(apps, "kiali", "kiali-operator"), "cr", "spec", "deployment", "ingress", "enabled")).toBe(false);
    expect(routesIn(manifestsOfApp(apps, "kiali"))).toEqual([KIALI_ROUTE]);
  });

  it("Jaeger: our HTTPRoute to oauth2-proxy on its listener, the proxy's Ingress and own route off (chart defaults)", () => {
    expect(at(valuesOf(apps, "jaeger", "oauth2-proxy"), "ingress", "enabled")).toBeUndefined();
    expect(at(valuesOf(apps, "jaeger", "oauth2-proxy"), "gatewayApi")).toBeUndefined();
    expect(routesIn(manifestsOfApp(apps, "jaeger"))).toEqual([JAEGER_ROUTE]);
  });

  it("no other platform app makes a route, and the routes validate against the pinned Gateway API CRDs", () => {
    const routes = apps.flatMap((app) => routesIn(manifestsOfApp(apps, app.metadata.name)));
    expect(routes.map((r) => `${String((r.metadata as Doc).namespace)}/${String((r.metadata as Doc).name)}`)).toEqual([
      "observability/jaeger",
      "istio-system/kiali",
    ]);
    validateManifests(routes, "platform UI routes");
  });

  it("every host is a platform host the service host policy reserves, on a listener that admits only that UI's namespace", () => {
    const listeners = gatewayListeners(DOMAIN) as Array<{ name: string; hostname?: string; allowedRoutes: { namespaces: Doc } }>;
    const policy = hostValidations({ clusterDomain: DOMAIN })
      .map((v) => v.expression)
      .join("\n");
    for (const ui of ["grafana", "kiali", "jaeger"] as const) {
      const listener = listeners.find((l) => l.name === platformListener(ui));
      expect(listener?.hostname).toBe(`${ui}.${DOMAIN}`);
      expect(listener?.allowedRoutes.namespaces).toEqual({ from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": PLATFORM_UIS[ui] } } });
      expect(policy).toContain(`'${ui}.${DOMAIN}'`);
    }
  });
});

describe("platform UIs on the ingress-nginx edge", () => {
  let apps: Application[] = [];
  beforeAll(() => {
    apps = applicationsOn("ingress-nginx");
  });

  it("Grafana: the chart's Ingress at grafana.<domain> with TLS from the stack's issuer, no route", () => {
    const values = valuesOf(apps, "grafana", "grafana");
    expect(at(values, "ingress", "enabled")).toBe(true);
    expect(at(values, "ingress", "ingressClassName")).toBe("nginx");
    expect(at(values, "ingress", "hosts")).toEqual([`grafana.${DOMAIN}`]);
    expect(at(values, "ingress", "tls")).toEqual([{ secretName: "grafana-tls", hosts: [`grafana.${DOMAIN}`] }]);
    expect(at(values, "route", "main", "enabled")).toBeUndefined();
  });

  it("Kiali: the operator's Ingress at kiali.<domain>, no route", () => {
    const ingress = at(valuesOf(apps, "kiali", "kiali-operator"), "cr", "spec", "deployment", "ingress") as Doc;
    expect(ingress.enabled).toBe(true);
    expect(ingress.class_name).toBe("nginx");
    expect(at(ingress, "override_yaml", "spec", "rules")).toEqual([
      { host: `kiali.${DOMAIN}`, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "kiali", port: { number: 20001 } } } }] } },
    ]);
    expect(routesIn(manifestsOfApp(apps, "kiali"))).toEqual([]);
  });

  it("Jaeger: oauth2-proxy's Ingress at jaeger.<domain>, no route", () => {
    const values = valuesOf(apps, "jaeger", "oauth2-proxy");
    expect(at(values, "ingress", "enabled")).toBe(true);
    expect(at(values, "ingress", "className")).toBe("nginx");
    expect(at(values, "ingress", "hosts")).toEqual([`jaeger.${DOMAIN}`]);
    expect(routesIn(manifestsOfApp(apps, "jaeger"))).toEqual([]);
  });
});

describe("platform UIs during a switch (both edges side by side)", () => {
  it.each([
    ["ingress-nginx", "gateway"],
    ["gateway", "ingress-nginx"],
  ] as const)("edge %s, standby %s: every UI has its Ingress and its route", (edge, standby) => {
    const apps = applicationsOn(edge, standby);
    const grafana = valuesOf(apps, "grafana", "grafana");
    expect([at(grafana, "ingress", "enabled"), at(grafana, "route", "main", "enabled")]).toEqual([true, true]);
    expect(at(valuesOf(apps, "kiali", "kiali-operator"), "cr", "spec", "deployment", "ingress", "enabled")).toBe(true);
    expect(at(valuesOf(apps, "jaeger", "oauth2-proxy"), "ingress", "enabled")).toBe(true);
    expect(apps.flatMap((app) => routesIn(manifestsOfApp(apps, app.metadata.name)))).toEqual([JAEGER_ROUTE, KIALI_ROUTE]);
  });
});
