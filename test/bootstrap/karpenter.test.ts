// Karpenter per stack: the EC2NodeClass and NodePool validate strictly against the CRDs of the
// pinned version (scripts/install/karpenter-crds.sh) and say what docs/scaling.md promises per
// environment; the controller sits on the system nodes with the values keys of the pinned
// chart; its IAM policy, the interruption queue and rules, the node role and its access entry,
// and the discovery tags (private subnets and the node SG only).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KARPENTER_DISCOVERY_TAG } from "../../components/network";
import { PLANNED_NODES_ANNOTATION, WORKLOAD_POOL } from "../../bootstrap/karpenter/constants";
import { INTERRUPTION_EVENTS } from "../../bootstrap/karpenter/interruption-queue";
import { NODE_ROLE_POLICIES } from "../../bootstrap/karpenter/node-role";
import { DRAIN_LIMIT, NODE_EXPIRY, vcpusOf } from "../../bootstrap/karpenter/pool-spec";
import { SYSTEM_NODE_SELECTOR, SYSTEM_TOLERATIONS } from "../../bootstrap/shared/placement";
import { CHARTS } from "../../bootstrap/versions";
import { validateManifest } from "../harness/k8s-schema";
import { policyStatements } from "../harness/iam-policy";
import { recordedStack, REPO_ROOT, type RecordedResource, type StackRecording } from "../harness/stacks";
import { FACTS, STACKS, at, input, k8sObject, release } from "./helpers";

const TOOLS = path.join(REPO_ROOT, ".tools");
const MODULE_AT_PIN = `github.com/aws/karpenter-provider-aws@v${CHARTS.karpenter.appVersion}`;

describe("the Karpenter schemas and chart values at the pin", () => {
  it("are installed for exactly the pinned version (a missing or stale copy fails here)", () => {
    expect(readFileSync(path.join(TOOLS, "bootstrap-crds", "karpenter", ".version"), "utf8").trim()).toBe(MODULE_AT_PIN);
    expect(readFileSync(path.join(TOOLS, "karpenter-chart", ".version"), "utf8").trim()).toBe(MODULE_AT_PIN);
  });
});

/** Dotted paths of every leaf the values set (free-form maps such as `annotations` and `resources` are leaves). */
function leafPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) =>
    ["annotations", "nodeSelector", "resources"].includes(key) ? [`${prefix}${key}`] : leafPaths(v, `${prefix}${key}.`),
  );
}

describe.each(STACKS)("%s Karpenter", (stack) => {
  const facts = FACTS[stack];
  const production = facts.environment === "production";
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });
  const nodeClass = () => k8sObject(rec, "EC2NodeClass", WORKLOAD_POOL);
  const nodePool = () => k8sObject(rec, "NodePool", WORKLOAD_POOL);
  const named = (type: string, suffix: string): RecordedResource => {
    const found = rec.byType(type).filter((r) => r.name.endsWith(suffix));
    expect(
      found.map((r) => r.name),
      `${type} *${suffix}`,
    ).toHaveLength(1);
    return found[0];
  };

  it("validates the EC2NodeClass and NodePool strictly against the CRDs of the pinned version", () => {
    for (const object of [nodeClass(), nodePool()]) validateManifest(object.inputs, `${stack} ${object.name}`);
  });

  it("launches AL2023 nodes with IMDSv2 (hop limit 1), an encrypted gp3 root volume, no public IP, in the discovery-tagged subnets and SGs", () => {
    const spec = input<Record<string, unknown>>(nodeClass(), "spec");
    expect(spec.amiSelectorTerms).toEqual([{ alias: "al2023@latest" }]);
    expect(spec.metadataOptions).toEqual({ httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" });
    expect(spec.blockDeviceMappings).toEqual([
      {
        deviceName: "/dev/xvda",
        rootVolume: true,
        ebs: { volumeSize: `${facts.workload.diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
      },
    ]);
    expect(spec.associatePublicIPAddress).toBe(false);
    expect(spec.subnetSelectorTerms).toEqual([{ tags: { [KARPENTER_DISCOVERY_TAG]: facts.clusterName } }]);
    expect(spec.securityGroupSelectorTerms).toEqual([
      { tags: { [KARPENTER_DISCOVERY_TAG]: facts.clusterName } },
      { tags: { "aws:eks:cluster-name": facts.clusterName } },
    ]);
    // The node role's physical name (Pulumi's auto-name of the role resource).
    expect(String(spec.role).startsWith(`${named("aws:iam/role:Role", "-karpenter-node-role").name}-`)).toBe(true);
  });

  it(`runs ${production ? "on-demand only" : "spot with on-demand fallback"}, the stack's instance types, bounded by maxSize nodes of the largest type`, () => {
    const spec = input<{ template: { spec: Record<string, unknown>; metadata: unknown }; disruption: unknown; limits: unknown }>(nodePool(), "spec");
    expect(spec.template.metadata).toEqual({ labels: { "holodeck.dev/node-group": "workload" } });
    expect(spec.template.spec.requirements).toEqual([
      { key: "karpenter.sh/capacity-type", operator: "In", values: production ? ["on-demand"] : ["spot", "on-demand"] },
      { key: "node.kubernetes.io/instance-type", operator: "In", values: facts.workload.instanceTypes },
      { key: "kubernetes.io/arch", operator: "In", values: [facts.workload.amiType.includes("ARM") ? "arm64" : "amd64"] },
      { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
    ]);
    expect([spec.template.spec.expireAfter, spec.template.spec.terminationGracePeriod]).toEqual([NODE_EXPIRY, DRAIN_LIMIT]);
    expect(spec.limits).toEqual({ cpu: String(facts.workload.maxSize * Math.max(...facts.workload.instanceTypes.map(vcpusOf))) });
    expect(at(nodePool().inputs, `metadata.annotations.["${PLANNED_NODES_ANNOTATION}"]`)).toBe(String(facts.workload.desiredSize));
  });

  it("consolidates within disruption budgets (production: 10%, never busy nodes on weekday office hours; staging: 20%, after 1 minute)", () => {
    expect(input(nodePool(), "spec.disruption")).toEqual(
      production
        ? {
            consolidationPolicy: "WhenEmptyOrUnderutilized",
            consolidateAfter: "10m",
            budgets: [{ nodes: "10%" }, { nodes: "0", reasons: ["Underutilized", "Drifted"], schedule: "0 7 * * mon-fri", duration: "12h" }],
          }
        : { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "1m", budgets: [{ nodes: "20%" }] },
    );
  });

  it("runs the controller on the system nodes (exactly their toleration), two replicas, with the interruption queue, using only keys of the pinned chart's values.yaml", () => {
    const r = release(rec, CHARTS.karpenter.chart);
    expect([input(r, "name"), input(r, "namespace"), input(r, "version")]).toEqual(["karpenter", "kube-system", CHARTS.karpenter.version]);
    expect(input(r, "values.nodeSelector")).toEqual(SYSTEM_NODE_SELECTOR);
    expect(input(r, "values.tolerations")).toEqual(SYSTEM_TOLERATIONS);
    expect(input(r, "values.replicas")).toBe(2);
    expect(input(r, "values.settings")).toEqual({ clusterName: facts.clusterName, interruptionQueue: `${facts.clusterName}-karpenter` });
    const chartValues = parse(readFileSync(path.join(TOOLS, "karpenter-chart", "values.yaml"), "utf8")) as Record<string, unknown>;
    const unknownKeys = leafPaths(r.inputs.values).filter((key) => {
      try {
        at(chartValues, key.replace(/\.$/, ""));
        return false;
      } catch {
        return true;
      }
    });
    expect(unknownKeys).toEqual([]);
  });

  it("scopes the controller's IAM policy to this cluster's tagged resources, its queue and its node role", () => {
    const statements = policyStatements(named("aws:iam/rolePolicy:RolePolicy", "-karpenter-controller-irsa-policy").inputs.policy);
    const sid = (name: string) => statements.find((s) => s.Sid === name)!;
    expect(sid("AllowScopedDeletion").Condition).toEqual({
      StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${facts.clusterName}`]: "owned" },
      StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
    });
    expect(sid("AllowInterruptionQueueActions").Resource).toBe(`arn:aws:sqs:${facts.region}:${facts.accountId}:${facts.clusterName}-karpenter`);
    expect(sid("AllowPassingInstanceRole").Resource).toMatch(new RegExp(`^arn:aws:iam::${facts.accountId}:role/`));
    expect(sid("AllowAPIServerEndpointDiscovery").Resource).toBe(`arn:aws:eks:${facts.region}:${facts.accountId}:cluster/${facts.clusterName}`);
    // Only read actions (and the unscopable instance-profile list) go without a resource or condition scope.
    const unscoped = statements.filter((s) => s.Resource === "*" && s.Condition === undefined).flatMap((s) => [s.Action].flat());
    expect(unscoped.sort()).toEqual(["iam:ListInstanceProfiles", "pricing:GetProducts"]);
    const trust = policyStatements(named("aws:iam/role:Role", "-karpenter-controller-irsa-role").inputs.assumeRolePolicy);
    expect(JSON.stringify(trust)).toContain('"system:serviceaccount:kube-system:karpenter"');
  });

  it("forwards the four interruption event kinds to an encrypted queue that only EventBridge may write to, over TLS", () => {
    const queue = named("aws:sqs/queue:Queue", "-karpenter-interruption-queue");
    expect([queue.inputs.name, queue.inputs.messageRetentionSeconds, queue.inputs.sqsManagedSseEnabled]).toEqual([`${facts.clusterName}-karpenter`, 300, true]);
    const rules = rec.byType("aws:cloudwatch/eventRule:EventRule");
    expect(rules.map((r) => JSON.parse(String(r.inputs.eventPattern)) as unknown)).toEqual(Object.values(INTERRUPTION_EVENTS));
    const targets = rec.byType("aws:cloudwatch/eventTarget:EventTarget");
    expect(targets.map((t) => t.inputs.arn)).toEqual(rules.map(() => `arn:aws:sqs:${facts.region}:${facts.accountId}:${facts.clusterName}-karpenter`));
    const policy = policyStatements(named("aws:sqs/queuePolicy:QueuePolicy", "-karpenter-interruption-queue-policy").inputs.policy);
    expect(policy.map((s) => [s.Sid, s.Effect, s.Action])).toEqual([
      ["EC2InterruptionEvents", "Allow", "sqs:SendMessage"],
      ["DenyHTTP", "Deny", "sqs:*"],
    ]);
  });

  it("gives the nodes their own role (worker, ECR pull, SSM) and an EC2_LINUX access entry", () => {
    const role = named("aws:iam/role:Role", "-karpenter-node-role");
    expect(policyStatements(role.inputs.assumeRolePolicy)).toEqual([
      { Effect: "Allow", Principal: { Service: ["ec2.amazonaws.com"] }, Action: "sts:AssumeRole" },
    ]);
    const attached = rec.byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.includes("-karpenter-node-"));
    expect(attached.map((a) => String(a.inputs.policyArn))).toEqual(NODE_ROLE_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`));
    const entry = named("aws:eks/accessEntry:AccessEntry", "-karpenter-node-access");
    expect([entry.inputs.type, entry.inputs.clusterName]).toEqual(["EC2_LINUX", facts.clusterName]);
  });

  it("tags only the private subnets and the node security group for Karpenter's discovery", () => {
    const tagged = (r: RecordedResource) => (r.inputs.tags as Record<string, string> | undefined)?.[KARPENTER_DISCOVERY_TAG];
    const subnets = rec.byType("aws:ec2/subnet:Subnet");
    expect(subnets.filter((s) => tagged(s) !== undefined).map((s) => s.name)).toEqual(subnets.filter((s) => s.name.includes("-private-")).map((s) => s.name));
    for (const s of subnets.filter((x) => x.name.includes("-private-"))) expect(tagged(s)).toBe(facts.clusterName);
    const sgs = rec.byType("aws:ec2/securityGroup:SecurityGroup").filter((sg) => tagged(sg) !== undefined);
    expect(sgs.map((sg) => [sg.name, tagged(sg)])).toEqual([[`${facts.namePrefix}-nodes`, facts.clusterName]]);
  });
});
