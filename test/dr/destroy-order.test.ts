// Destroy and rebuild must be safe, proven on the recorded graph of every shipped stack:
// whatever holds cloud resources made by controllers (load balancers, Argo CD apps whose
// finalizer cascades) and whatever mounts EBS volumes is deleted while those controllers, the
// nodes they run on, the cluster and the VPC still exist; EBS volumes themselves are retained
// (asserted here, cleaned up by hand per the DR runbook); protected resources survive a
// destroy and keep nothing of the cluster or network alive.
import { beforeAll, describe, expect, it } from "vitest";
import { deletionDependencies, reachable, simulateDestroy } from "../../cli/plan/dr";
import { STATEFUL_TYPES } from "../../policy/rules/data";
import { chartName } from "../../policy/rules/helm";
import { asArray, asString, get } from "../../policy/rules/props";
import { recordedStack, listStacks, type RecordedResource } from "../harness/stacks";
import { recordedQueries } from "./queries";

const ARGOCD_FINALIZER = "resources-finalizer.argocd.argoproj.io";
const stacks = listStacks();
const recorded = new Map<string, RecordedResource[]>();

beforeAll(() => {
  for (const stack of stacks) recorded.set(stack, recordedStack(stack).resources);
});

const isRelease = (chart: string) => (r: RecordedResource) => r.type === "kubernetes:helm.sh/v3:Release" && chartName(r.inputs) === chart;
const isAddon = (addon: string) => (r: RecordedResource) => r.type === "aws:eks/addon:Addon" && r.inputs["addonName"] === addon;
const isType = (type: string) => (r: RecordedResource) => r.type === type;

/** Kubernetes objects and releases that make AWS load balancers through a controller. */
const holdsLoadBalancer = (r: RecordedResource) =>
  (r.type === "kubernetes:core/v1:Service" && get(r.inputs, "spec", "type") === "LoadBalancer") ||
  (r.type === "kubernetes:networking.k8s.io/v1:Ingress" && get(r.inputs, "spec", "ingressClassName") === "alb");
/**
 * Objects that mount EBS volumes through the EBS CSI driver. Deleting them detaches the volumes
 * but deletes none: StatefulSet claims outlive their StatefulSet and the default StorageClass
 * retains released volumes (docs/runbooks/disaster-recovery.md, cleanup step).
 */
const usesVolumes = (r: RecordedResource) =>
  r.type === "kubernetes:core/v1:PersistentVolumeClaim" ||
  (r.type === "kubernetes:apps/v1:StatefulSet" && asArray(get(r.inputs, "spec", "volumeClaimTemplates")).length > 0) ||
  isRelease("vault")(r);
/** Argo CD objects whose finalizer makes Argo CD delete everything they synced. */
const cascadesThroughArgo = (r: RecordedResource) =>
  ["kubernetes:argoproj.io/v1alpha1:Application", "kubernetes:argoproj.io/v1alpha1:ApplicationSet"].includes(r.type) &&
  (asArray(get(r.inputs, "metadata", "finalizers")).includes(ARGOCD_FINALIZER) ||
    asArray(get(r.inputs, "spec", "template", "metadata", "finalizers")).includes(ARGOCD_FINALIZER));

describe.each(stacks)("stack %s", (stack) => {
  const resources = () => recorded.get(stack)!;
  const { all, one } = recordedQueries(resources);
  /** Asserts each holder is deleted before every resource in `mustOutlive`. */
  const expectDeletedBefore = (holders: RecordedResource[], mustOutlive: RecordedResource[]) => {
    const deps = deletionDependencies(resources());
    for (const holder of holders) {
      const waitsFor = reachable(deps, holder.urn);
      const missing = mustOutlive.filter((r) => !waitsFor.has(r.urn)).map((r) => `${r.type} ${r.name}`);
      expect(missing, `${holder.type} ${holder.name} could outlive`).toEqual([]);
    }
  };
  const infrastructure = () => [
    one("EKS cluster", isType("aws:eks/cluster:Cluster")),
    one("VPC", isType("aws:ec2/vpc:Vpc")),
    ...all(isType("aws:eks/nodeGroup:NodeGroup")),
  ];
  const lbController = () => one("AWS Load Balancer Controller release", isRelease("aws-load-balancer-controller"));
  const lbControllerRole = () =>
    one(
      "AWS Load Balancer Controller IRSA role",
      (r) =>
        r.type === "aws:iam/role:Role" &&
        (asString(r.inputs["assumeRolePolicy"]) ?? "").includes("system:serviceaccount:kube-system:aws-load-balancer-controller"),
    );
  const ebsCsi = () => one("EBS CSI add-on", isAddon("aws-ebs-csi-driver"));
  const argocd = () => one("Argo CD release", isRelease("argo-cd"));

  it("deletes load balancer holders before the LB controller (and its role), the nodes, the cluster and the VPC", () => {
    const holders = all(holdsLoadBalancer);
    expect(holders.length).toBeGreaterThan(0);
    expectDeletedBefore(holders, [lbController(), lbControllerRole(), ...infrastructure()]);
  });

  it("deletes the volume users before the EBS CSI driver, the nodes, the cluster and the VPC (volumes detach cleanly)", () => {
    const users = all(usesVolumes);
    expect(users.length).toBeGreaterThan(0);
    expectDeletedBefore(users, [ebsCsi(), ...infrastructure()]);
  });

  // What the graph can prove about the EBS volumes themselves: Pulumi owns no claim, and the
  // only StorageClass retains released volumes, so a destroy deletes none of them; they stay
  // until the runbook's cleanup step.
  it("owns no PersistentVolumeClaim and retains released volumes: a destroy leaves every EBS volume behind", () => {
    expect(all(isType("kubernetes:core/v1:PersistentVolumeClaim")).map((r) => r.name)).toEqual([]);
    const classes = all(isType("kubernetes:storage.k8s.io/v1:StorageClass"));
    expect(classes.map((r) => [get(r.inputs, "metadata", "name"), r.inputs["provisioner"], r.inputs["reclaimPolicy"]])).toEqual([
      ["gp3", "ebs.csi.aws.com", "Retain"],
    ]);
  });

  it("deletes Argo CD apps with finalizers while Argo CD and every controller their cascade needs still run", () => {
    const holders = all(cascadesThroughArgo);
    // The root Application cascades everywhere; the services ApplicationSet's Applications only
    // in staging (production services survive their Application: no finalizer there).
    const cascading = [
      "kubernetes:argoproj.io/v1alpha1:Application",
      ...(stack.startsWith("production-") ? [] : ["kubernetes:argoproj.io/v1alpha1:ApplicationSet"]),
    ];
    expect(new Set(holders.map((r) => r.type))).toEqual(new Set(cascading));
    expectDeletedBefore(holders, [argocd(), lbController(), lbControllerRole(), ebsCsi(), ...infrastructure()]);
  });

  // Controllers in the cluster call AWS (the LB controller deletes NLBs, Crossplane deletes
  // what it made) through the NAT gateways, and an internet-facing NLB sits in the public
  // subnets: all of that network must outlive every holder, or the destroy hangs on
  // DependencyViolation / unreachable APIs. The node groups and the Kubernetes provider wait
  // for Network.egress (components/network.ts), so a one-pass destroy keeps this order.
  it("deletes every holder before the network egress the controllers need (NAT, IGW, routes, public subnets, VPC endpoints)", () => {
    const egress = all(
      (r) =>
        [
          "aws:ec2/natGateway:NatGateway",
          "aws:ec2/eip:Eip",
          "aws:ec2/internetGateway:InternetGateway",
          "aws:ec2/route:Route",
          "aws:ec2/routeTable:RouteTable",
          "aws:ec2/routeTableAssociation:RouteTableAssociation",
          "aws:ec2/vpcEndpoint:VpcEndpoint",
        ].includes(r.type) ||
        (r.type === "aws:ec2/subnet:Subnet" && get(r.inputs, "tags", "kubernetes.io/role/elb") !== undefined),
    );
    expect(egress.length).toBeGreaterThan(0);
    expectDeletedBefore([...all(holdsLoadBalancer), ...all(usesVolumes), ...all(cascadesThroughArgo)], egress);
  });

  it("protects every stateful resource", () => {
    const stateful = all((r) => (STATEFUL_TYPES as readonly string[]).includes(r.type));
    expect(stateful.length).toBeGreaterThan(0);
    expect(stateful.filter((r) => !r.protect && !r.retainOnDelete).map((r) => `${r.type} ${r.name}`)).toEqual([]);
  });

  it("keeps protected data (keys, buckets, secrets) through a destroy without pinning anything of the cluster or network", () => {
    const deps = deletionDependencies(resources());
    const stateful = all((r) => r.protect && (STATEFUL_TYPES as readonly string[]).includes(r.type));
    const pinned = new Set(stateful.flatMap((r) => [...reachable(deps, r.urn)]));
    const pinnedInfra = all((r) => pinned.has(r.urn) && /^(kubernetes:|aws:ec2\/|aws:eks\/)/.test(r.type));
    expect(pinnedInfra.map((r) => `${r.type} ${r.name}`)).toEqual([]);
    const outcome = simulateDestroy(resources());
    for (const r of stateful) expect(outcome.keptInStack, r.name).toContain(r.urn);
  });

  it("keeps through a destroy exactly what the DR runbook restores Vault from", () => {
    const kept = new Set(simulateDestroy(resources()).keptInStack);
    const restoreSources = [
      one("Vault KMS unseal key", (r) => r.type === "aws:kms/key:Key" && r.name.endsWith("-vault-unseal-key")),
      one("Vault raft snapshot bucket", (r) => r.type === "aws:s3/bucket:Bucket" && r.name.endsWith("-vault-snapshots-store-bucket")),
      one("Vault snapshot bucket key", (r) => r.type === "aws:kms/key:Key" && r.name.endsWith("-vault-snapshots-store-kms-key")),
      one("Vault recovery keys secret", (r) => r.type === "aws:secretsmanager/secret:Secret" && r.name.endsWith("-vault-init-secret")),
    ];
    for (const source of restoreSources) {
      expect(source.protect, source.name).toBe(true);
      expect(kept.has(source.urn), source.name).toBe(true);
    }
  });

  it("deletes every Kubernetes object and the node groups on destroy; the cluster and VPC go too unless the cluster is protected (production)", () => {
    const outcome = simulateDestroy(resources());
    const kubernetesObjects = all((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers"));
    expect(kubernetesObjects.filter((r) => !outcome.deleted.includes(r.urn)).map((r) => r.name)).toEqual([]);
    for (const group of all(isType("aws:eks/nodeGroup:NodeGroup"))) expect(outcome.deleted, group.name).toContain(group.urn);
    const [cluster, vpc] = infrastructure();
    const production = stack.startsWith("production-");
    expect(cluster.protect).toBe(production);
    expect(outcome.deleted.includes(cluster.urn)).toBe(!production);
    expect(outcome.deleted.includes(vpc.urn)).toBe(!production);
  });
});
