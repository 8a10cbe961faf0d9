// ingress-nginx (retired upstream in 03/2026, kept as the `holodeck:edge: ingress-nginx` option,
// docs/edge.md): the controller with the stack's wildcard certificate as default TLS
// certificate. The NLB and the certificate are this edge's EdgeEndpoint (edge-endpoint.ts),
// pointed at this controller's pods.
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { Environment } from "../../model";
import { CHARTS } from "../versions";
import { addonNamespace, chartRelease } from "../shared/k8s-helpers";
import { systemPlacement } from "../shared/placement";
import { WILDCARD_TLS_SECRET, type ProxyTarget } from "./edge-endpoint";

export const INGRESS_NAMESPACE = "ingress-nginx";
export const INGRESS_CLASS = "nginx";
export const INGRESS_SERVICE = "ingress-nginx-controller";
const RELEASE_NAME = "ingress-nginx";
/**
 * The certificate ingress-nginx serves for an Ingress TLS host without a secretName: the
 * edge's wildcard, in the controller's own namespace (an Ingress can name only Secrets of
 * its own namespace, so service Ingresses list their host and leave the Secret out).
 */
export const DEFAULT_SSL_CERTIFICATE = `${INGRESS_NAMESPACE}/${WILDCARD_TLS_SECRET}`;

export interface IngressNginxArgs {
  environment: Environment;
}

export class IngressNginx extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly release: k8s.helm.v3.Release;
  /** Where the shared NLB sends traffic: the controller pods' named ports. */
  public readonly proxy: ProxyTarget;

  constructor(name: string, args: IngressNginxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:IngressNginx", name, {}, opts);
    const production = args.environment === "production";
    this.namespace = addonNamespace(name, INGRESS_NAMESPACE, { parent: this });

    const replicas = production ? 3 : 1;
    this.release = chartRelease(
      name,
      CHARTS.ingressNginx,
      {
        releaseName: RELEASE_NAME,
        namespace: this.namespace.metadata.name,
        values: {
          controller: {
            replicaCount: replicas,
            // The chart adds a PodDisruptionBudget whenever replicaCount > 1.
            minAvailable: production ? 2 : 1,
            topologySpreadConstraints: production ? [zoneSpread()] : [],
            ingressClassResource: { name: INGRESS_CLASS, enabled: true, default: true },
            ingressClass: INGRESS_CLASS,
            allowSnippetAnnotations: false,
            ...systemPlacement(),
            // The certificate Jobs (Helm hooks) run on system nodes too.
            admissionWebhooks: { enabled: true, patch: systemPlacement() },
            metrics: { enabled: true, serviceMonitor: { enabled: false } },
            // EdgeEndpoint's Service replaces the chart's; publish its NLB address on Ingresses.
            service: { enabled: false },
            extraArgs: {
              "default-ssl-certificate": DEFAULT_SSL_CERTIFICATE,
              "publish-service": `${INGRESS_NAMESPACE}/${INGRESS_SERVICE}`,
            },
          },
        },
      },
      // No wait for the certificate: the controller watches the default-ssl-certificate Secret
      // and serves it as soon as cert-manager writes it (its own fake certificate until then).
      { parent: this },
    );
    this.proxy = {
      namespace: this.namespace.metadata.name,
      serviceName: INGRESS_SERVICE,
      selector: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": RELEASE_NAME, "app.kubernetes.io/component": "controller" },
      targetPorts: { http: "http", https: "https" },
    };
    this.registerOutputs({});
  }
}

/** Spread replicas over availability zones so one zone outage keeps ingress up. */
function zoneSpread(): Record<string, unknown> {
  return {
    maxSkew: 1,
    topologyKey: "topology.kubernetes.io/zone",
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: {
      matchLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": RELEASE_NAME, "app.kubernetes.io/component": "controller" },
    },
  };
}
