// A platform UI on the gateway edge: an HTTPRoute in the UI's namespace on its own listener
// (host `<ui>.<domain>`), optionally reachable only from some source CIDRs (an Envoy Gateway
// SecurityPolicy; the NLB keeps client IPs) and spoken to over TLS checked against a CA
// (BackendTLSPolicy). The bootstrap gives Argo CD and Vault one each; on the ingress-nginx edge
// their charts' Ingresses do this instead.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { VAULT_RELEASE } from "../vault/constants";
import { GATEWAY_NAME, GATEWAY_NAMESPACE, PLATFORM_UIS, platformListener, type PlatformUi } from "./constants";

const GATEWAY_API = "gateway.networking.k8s.io/v1";
/** argocd-server serves plain HTTP (server.insecure): TLS ends at the Gateway. */
export const ARGOCD_BACKEND = { name: "argocd-server", port: 80 } as const;
/** The active Vault node, over TLS. */
export const VAULT_BACKEND = { name: `${VAULT_RELEASE}-active`, port: 8200 } as const;

export interface PlatformRouteArgs {
  ui: PlatformUi;
  domain: string;
  backend: { name: string; port: number };
  /** Only these source CIDRs get through; undefined = anyone (the UI does its own login). */
  allowedCidrs?: string[];
  /** Path prefixes the edge never passes to the backend: their rule has no backend, so the Gateway answers 500 (Gateway API). */
  closedPaths?: readonly string[];
  /** The backend speaks TLS: the Secret (key ca.crt) of the CA that signed it, and the name its certificate carries. */
  backendTls?: { caSecret: string; hostname: string };
  /** The Gateway, and the UI's release (the route lives in its namespace). */
  after: pulumi.Resource[];
}

export class PlatformRoute extends pulumi.ComponentResource {
  public readonly route: k8s.apiextensions.CustomResource;

  constructor(name: string, args: PlatformRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:PlatformRoute", name, {}, opts);
    const namespace = PLATFORM_UIS[args.ui];
    const guards: pulumi.Resource[] = [];
    if (args.backendTls) {
      guards.push(
        new k8s.apiextensions.CustomResource(
          `${name}-backend-tls`,
          {
            apiVersion: GATEWAY_API,
            kind: "BackendTLSPolicy",
            metadata: { name: args.backend.name, namespace },
            spec: {
              targetRefs: [{ group: "", kind: "Service", name: args.backend.name }],
              validation: { caCertificateRefs: [{ group: "", kind: "Secret", name: args.backendTls.caSecret }], hostname: args.backendTls.hostname },
            },
          },
          { parent: this, dependsOn: args.after },
        ),
      );
    }
    if (args.allowedCidrs) {
      guards.push(
        new k8s.apiextensions.CustomResource(
          `${name}-allowlist`,
          {
            apiVersion: "gateway.envoyproxy.io/v1alpha1",
            kind: "SecurityPolicy",
            metadata: { name: `${args.ui}-allowlist`, namespace },
            spec: {
              targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: args.ui }],
              authorization: { defaultAction: "Deny", rules: [{ name: "allowed-cidrs", action: "Allow", principal: { clientCIDRs: args.allowedCidrs } }] },
            },
          },
          { parent: this, dependsOn: args.after },
        ),
      );
    }
    // The route comes after its guards (and goes before them): never open to all, never plain to a TLS backend.
    this.route = new k8s.apiextensions.CustomResource(
      `${name}-route`,
      {
        apiVersion: GATEWAY_API,
        kind: "HTTPRoute",
        metadata: { name: args.ui, namespace },
        spec: {
          parentRefs: [
            { group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE, sectionName: platformListener(args.ui) },
          ],
          hostnames: [`${args.ui}.${args.domain}`],
          // The longest matching path prefix wins, so a closed path beats the catch-all rule.
          rules: [
            ...(args.closedPaths ?? []).map((value) => ({ matches: [{ path: { type: "PathPrefix", value } }] })),
            { backendRefs: [{ group: "", kind: "Service", name: args.backend.name, port: args.backend.port }] },
          ],
        },
      },
      { parent: this, dependsOn: [...args.after, ...guards] },
    );
    this.registerOutputs({});
  }
}
