// Rules for the public edge's Gateway (docs/edge.md): the listeners are where tenancy at the
// edge is decided, so none may admit routes from every namespace, and every HTTPS listener
// terminates TLS with a certificate the platform manages.
import { resourceRule } from "./define";
import { asArray, asRecord, asString, get } from "./props";

export const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";

/** Why a listener's allowedRoutes lets any namespace attach, or undefined when it does not. */
function admitsEveryNamespace(listener: unknown): string | undefined {
  const namespaces = asRecord(get(listener, "allowedRoutes", "namespaces"));
  const from = asString(namespaces?.["from"]) ?? "Same";
  if (from === "All") return "allowedRoutes.namespaces.from: All";
  if (from !== "Selector") return undefined;
  const selector = asRecord(namespaces?.["selector"]);
  const labels = Object.keys(asRecord(selector?.["matchLabels"]) ?? {});
  const expressions = asArray(selector?.["matchExpressions"]);
  return labels.length === 0 && expressions.length === 0 ? "an empty allowedRoutes.namespaces.selector" : undefined;
}

export const gatewayListenersScoped = resourceRule({
  name: "edge-gateway-listeners-scoped",
  summary:
    "Every listener of a Gateway admits routes only from chosen namespaces (allowedRoutes.namespaces Same or a non-empty Selector, never All), and every HTTPS listener terminates TLS with a certificateRef.",
  source: {
    cis: "4.6.1 Create administrative boundaries between resources using namespaces",
    eksBestPractices: "Security › Multi-tenancy › Soft multi-tenancy (namespaces as tenant boundaries)",
  },
  enforcementLevel: "mandatory",
  types: [GATEWAY],
  check: (props, report) => {
    const gateway = asString(get(props, "metadata", "name"));
    for (const listener of asArray(get(props, "spec", "listeners"))) {
      const name = asString(get(listener, "name"));
      const open = admitsEveryNamespace(listener);
      if (open) report(`Gateway '${gateway}' listener '${name}' admits routes from every namespace (${open}); select them (Same, or a Selector with labels).`);
      if (asString(get(listener, "protocol")) !== "HTTPS") continue;
      const mode = asString(get(listener, "tls", "mode")) ?? "Terminate";
      if (mode !== "Terminate" || asArray(get(listener, "tls", "certificateRefs")).length === 0) {
        report(`Gateway '${gateway}' HTTPS listener '${name}' must terminate TLS (tls.mode Terminate) with a certificateRef.`);
      }
    }
  },
});

export const edgeRules = [gatewayListenersScoped];
