// The bootstrap's control-plane add-ons run on the system node group: each release tolerates
// exactly the taint the foundation puts on those nodes and selects them by the node-group
// label (keys checked against each pinned chart; `helm template` of every stack's values
// puts both on every Deployment, StatefulSet and hook Job of the five charts). Vault is the
// one exception where the system group is smaller than its 3 replicas that must sit on
// distinct nodes: it then only prefers system nodes (staging: 2 system nodes).
import { beforeAll, describe, expect, it } from "vitest";
import { recordedStack, type StackRecording } from "../harness/stacks";
import { stackOnEdge } from "./edges";
import { FACTS, STACKS, input, release } from "./helpers";

const SYSTEM = { "holodeck.dev/node-group": "system" };
const TOLERATIONS = [{ key: "CriticalAddonsOnly", operator: "Equal", value: "true", effect: "NoSchedule" }];
const ON_SYSTEM_NODES = { nodeSelector: SYSTEM, tolerations: TOLERATIONS };

describe.each(STACKS)("%s: control-plane add-ons on the system nodes", (stack) => {
  let rec: StackRecording;
  // The Envoy Gateway edge's placement: test/bootstrap/gateway-edge.test.ts.
  let onIngressNginx: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
    onIngressNginx = stackOnEdge(stack, "ingress-nginx");
  });
  const values = (chart: string, path: string, from: () => StackRecording = () => rec): unknown => input(release(from(), chart), `values.${path}`);

  it("the toleration and selector are exactly the foundation's system node taint and label", () => {
    const system = rec.one("aws:eks/nodeGroup:NodeGroup", "-system-ng");
    expect(input(system, "labels")).toEqual(SYSTEM);
    expect(input(system, "taints")).toEqual([{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }]);
    expect(input(system, "scalingConfig.minSize")).toBe(FACTS[stack].system.minSize);
  });

  it("AWS Load Balancer Controller", () => {
    expect([values("aws-load-balancer-controller", "nodeSelector"), values("aws-load-balancer-controller", "tolerations")]).toEqual([SYSTEM, TOLERATIONS]);
  });

  it("cert-manager: controller, webhook, cainjector and the startup check Job", () => {
    expect(values("cert-manager", "global.nodeSelector")).toEqual(SYSTEM);
    for (const path of ["tolerations", "webhook.tolerations", "cainjector.tolerations", "startupapicheck.tolerations"]) {
      expect(values("cert-manager", path), path).toEqual(TOLERATIONS);
    }
  });

  it("ingress-nginx (on its edge): the controller and the admission certificate Jobs", () => {
    const nginx = (path: string): unknown => values("ingress-nginx", path, () => onIngressNginx);
    expect([nginx("controller.nodeSelector"), nginx("controller.tolerations")]).toEqual([SYSTEM, TOLERATIONS]);
    expect(nginx("controller.admissionWebhooks")).toEqual({ enabled: true, patch: ON_SYSTEM_NODES });
  });

  it("Argo CD: every component through global, redis-ha through its own keys", () => {
    expect([values("argo-cd", "global.nodeSelector"), values("argo-cd", "global.tolerations")]).toEqual([SYSTEM, TOLERATIONS]);
    expect(values("argo-cd", "redis-ha")).toEqual({
      enabled: stack !== "staging-eu-west-1",
      ...ON_SYSTEM_NODES,
      // 3 HAProxies with required host anti-affinity on 3 system nodes: no surge pod.
      haproxy: { deploymentStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
    });
  });

  it("Vault: pinned when every replica gets its own system node, else only preferring them", () => {
    const server = values("vault", "server") as Record<string, unknown>;
    expect(server.tolerations).toEqual(TOLERATIONS);
    const affinity = server.affinity as Record<string, unknown>;
    if (FACTS[stack].system.minSize >= 3) {
      expect(server.nodeSelector).toEqual(SYSTEM);
      expect(Object.keys(affinity)).toEqual(["podAntiAffinity"]);
    } else {
      expect(server.nodeSelector).toBeUndefined();
      expect(affinity.nodeAffinity).toEqual({
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, preference: { matchExpressions: [{ key: "holodeck.dev/node-group", operator: "In", values: ["system"] }] } },
        ],
      });
    }
  });
});
