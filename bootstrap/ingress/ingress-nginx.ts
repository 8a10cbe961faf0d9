// ingress-nginx behind an NLB made by the AWS Load Balancer Controller, with the stack's
// wildcard certificate as default TLS certificate and `*.<domain>` pointing at the NLB.
// The LoadBalancer Service is a Pulumi object (not the chart's): Pulumi waits for its
// deletion, i.e. until the controller has removed the NLB, before it deletes the
// controller, the cluster and the VPC (docs/bootstrap.md, destroy order).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type { Environment } from "../../model";
import { CHARTS } from "../versions";
import { addonNamespace, chartRelease, WAIT_FOR_READY } from "../shared/k8s-helpers";
import { systemPlacement } from "../shared/placement";
import type { LetsencryptIssuer } from "../cert-manager/cluster-issuers";

export const INGRESS_NAMESPACE = "ingress-nginx";
export const INGRESS_CLASS = "nginx";
export const INGRESS_SERVICE = "ingress-nginx-controller";
export const WILDCARD_TLS_SECRET = "wildcard-tls";
const RELEASE_NAME = "ingress-nginx";

export interface IngressNginxArgs {
  environment: Environment;
  domain: string;
  hostedZoneId: string;
  /** Issuer of the wildcard default certificate. */
  wildcardIssuer: LetsencryptIssuer;
  /** The load balancer controller must exist before, and outlive, the NLB Service. */
  loadBalancerController: pulumi.Resource;
  /** What the wildcard Certificate waits for: cert-manager (its CRD and webhook) and its issuer. */
  after: pulumi.Resource[];
}

export class IngressNginx extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly service: k8s.core.v1.Service;
  public readonly loadBalancerHostname: pulumi.Output<string>;
  /** `*.<domain>` is resolvable and served with a valid certificate once these exist. */
  public readonly publicEndpoint: pulumi.Resource[];

  constructor(name: string, args: IngressNginxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:IngressNginx", name, {}, opts);
    const production = args.environment === "production";
    const namespace = addonNamespace(name, INGRESS_NAMESPACE, { parent: this });

    const certificate = new k8s.apiextensions.CustomResource(
      `${name}-wildcard-cert`,
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: WILDCARD_TLS_SECRET, namespace: namespace.metadata.name, annotations: WAIT_FOR_READY },
        spec: {
          secretName: WILDCARD_TLS_SECRET,
          dnsNames: [args.domain, `*.${args.domain}`],
          issuerRef: { name: args.wildcardIssuer, kind: "ClusterIssuer", group: "cert-manager.io" },
          privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        },
      },
      { parent: this, dependsOn: args.after, customTimeouts: { create: "20m" } },
    );

    const replicas = production ? 3 : 1;
    this.release = chartRelease(
      name,
      CHARTS.ingressNginx,
      {
        releaseName: RELEASE_NAME,
        namespace: namespace.metadata.name,
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
            // The Service below replaces the chart's; publish its NLB address on Ingresses.
            service: { enabled: false },
            extraArgs: {
              "default-ssl-certificate": `${INGRESS_NAMESPACE}/${WILDCARD_TLS_SECRET}`,
              "publish-service": `${INGRESS_NAMESPACE}/${INGRESS_SERVICE}`,
            },
          },
        },
      },
      // No wait for the certificate: the controller watches the default-ssl-certificate Secret
      // and serves it as soon as cert-manager writes it (its own fake certificate until then).
      { parent: this },
    );

    this.service = new k8s.core.v1.Service(
      `${name}-nlb`,
      {
        metadata: {
          name: INGRESS_SERVICE,
          namespace: namespace.metadata.name,
          annotations: {
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
            "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true",
          },
        },
        spec: {
          type: "LoadBalancer",
          // Claimed by the AWS Load Balancer Controller, never by the legacy in-tree one.
          loadBalancerClass: "service.k8s.aws/nlb",
          selector: {
            "app.kubernetes.io/name": "ingress-nginx",
            "app.kubernetes.io/instance": RELEASE_NAME,
            "app.kubernetes.io/component": "controller",
          },
          ports: [
            { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
            { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
          ],
        },
      },
      { parent: this, dependsOn: [this.release, args.loadBalancerController], customTimeouts: { delete: "20m" } },
    );
    this.loadBalancerHostname = this.service.status.loadBalancer.ingress[0].hostname;

    const record = new aws.route53.Record(
      `${name}-wildcard-dns`,
      { zoneId: args.hostedZoneId, name: `*.${args.domain}`, type: "CNAME", ttl: 300, records: [this.loadBalancerHostname] },
      { parent: this },
    );
    this.publicEndpoint = [this.service, record, certificate];
    this.registerOutputs({ loadBalancerHostname: this.loadBalancerHostname });
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
