// Names of the gateway edge (docs/edge.md) that the bootstrap, the services ApplicationSet (the
// chart's parentRef) and the tests share. One shared Gateway per stack, in the controller's
// namespace: Envoy Gateway runs each Gateway's proxies there, next to the NLB Service.
import { ARGOCD_NAMESPACE } from "../argocd/argocd";
import { SERVICE_LABEL } from "../../model/team";
import { VAULT_NAMESPACE } from "../vault/constants";

export const GATEWAY_NAMESPACE = "envoy-gateway-system";
export const GATEWAY_NAME = "holodeck";
export const GATEWAY_CLASS = "envoy-gateway";
/** The controller name Envoy Gateway's chart configures by default. */
export const GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
/** EnvoyProxy (the proxies' Deployment, Service and PDB), referenced by the GatewayClass. */
export const PROXY_CONFIG = "holodeck-proxy";
/** The Pulumi-owned NLB Service in front of the proxies. */
export const GATEWAY_SERVICE = "envoy-gateway-nlb";

/** Listener names: plain HTTP (redirect only), the services' wildcard, one per platform UI. */
export const HTTP_LISTENER = "http";
export const SERVICES_LISTENER = "https-services";
export const platformListener = (ui: PlatformUi): string => `https-${ui}`;

/**
 * Platform UIs: host `<ui>.<domain>` -> the only namespace whose routes may serve it. Each has
 * its own listener, more specific than `*.<domain>`, so a service route naming that host never
 * receives its traffic.
 */
export const PLATFORM_UIS = {
  argocd: ARGOCD_NAMESPACE,
  vault: VAULT_NAMESPACE,
  grafana: "monitoring",
  kiali: "istio-system",
  jaeger: "observability",
} as const;
export type PlatformUi = keyof typeof PLATFORM_UIS;

/**
 * Namespaces whose HTTPRoutes may attach to the services listener: those carrying the service
 * label, which the team chart sets on each service namespace (its value is the service) and the
 * host admission policy keys on (bootstrap/handoff/host-policy.ts). No platform namespace
 * carries it, so a platform app cannot claim a service host, nor a service a platform listener.
 */
export const SERVICE_ROUTE_NAMESPACES = { matchExpressions: [{ key: SERVICE_LABEL, operator: "Exists" }] } as const;

/** Envoy Gateway listens on listener port + 10000 for ports below 1024 (non-root proxies). */
export const PROXY_PORTS = { http: 10080, https: 10443 } as const;

/** Labels Envoy Gateway puts on the proxy pods of GATEWAY_NAME. */
export const PROXY_POD_LABELS = {
  "app.kubernetes.io/name": "envoy",
  "app.kubernetes.io/component": "proxy",
  "app.kubernetes.io/managed-by": "envoy-gateway",
  "gateway.envoyproxy.io/owning-gateway-name": GATEWAY_NAME,
  "gateway.envoyproxy.io/owning-gateway-namespace": GATEWAY_NAMESPACE,
} as const;
