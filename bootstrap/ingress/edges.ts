// The public edges of a stack (docs/edge.md): the serving one (`holodeck:edge`, behind
// `*.<domain>`) and, during a switch, a standby one (`holodeck:edgeStandby`) installed side by
// side with its own NLB and no DNS (docs/runbooks/edge-switch.md). Each edge's resources have
// fixed names whichever role it plays, so a switch only moves the record.
import * as pulumi from "@pulumi/pulumi";
import type { Edge, Environment } from "../../model";
import type { LetsencryptIssuer } from "../cert-manager/cluster-issuers";
import { GatewayCrds } from "../gateway/crds";
import { EnvoyGateway } from "../gateway/envoy-gateway";
import { EdgeEndpoint, type ProxyTarget } from "./edge-endpoint";
import { IngressNginx } from "./ingress-nginx";
import { WildcardRecord } from "./wildcard-record";

export interface EdgesArgs {
  serving: Edge;
  standby?: Edge;
  environment: Environment;
  domain: string;
  hostedZoneId: string;
  /** Issuer of the wildcard certificates. */
  wildcardIssuer: LetsencryptIssuer;
  /** What a wildcard Certificate waits for: cert-manager (its CRD and webhook) and its issuer. */
  certificateAfter: pulumi.Resource[];
  /** The load balancer controller must claim each NLB Service and outlive it. */
  loadBalancerController: pulumi.Resource;
}

export interface InstalledEdge {
  edge: Edge;
  release: pulumi.Resource;
  endpoint: EdgeEndpoint;
}

export interface PublicEdges {
  serving: InstalledEdge;
  all: InstalledEdge[];
  record: WildcardRecord;
  /** The Gateway, when the gateway edge is installed (serving or standby). */
  gateway?: pulumi.Resource;
  /** What a chart's Ingress must wait for: ingress-nginx's admission webhook (failurePolicy Fail), when installed. */
  ingressAdmission: pulumi.Resource[];
  /** `*.<domain>` is resolvable and served with a valid certificate once these exist. */
  ready: pulumi.Resource[];
}

/** Installs the edges as children of `parent` (the Bootstrap), named from `name`. */
export function installEdges(name: string, args: EdgesArgs, parent: pulumi.ComponentResource): PublicEdges {
  const child = { parent };
  // Ingress-nginx's resources (and the record) kept their names when they moved out of IngressNginx.
  const ingressName = `${name}-ingress`;
  const formerParent = pulumi.createUrn(ingressName, "holodeck:bootstrap:IngressNginx", parent);
  let gateway: pulumi.Resource | undefined;
  let ingressAdmission: pulumi.Resource[] = [];
  const install = (edge: Edge): InstalledEdge => {
    const controller = ((): { release: pulumi.Resource; proxy: ProxyTarget } => {
      if (edge === "ingress-nginx") {
        const nginx = new IngressNginx(ingressName, { environment: args.environment }, child);
        ingressAdmission = [nginx.release];
        return nginx;
      }
      // Everything of the gateway edge uses the Gateway API and Envoy Gateway kinds.
      const crds = new GatewayCrds(`${name}-gateway-crds`, child);
      const envoy = new EnvoyGateway(`${name}-gateway`, { environment: args.environment, domain: args.domain, crds: crds.installed }, child);
      gateway = envoy.gateway;
      return envoy;
    })();
    const endpoint = new EdgeEndpoint(
      edge === "ingress-nginx" ? ingressName : `${name}-gateway`,
      {
        domain: args.domain,
        wildcardIssuer: args.wildcardIssuer,
        proxy: controller.proxy,
        certificateAfter: args.certificateAfter,
        // The controller must claim the Service and outlive it; the proxies answer behind it.
        serviceAfter: [controller.release, args.loadBalancerController],
        ...(edge === "ingress-nginx" ? { formerParent } : {}),
      },
      child,
    );
    return { edge, release: controller.release, endpoint };
  };
  const serving = install(args.serving);
  const all = [serving, ...(args.standby === undefined ? [] : [install(args.standby)])];
  const record = new WildcardRecord(
    ingressName,
    { domain: args.domain, hostedZoneId: args.hostedZoneId, loadBalancerHostname: serving.endpoint.loadBalancerHostname, formerParent },
    child,
  );
  return { serving, all, record, gateway, ingressAdmission, ready: [serving.endpoint.service, serving.endpoint.certificate, record.record] };
}
