// Stand-in for Envoy Gateway's route status (the gateway edge, `global.edge: gateway`): the
// real controller writes, per parentRef of an HTTPRoute attached to its Gateway,
// `status.parents[]` with its controllerName and the conditions Accepted and ResolvedRefs
// (True once every backend Service exists), each stamped with the route's generation. The
// stack's Gateway and Envoy's data plane are not here, so this accepts every parentRef and
// resolves refs by checking the backend Services in the API server. Argo CD's built-in
// HTTPRoute health is Progressing until a parent of the current generation has conditions,
// so wave 1 waits for this status.
import type { KubeObject, KubeRest } from "./kube-rest";
import { now, runStandIn, type StandIn } from "./stand-in";

export const ENVOY_GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
const ROUTES = "/apis/gateway.networking.k8s.io/v1";

interface HttpRoute extends KubeObject {
  metadata: KubeObject["metadata"] & { generation?: number };
  spec: { parentRefs?: Array<Record<string, unknown>>; rules?: Array<{ backendRefs?: Array<{ kind?: string; name: string }> }> };
  status?: { parents?: Array<{ conditions?: Array<{ observedGeneration?: number }> }> };
}

export function startEnvoyGateway(kube: KubeRest): StandIn {
  return runStandIn<HttpRoute>({
    name: "envoy-gateway",
    kube,
    collectionPath: `${ROUTES}/httproutes`,
    reconcile: async (route) => {
      const generation = route.metadata.generation ?? 1;
      const parents = route.status?.parents ?? [];
      if (parents.length > 0 && parents.every((p) => (p.conditions ?? []).every((c) => c.observedGeneration === generation))) return;
      const namespace = route.metadata.namespace ?? "";
      const backends = (route.spec.rules ?? []).flatMap((rule) => rule.backendRefs ?? []).filter((ref) => (ref.kind ?? "Service") === "Service");
      for (const backend of backends) if (!(await kube.get(`/api/v1/namespaces/${namespace}/services/${backend.name}`))) return;
      const condition = (type: string, message: string): Record<string, unknown> => ({
        type,
        status: "True",
        reason: type,
        message,
        observedGeneration: generation,
        lastTransitionTime: now(),
      });
      await kube.mergePatch(`${ROUTES}/namespaces/${namespace}/httproutes/${route.metadata.name}/status`, {
        status: {
          parents: (route.spec.parentRefs ?? []).map((parentRef) => ({
            parentRef,
            controllerName: ENVOY_GATEWAY_CONTROLLER,
            conditions: [condition("Accepted", "Route is accepted"), condition("ResolvedRefs", "Resolved all the Object references for the Route")],
          })),
        },
      });
    },
  });
}
