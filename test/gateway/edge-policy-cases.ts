// Cases of the edge rules (policy/rules/edge.ts), in the policy tests' RuleCases shape so the
// pack's rule test can list them with the others: the Gateway the bootstrap writes passes; a
// listener open to every namespace, or HTTPS without terminated TLS, fails with its message.
import { gatewayListeners } from "../../bootstrap/gateway/envoy-gateway";
import { GATEWAY, gatewayListenersScoped } from "../../policy/rules/edge";
import { res, type RuleCases } from "../policy/cases/types";

type Listener = Record<string, unknown>;
const DOMAIN = "staging.eu-west-1.holodeck.dev";
const gateway = (listeners: Listener[]) =>
  res(GATEWAY, { kind: "Gateway", metadata: { name: "holodeck", namespace: "envoy-gateway-system" }, spec: { gatewayClassName: "envoy-gateway", listeners } });
/** The bootstrap's listeners with the one named `name` changed. */
const changed = (name: string, change: (listener: Listener) => Listener): Listener[] =>
  gatewayListeners(DOMAIN).map((listener) => (listener.name === name ? change(listener) : listener));
const namespaces =
  (value: Record<string, unknown>) =>
  (listener: Listener): Listener => ({
    ...listener,
    allowedRoutes: { ...(listener.allowedRoutes as Listener), namespaces: value },
  });

export const edgeCases: RuleCases[] = [
  {
    rule: gatewayListenersScoped,
    pass: [
      {
        title: "the bootstrap's Gateway (services by label, each UI by namespace name, HTTP from its own namespace)",
        resources: [gateway(gatewayListeners(DOMAIN))],
      },
      { title: "a listener without allowedRoutes (Gateway API's default: Same)", resources: [gateway([{ name: "http", port: 80, protocol: "HTTP" }])] },
    ],
    fail: [
      {
        title: "the services listener open to every namespace",
        resources: [gateway(changed("https-services", namespaces({ from: "All" })))],
        messages: [
          "Gateway 'holodeck' listener 'https-services' admits routes from every namespace (allowedRoutes.namespaces.from: All); select them (Same, or a Selector with labels).",
        ],
      },
      {
        title: "a platform listener with an empty selector (selects every namespace)",
        resources: [gateway(changed("https-vault", namespaces({ from: "Selector", selector: {} })))],
        messages: [
          "Gateway 'holodeck' listener 'https-vault' admits routes from every namespace (an empty allowedRoutes.namespaces.selector); select them (Same, or a Selector with labels).",
        ],
      },
      {
        title: "HTTPS passed through, and HTTPS without a certificate",
        resources: [
          gateway([
            ...changed("https-argocd", (l) => ({ ...l, tls: { mode: "Passthrough" } })).filter((l) => l.name === "https-argocd"),
            ...changed("https-grafana", (l) => ({ ...l, tls: { mode: "Terminate", certificateRefs: [] } })).filter((l) => l.name === "https-grafana"),
          ]),
        ],
        messages: [
          "Gateway 'holodeck' HTTPS listener 'https-argocd' must terminate TLS (tls.mode Terminate) with a certificateRef.",
          "Gateway 'holodeck' HTTPS listener 'https-grafana' must terminate TLS (tls.mode Terminate) with a certificateRef.",
        ],
      },
    ],
  },
];
