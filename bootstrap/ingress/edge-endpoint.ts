// What every public edge has the same way (docs/edge.md): the wildcard certificate `*.<domain>`
// in the edge's namespace and its NLB (a LoadBalancer Service claimed by the AWS Load Balancer
// Controller, selecting the edge's proxy pods). The Service is a Pulumi object, not a chart's:
// Pulumi waits for its deletion, i.e. until the controller has removed the NLB, before it
// deletes the controller, the cluster and the VPC. `*.<domain>` points at the serving edge's
// NLB (wildcard-record.ts).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { WAIT_FOR_READY } from "../shared/k8s-helpers";
import type { LetsencryptIssuer } from "../cert-manager/cluster-issuers";

export const WILDCARD_TLS_SECRET = "wildcard-tls";

/**
 * The names of the edge's one certificate: every domain host `<domain>.<stack domain>` of
 * every service (one DNS label under the stack domain) is served with it, so services
 * request none (docs/chart.md) and Let's Encrypt sees one order per edge, not one per service.
 */
export function wildcardDnsNames(domain: string): string[] {
  return [domain, `*.${domain}`];
}

/** The NLB Service's annotations (same for every edge): internet-facing, IP targets, client IPs kept. */
export const NLB_ANNOTATIONS: Record<string, string> = {
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
  "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
  "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
  "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true",
};

/** Claimed by the AWS Load Balancer Controller, never by the legacy in-tree one. */
export const NLB_CLASS = "service.k8s.aws/nlb";

/** Where the NLB sends ports 80 and 443 on the edge's proxy pods (a port number or name). */
export interface ProxyTarget {
  namespace: pulumi.Input<string>;
  serviceName: string;
  selector: Record<string, string>;
  targetPorts: { http: number | string; https: number | string };
}

export interface EdgeEndpointArgs {
  domain: string;
  /** Issuer of the wildcard certificate. */
  wildcardIssuer: LetsencryptIssuer;
  proxy: ProxyTarget;
  /** What the wildcard Certificate waits for: cert-manager (its CRD and webhook), its issuer, the edge's namespace. */
  certificateAfter: pulumi.Resource[];
  /** What the NLB Service waits for: the load balancer controller (it must claim the Service and outlive it) and the edge's proxies. */
  serviceAfter: pulumi.Resource[];
  /**
   * URN of the component that owned these resources before they moved here (ingress-nginx's,
   * of the same name), so stacks deployed before keep them instead of replacing them.
   */
  formerParent?: pulumi.Input<string>;
}

export class EdgeEndpoint extends pulumi.ComponentResource {
  public readonly service: k8s.core.v1.Service;
  public readonly certificate: k8s.apiextensions.CustomResource;
  public readonly loadBalancerHostname: pulumi.Output<string>;

  constructor(name: string, args: EdgeEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:EdgeEndpoint", name, {}, opts);
    const formerParent = args.formerParent;
    const formerly = (suffix: string): pulumi.Alias[] => (formerParent === undefined ? [] : [{ name: `${name}-${suffix}`, parent: formerParent }]);

    this.certificate = new k8s.apiextensions.CustomResource(
      `${name}-wildcard-cert`,
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: WILDCARD_TLS_SECRET, namespace: args.proxy.namespace, annotations: WAIT_FOR_READY },
        spec: {
          secretName: WILDCARD_TLS_SECRET,
          dnsNames: wildcardDnsNames(args.domain),
          issuerRef: { name: args.wildcardIssuer, kind: "ClusterIssuer", group: "cert-manager.io" },
          privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        },
      },
      { parent: this, dependsOn: args.certificateAfter, customTimeouts: { create: "20m" }, aliases: formerly("wildcard-cert") },
    );

    this.service = new k8s.core.v1.Service(
      `${name}-nlb`,
      {
        metadata: { name: args.proxy.serviceName, namespace: args.proxy.namespace, annotations: NLB_ANNOTATIONS },
        spec: {
          type: "LoadBalancer",
          loadBalancerClass: NLB_CLASS,
          selector: args.proxy.selector,
          ports: [
            { name: "http", port: 80, targetPort: args.proxy.targetPorts.http, protocol: "TCP" },
            { name: "https", port: 443, targetPort: args.proxy.targetPorts.https, protocol: "TCP" },
          ],
        },
      },
      { parent: this, dependsOn: args.serviceAfter, customTimeouts: { delete: "20m" }, aliases: formerly("nlb") },
    );
    this.loadBalancerHostname = this.service.status.loadBalancer.ingress[0].hostname;

    this.registerOutputs({ loadBalancerHostname: this.loadBalancerHostname });
  }
}
