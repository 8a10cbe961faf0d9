// Stand-in for ingress-nginx's status publisher (`--publish-service`): the real controller
// writes its LoadBalancer Service's address into `status.loadBalancer.ingress` of every
// Ingress of its class. There is no load balancer here, so this writes the NLB host name
// the AWS Load Balancer Controller would have given that Service. Argo CD's built-in Ingress
// health is Progressing until that list is non-empty, so without it wave 1 never ends.
import type { KubeObject, KubeRest } from "./kube-rest";
import { runStandIn, type StandIn } from "./stand-in";

interface Ingress extends KubeObject {
  spec: { ingressClassName?: string };
  status?: { loadBalancer?: { ingress?: Array<{ hostname?: string; ip?: string }> } };
}

export const INGRESS_CLASS = "nginx";
/** What the stand-in publishes (an NLB-shaped name that resolves nowhere). */
export const STAND_IN_LOAD_BALANCER = "ingress-nginx-stand-in.elb.eu-west-1.amazonaws.com";

export function startIngressNginx(kube: KubeRest): StandIn {
  return runStandIn<Ingress>({
    name: "ingress-nginx",
    kube,
    collectionPath: "/apis/networking.k8s.io/v1/ingresses",
    reconcile: async (ingress) => {
      if (ingress.spec.ingressClassName !== INGRESS_CLASS || (ingress.status?.loadBalancer?.ingress ?? []).length > 0) return;
      const objectPath = `/apis/networking.k8s.io/v1/namespaces/${ingress.metadata.namespace}/ingresses/${ingress.metadata.name}/status`;
      await kube.mergePatch(objectPath, { status: { loadBalancer: { ingress: [{ hostname: STAND_IN_LOAD_BALANCER }] } } });
    },
  });
}
