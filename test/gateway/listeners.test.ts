// Who may attach to which listener of the shared Gateway (docs/edge.md, tenancy at the edge):
// service routes from the namespaces the team chart labels with the service label (the label
// the host admission policy keys on), each platform host from its UI's namespace only. The
// selectors are evaluated against the namespaces the team chart really renders.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PLATFORM_UIS, SERVICE_ROUTE_NAMESPACES, SERVICES_LISTENER } from "../../bootstrap/gateway/constants";
import { gatewayListeners } from "../../bootstrap/gateway/envoy-gateway";
import { hostPolicyObjects } from "../../bootstrap/handoff/host-policy";
import { TEAM_CHART_PATH } from "../../bootstrap/handoff/teams-appset";
import { SERVICE_LABEL } from "../../model/team";
import { helmTemplate, type K8sObject } from "../harness/helm";
import { REPO_ROOT } from "../harness/stacks";

const DOMAIN = "staging.eu-west-1.holodeck.dev";
const TEAM_FILE = path.join(REPO_ROOT, "services-root", "example", "teams", "checkout.json");
const PLATFORM = {
  server: "https://kubernetes.default.svc",
  argocdNamespace: "argocd",
  serviceRepoUrlPrefix: "https://gitlab.com/holodeck/services",
  serviceChartRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts",
};

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
interface Listener {
  name: string;
  hostname?: string;
  allowedRoutes: { namespaces: { from: string; selector?: Selector } };
}

/** A label selector's meaning (the operators the Gateway's selectors use), as the API server evaluates it. */
function selects(selector: Selector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    if (e.operator === "Exists") return key(e.key, labels);
    if (e.operator === "DoesNotExist") return !key(e.key, labels);
    throw new Error(`selector operator ${e.operator} is not evaluated here`);
  });
  return byLabel && byExpression;
}
const key = (name: string, labels: Record<string, string>): boolean => Object.prototype.hasOwnProperty.call(labels, name);

/** The labels a platform namespace has (the API server sets kubernetes.io/metadata.name on every namespace). */
const platformNamespace = (name: string): Record<string, string> => ({ "kubernetes.io/metadata.name": name });

describe("the Gateway's listeners", () => {
  const listeners = gatewayListeners(DOMAIN) as unknown as Listener[];
  const byName = (name: string): Listener => {
    const listener = listeners.find((l) => l.name === name);
    if (!listener) throw new Error(`no listener ${name}`);
    return listener;
  };
  let serviceNamespaces: K8sObject[] = [];
  beforeAll(() => {
    serviceNamespaces = helmTemplate(
      path.join(REPO_ROOT, TEAM_CHART_PATH),
      [TEAM_FILE],
      { platform: PLATFORM },
      { releaseName: "team-checkout", namespace: "argocd" },
    ).filter((o) => o.kind === "Namespace");
  });

  it("services: routes from namespaces carrying the service label, exactly that selector", () => {
    expect(byName(SERVICES_LISTENER).allowedRoutes.namespaces).toEqual({
      from: "Selector",
      selector: { matchExpressions: [{ key: "holodeck.dev/service", operator: "Exists" }] },
    });
    expect(SERVICE_ROUTE_NAMESPACES).toEqual({ matchExpressions: [{ key: SERVICE_LABEL, operator: "Exists" }] });
  });

  it("the services selector is the host admission policy's: a route it admits is also checked for host and path", () => {
    const policy = hostPolicyObjects({ clusterDomain: DOMAIN })[0] as { spec: { matchConstraints: { namespaceSelector: Selector } } };
    expect(policy.spec.matchConstraints.namespaceSelector).toEqual(SERVICE_ROUTE_NAMESPACES);
  });

  it("admits every service namespace the team chart makes, and no platform namespace", () => {
    expect(serviceNamespaces.map((n) => n.metadata.name)).toEqual(["python-example"]);
    const selector = byName(SERVICES_LISTENER).allowedRoutes.namespaces.selector ?? {};
    for (const namespace of serviceNamespaces) expect(selects(selector, namespace.metadata.labels ?? {}), namespace.metadata.name).toBe(true);
    for (const namespace of [...Object.values(PLATFORM_UIS), "envoy-gateway-system", "kube-system", "default"]) {
      expect(selects(selector, platformNamespace(namespace)), namespace).toBe(false);
    }
  });

  it("each platform host admits its UI's namespace only, never a service namespace", () => {
    for (const [ui, namespace] of Object.entries(PLATFORM_UIS)) {
      const listener = byName(`https-${ui}`);
      expect(listener.hostname).toBe(`${ui}.${DOMAIN}`);
      expect(listener.allowedRoutes.namespaces).toEqual({ from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } });
      for (const other of Object.values(PLATFORM_UIS).filter((n) => n !== namespace)) {
        expect(selects(listener.allowedRoutes.namespaces.selector ?? {}, platformNamespace(other)), `${ui} <- ${other}`).toBe(false);
      }
      for (const service of serviceNamespaces) {
        expect(selects(listener.allowedRoutes.namespaces.selector ?? {}, service.metadata.labels ?? {}), `${ui} <- ${service.metadata.name}`).toBe(false);
      }
    }
  });

  it("plain HTTP admits only the Gateway's own namespace (its redirect route)", () => {
    expect(byName("http").allowedRoutes.namespaces).toEqual({ from: "Same" });
    expect(listeners.map((l) => l.name)).toEqual(["http", "https-services", "https-argocd", "https-vault", "https-grafana", "https-kiali", "https-jaeger"]);
  });
});
