// Vault on the public edge (docs/edge.md "Vault on the edge"): developers write their secrets in
// the Vault UI with OIDC login (issue 15), so Vault is reachable like the other UIs on every
// stack: on ingress-nginx through the chart's Ingress with no source filter, on the gateway edge
// through its HTTPRoute at vault.<domain> (TLS re-checked to the active node).
import { beforeAll, describe, expect, it } from "vitest";
import { stackOnEdge } from "../bootstrap/edges";
import { FACTS, STACKS, input, k8sObject, release } from "../bootstrap/helpers";
import { runStack, stackConfig, type StackRecording } from "../harness/stacks";

describe.each(STACKS)("%s: Vault on the ingress-nginx edge", (stack) => {
  const facts = FACTS[stack];
  let rec: StackRecording;
  beforeAll(() => {
    rec = stackOnEdge(stack, "ingress-nginx");
  });

  it("closes the listener's unauthenticated metrics path to every client (an Ingress of its own, allowed from no address)", () => {
    expect(k8sObject(rec, "Ingress", "vault-closed-paths").inputs).toMatchObject({
      metadata: {
        namespace: "vault",
        annotations: { "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS", "nginx.ingress.kubernetes.io/whitelist-source-range": "127.0.0.1/32" },
      },
      spec: {
        ingressClassName: "nginx",
        rules: [
          {
            host: `vault.${facts.domain}`,
            http: { paths: [{ path: "/v1/sys/metrics", pathType: "Prefix", backend: { service: { name: "vault-active", port: { number: 8200 } } } }] },
          },
        ],
      },
    });
  });

  it("the chart's Ingress serves vault.<domain> to anyone, over TLS to the active node", () => {
    const host = `vault.${facts.domain}`;
    expect(input(release(rec, "vault"), "values.server.ingress")).toEqual({
      enabled: true,
      ingressClassName: "nginx",
      activeService: true,
      annotations: { "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS" },
      hosts: [{ host, paths: [] }],
      tls: [{ hosts: [host] }],
    });
  });
});

describe.each(STACKS)("%s: Vault on the gateway edge", (stack) => {
  const facts = FACTS[stack];
  let rec: StackRecording;
  beforeAll(() => {
    rec = stackOnEdge(stack, "gateway");
  });

  it("gets its HTTPRoute at vault.<domain> on its own listener, to the active node", () => {
    expect(k8sObject(rec, "HTTPRoute", "vault").inputs.spec).toEqual({
      parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "holodeck", namespace: "envoy-gateway-system", sectionName: "https-vault" }],
      hostnames: [`vault.${facts.domain}`],
      // Unauthenticated metrics never leave the cluster: that rule has no backend (the Gateway answers 500).
      rules: [
        { matches: [{ path: { type: "PathPrefix", value: "/v1/sys/metrics" } }] },
        { backendRefs: [{ group: "", kind: "Service", name: "vault-active", port: 8200 }] },
      ],
    });
  });
});

describe("a stack restricting Vault with holodeck:vaultAllowedCidrs", () => {
  /** The stack's admin CIDRs (the EKS endpoint's): Pulumi reaches Vault through the edge from there. */
  const ADMIN_CIDRS = JSON.parse(stackConfig(STACKS[0])["holodeck:endpointPublicAccessCidrs"]) as string[];

  it("guards Vault's HTTPRoute with an Envoy Gateway SecurityPolicy allowing those CIDRs and the admin CIDRs Pulumi deploys from", async () => {
    const rec = await runStack(STACKS[0], { config: { "holodeck:vaultAllowedCidrs": '["203.0.113.0/24","198.51.100.7/32"]' } });
    expect(k8sObject(rec, "SecurityPolicy", "vault-allowlist").inputs.spec).toEqual({
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "vault" }],
      authorization: {
        defaultAction: "Deny",
        rules: [{ name: "allowed-cidrs", action: "Allow", principal: { clientCIDRs: ["203.0.113.0/24", "198.51.100.7/32", ...ADMIN_CIDRS] } }],
      },
    });
  });
});
