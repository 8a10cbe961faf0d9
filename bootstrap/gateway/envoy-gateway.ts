// The gateway edge (docs/edge.md): Envoy Gateway's controller, the proxies' shape (EnvoyProxy:
// system nodes, replicas and PDB by environment, a ClusterIP Service because the NLB is the
// edge's EdgeEndpoint), the GatewayClass and the stack's one Gateway. Its listeners say who
// may attach: services on `*.<domain>` from service namespaces only, each platform UI on its
// own host from its own namespace only, plain HTTP only the redirect to HTTPS.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Environment } from "../../model";
import { CHARTS } from "../versions";
import { addonNamespace, chartRelease } from "../shared/k8s-helpers";
import { systemPlacement } from "../shared/placement";
import { WILDCARD_TLS_SECRET, type ProxyTarget } from "../ingress/edge-endpoint";
import {
  GATEWAY_CLASS,
  GATEWAY_CONTROLLER,
  GATEWAY_NAME,
  GATEWAY_NAMESPACE,
  GATEWAY_SERVICE,
  HTTP_LISTENER,
  PLATFORM_UIS,
  platformListener,
  PROXY_CONFIG,
  PROXY_POD_LABELS,
  PROXY_PORTS,
  SERVICE_ROUTE_NAMESPACES,
  SERVICES_LISTENER,
  type PlatformUi,
} from "./constants";

/** The Helm release: its name is the `app.kubernetes.io/instance` label of the chart's Services. */
export const ENVOY_GATEWAY_RELEASE = "envoy-gateway";
const GATEWAY_API = "gateway.networking.k8s.io/v1";

export interface EnvoyGatewayArgs {
  environment: Environment;
  domain: string;
  /** The Gateway API and Envoy Gateway CRDs (GatewayCrds). */
  crds: pulumi.Resource[];
}

export class EnvoyGateway extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly release: k8s.helm.v3.Release;
  public readonly gateway: k8s.apiextensions.CustomResource;
  /** Where the shared NLB sends traffic: the Gateway's proxy pods. */
  public readonly proxy: ProxyTarget;

  constructor(name: string, args: EnvoyGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:EnvoyGateway", name, {}, opts);
    const production = args.environment === "production";
    const child = { parent: this };
    this.namespace = addonNamespace(name, GATEWAY_NAMESPACE, child);

    this.release = chartRelease(
      name,
      CHARTS.envoyGateway,
      {
        releaseName: ENVOY_GATEWAY_RELEASE,
        namespace: this.namespace.metadata.name,
        values: {
          // GatewayCrds installs the standard channel; the chart's sub-chart would add the experimental one.
          crds: { enabled: false },
          deployment: { replicas: production ? 2 : 1, pod: systemPlacement() },
          podDisruptionBudget: { minAvailable: production ? 1 : 0 },
          // The certificate Job (Helm hook) runs on system nodes too.
          certgen: { job: systemPlacement() },
        },
      },
      { parent: this, dependsOn: args.crds },
    );

    const proxyConfig = new k8s.apiextensions.CustomResource(
      `${name}-proxy-config`,
      {
        apiVersion: "gateway.envoyproxy.io/v1alpha1",
        kind: "EnvoyProxy",
        metadata: { name: PROXY_CONFIG, namespace: this.namespace.metadata.name },
        spec: {
          provider: {
            type: "Kubernetes",
            kubernetes: {
              envoyDeployment: {
                replicas: production ? 3 : 1,
                pod: { ...systemPlacement(), ...(production ? { topologySpreadConstraints: [zoneSpread()] } : {}) },
              },
              // Cluster-internal only: the NLB is EdgeEndpoint's Service (Pulumi waits for its deletion).
              envoyService: { type: "ClusterIP" },
              ...(production ? { envoyPDB: { minAvailable: 2 } } : {}),
            },
          },
        },
      },
      { parent: this, dependsOn: args.crds },
    );

    const gatewayClass = new k8s.apiextensions.CustomResource(
      `${name}-class`,
      {
        apiVersion: GATEWAY_API,
        kind: "GatewayClass",
        metadata: { name: GATEWAY_CLASS },
        spec: {
          controllerName: GATEWAY_CONTROLLER,
          parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: PROXY_CONFIG, namespace: GATEWAY_NAMESPACE },
        },
      },
      { parent: this, dependsOn: [...args.crds, proxyConfig] },
    );

    this.gateway = new k8s.apiextensions.CustomResource(
      `${name}-gateway`,
      {
        apiVersion: GATEWAY_API,
        kind: "Gateway",
        metadata: { name: GATEWAY_NAME, namespace: this.namespace.metadata.name },
        spec: { gatewayClassName: GATEWAY_CLASS, listeners: gatewayListeners(args.domain) },
      },
      // The controller programs the proxies; without it the Gateway would wait unaccepted.
      { parent: this, dependsOn: [gatewayClass, this.release] },
    );

    new k8s.apiextensions.CustomResource(
      `${name}-https-redirect`,
      {
        apiVersion: GATEWAY_API,
        kind: "HTTPRoute",
        metadata: { name: "https-redirect", namespace: this.namespace.metadata.name },
        spec: {
          parentRefs: [{ name: GATEWAY_NAME, sectionName: HTTP_LISTENER }],
          rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        },
      },
      { parent: this, dependsOn: [this.gateway] },
    );

    this.proxy = {
      namespace: this.namespace.metadata.name,
      serviceName: GATEWAY_SERVICE,
      selector: { ...PROXY_POD_LABELS },
      targetPorts: { ...PROXY_PORTS },
    };
    this.registerOutputs({});
  }
}

/** The Gateway's listeners (exported for the tests and docs/edge.md). */
export function gatewayListeners(domain: string): Record<string, unknown>[] {
  const tls = { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: WILDCARD_TLS_SECRET }] };
  const httpRoutes = [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }];
  const https = (listener: string, hostname: string, namespaces: Record<string, unknown>): Record<string, unknown> => ({
    name: listener,
    port: 443,
    protocol: "HTTPS",
    hostname,
    tls,
    allowedRoutes: { namespaces: { from: "Selector", selector: namespaces }, kinds: httpRoutes },
  });
  return [
    // Only the redirect route of the Gateway's own namespace.
    { name: HTTP_LISTENER, port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" }, kinds: httpRoutes } },
    // Service namespaces only (the service label), on any host of the stack domain.
    https(SERVICES_LISTENER, `*.${domain}`, SERVICE_ROUTE_NAMESPACES),
    // Each platform host from its UI's namespace only.
    ...(Object.entries(PLATFORM_UIS) as [PlatformUi, string][]).map(([ui, namespace]) =>
      https(platformListener(ui), `${ui}.${domain}`, { matchLabels: { "kubernetes.io/metadata.name": namespace } }),
    ),
  ];
}

/** Spread the proxies over availability zones so one zone outage keeps the edge up. */
function zoneSpread(): Record<string, unknown> {
  return {
    maxSkew: 1,
    topologyKey: "topology.kubernetes.io/zone",
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: { ...PROXY_POD_LABELS } },
  };
}
