// Every DaemonSet the platform deploys runs on every node, on the real scheduler: kwok nodes
// carry the taints and labels of the stack's system node group and of Karpenter's workload pool
// (its planned nodes), and the DaemonSet controller places one pod of each DaemonSet (with the
// effective tolerations of test/platform-apps/daemonsets.ts) on each node. A DaemonSet without
// tolerations lands on the workload nodes only: the system taint is real here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordedStack } from "../harness/stacks";
import { DAEMONSETS, type Toleration } from "../platform-apps/daemonsets";
import { ControlPlane, nodeGroupsOf, simulatedNodes, stackRegion, waitFor, type KubeObject } from "./harness";

const STACK = "staging-eu-west-1";
const NAMESPACE = "daemonset-check";

const daemonSet = (name: string, tolerations: Toleration[]): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name, namespace: NAMESPACE },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { tolerations, containers: [{ name: "agent", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
    },
  },
});

const slug = (name: string): string => name.split(" ")[0].replace(/[^a-z0-9-]/g, "-");

let plane: ControlPlane;
let nodes: KubeObject[];

beforeAll(async () => {
  const recording = recordedStack(STACK);
  const groups = nodeGroupsOf(recording);
  nodes = simulatedNodes(groups, stackRegion(recording));
  plane = await ControlPlane.start({ nodes });
  await plane.kubectl.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }]);
  await plane.kubectl.apply([...DAEMONSETS.map((d) => daemonSet(slug(d.name), d.tolerations("staging"))), daemonSet("no-tolerations", [])]);
});

afterAll(async () => {
  await plane?.stop();
});

interface DaemonSetStatus {
  status?: { desiredNumberScheduled?: number; numberReady?: number };
}

describe(`DaemonSets on the ${STACK} nodes (system node group + Karpenter workload pool)`, () => {
  it("simulates system and workload nodes", () => {
    const roles = nodes.map((n) => (n.metadata.labels ?? {})["holodeck.dev/node-group"]);
    expect(roles.filter((r) => r === "system").length).toBeGreaterThan(0);
    expect(roles.filter((r) => r === "workload").length).toBeGreaterThan(0);
  });

  it.each(DAEMONSETS.map((d) => [d.name, slug(d.name)]))("%s runs a ready pod on every node", async (_name, name) => {
    const status = await waitFor(
      `DaemonSet ${name} ready on ${nodes.length} nodes`,
      async () => {
        const ds = await plane.kubectl.get<DaemonSetStatus>("daemonset", name, NAMESPACE);
        return ds?.status?.numberReady === nodes.length ? ds.status : undefined;
      },
      240_000,
    );
    expect([status.desiredNumberScheduled, status.numberReady]).toEqual([nodes.length, nodes.length]);
  });

  it("places a DaemonSet without tolerations on the workload nodes only (the system taint is enforced)", async () => {
    const workload = nodes.filter((n) => (n.metadata.labels ?? {})["holodeck.dev/node-group"] === "workload").length;
    const status = await waitFor(
      "DaemonSet no-tolerations scheduled",
      async () => {
        const ds = await plane.kubectl.get<DaemonSetStatus>("daemonset", "no-tolerations", NAMESPACE);
        return ds?.status?.numberReady === workload ? ds.status : undefined;
      },
      240_000,
    );
    expect(status.desiredNumberScheduled).toBe(workload);
  });
});
