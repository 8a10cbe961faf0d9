// Karpenter's nodes are not in Pulumi's state: a destroy must delete the NodePool (Karpenter
// drains and terminates its nodes) and then the EC2NodeClass (its finalizer waits until no
// instance of the class is left) while the controller, its IAM role, the interruption queue, the
// nodes' role and access entry, the system nodes, the cluster and the VPC still exist; and
// before that the Argo CD apps whose pods run on those nodes. Proven on the recorded graph of
// every stack, as destroy-order.test.ts does for load balancers and volumes; the DR view
// (`npm run plan -- --dr`) lists the pools as capacity outside the state.
import { beforeAll, describe, expect, it } from "vitest";
import { buildDrReport, capacityOutsideState, deletionDependencies, destroyWaves, reachable, renderDr } from "../../cli/plan/dr";
import { fakeResource, listStacks, recordedStack, type RecordedResource } from "../harness/stacks";
import { recordedQueries } from "./queries";

const NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";
const stacks = listStacks();
const recorded = new Map<string, RecordedResource[]>();

beforeAll(() => {
  for (const stack of stacks) recorded.set(stack, recordedStack(stack).resources);
});

describe.each(stacks)("stack %s", (stack) => {
  const resources = () => recorded.get(stack)!;
  const { all, one } = recordedQueries(resources);
  const ofType = (type: string) => (r: RecordedResource) => r.type === type;
  const nodePool = () => one("workload NodePool", ofType(NODE_POOL));
  const nodeClass = () => one("workload EC2NodeClass", ofType(NODE_CLASS));
  const expectOutlive = (holder: RecordedResource, mustOutlive: RecordedResource[]) => {
    const waitsFor = reachable(deletionDependencies(resources()), holder.urn);
    expect(
      mustOutlive.filter((r) => !waitsFor.has(r.urn)).map((r) => `${r.type} ${r.name}`),
      `${holder.type} ${holder.name} could outlive`,
    ).toEqual([]);
  };
  /** Everything Karpenter needs to drain and terminate its nodes, and what its nodes sit in. */
  const karpenterPrerequisites = () => [
    one("Karpenter release", (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs["chart"] === "oci://public.ecr.aws/karpenter/karpenter"),
    one("Karpenter controller role", (r) => r.type === "aws:iam/role:Role" && r.name.endsWith("-karpenter-controller-irsa-role")),
    one("Karpenter controller policy", (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith("-karpenter-controller-irsa-policy")),
    one("interruption queue", ofType("aws:sqs/queue:Queue")),
    one("Karpenter node role", (r) => r.type === "aws:iam/role:Role" && r.name.endsWith("-karpenter-node-role")),
    one("Karpenter node access entry", (r) => r.type === "aws:eks/accessEntry:AccessEntry" && r.inputs["type"] === "EC2_LINUX"),
    ...all((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.includes("-karpenter-node-")),
    one("system node group", ofType("aws:eks/nodeGroup:NodeGroup")),
    one("EKS cluster", ofType("aws:eks/cluster:Cluster")),
    one("VPC", ofType("aws:ec2/vpc:Vpc")),
    one("node security group", (r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name.endsWith("-nodes")),
    ...all((r) => r.type === "aws:ec2/subnet:Subnet"),
    ...all((r) => ["aws:ec2/natGateway:NatGateway", "aws:ec2/route:Route", "aws:ec2/routeTableAssociation:RouteTableAssociation"].includes(r.type)),
  ];

  it("has exactly one managed node group (system) and one Karpenter pool with its node class", () => {
    expect(all(ofType("aws:eks/nodeGroup:NodeGroup")).map((r) => r.name.replace(/^[a-z0-9]+-[a-z0-9]+-/, ""))).toEqual(["system-ng"]);
    expect([nodePool().name, nodeClass().name].map((n) => n.replace(/^[a-z0-9]+-[a-z0-9]+-/, ""))).toEqual([
      "bootstrap-karpenter-pools-node-pool",
      "bootstrap-karpenter-pools-node-class",
    ]);
  });

  it("deletes the NodePool and the EC2NodeClass while the controller, its identity, the node access, the cluster and the VPC still exist", () => {
    expect(karpenterPrerequisites().length).toBeGreaterThan(12);
    expectOutlive(nodePool(), karpenterPrerequisites());
    expectOutlive(nodeClass(), karpenterPrerequisites());
  });

  it("deletes the NodePool before its EC2NodeClass, so the class's finalizer waits for the nodes the pool's deletion drains", () => {
    expectOutlive(nodePool(), [nodeClass()]);
  });

  it("deletes the Argo CD apps (whose pods run on Karpenter's nodes) before the pool", () => {
    const apps = all((r) => ["kubernetes:argoproj.io/v1alpha1:Application", "kubernetes:argoproj.io/v1alpha1:ApplicationSet"].includes(r.type));
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) expectOutlive(app, [nodePool(), nodeClass()]);
  });

  it("lists both in the DR view's capacity outside the state, in the waves before the controller goes", () => {
    const report = buildDrReport(stack, resources());
    const waves = destroyWaves(resources());
    const waveOf = (r: RecordedResource) => waves.findIndex((w) => w.includes(r.urn)) + 1;
    const release = karpenterPrerequisites()[0];
    expect(report.capacityOutsideState.map((s) => [s.resource, s.wave])).toEqual([
      [`${NODE_POOL} ${nodePool().name}`, waveOf(nodePool())],
      [`${NODE_CLASS} ${nodeClass().name}`, waveOf(nodeClass())],
    ]);
    expect(waveOf(nodeClass())).toBeLessThan(waveOf(release));
    for (const step of report.capacityOutsideState) expect(step.outlivedBy).toContain(`kubernetes:helm.sh/v3:Release ${release.name}`);
    expect(renderDr(report)).toContain("capacity outside the state (deleted while its controller runs): 2");
  });
});

describe("capacity outside the state on a hand-made graph", () => {
  const node = (name: string, type: string, extra: Partial<RecordedResource> = {}): RecordedResource => fakeResource(type, name, extra);
  const graph = [
    node("vpc", "aws:ec2/vpc:Vpc"),
    node("cluster", "aws:eks/cluster:Cluster", { dependsOn: ["vpc"] }),
    node("controller", "kubernetes:helm.sh/v3:Release", { dependsOn: ["cluster"], inputs: { chart: "oci://public.ecr.aws/karpenter/karpenter" } }),
    node("class", NODE_CLASS, { dependsOn: ["controller"] }),
    node("pool", NODE_POOL, { dependsOn: ["class", "controller"] }),
  ];

  it("names each holder's wave, effect and the prerequisites deleted after it", () => {
    expect(capacityOutsideState(graph)).toEqual([
      {
        resource: `${NODE_POOL} pool`,
        wave: 1,
        effect: "Karpenter drains and terminates every node it launched for the pool",
        outlivedBy: ["aws:ec2/vpc:Vpc vpc", "aws:eks/cluster:Cluster cluster", "kubernetes:helm.sh/v3:Release controller"],
      },
      {
        resource: `${NODE_CLASS} class`,
        wave: 2,
        effect: "its finalizer holds the deletion until no instance of the class is left, then Karpenter deletes the instance profile",
        outlivedBy: ["aws:ec2/vpc:Vpc vpc", "aws:eks/cluster:Cluster cluster", "kubernetes:helm.sh/v3:Release controller"],
      },
    ]);
  });
});
