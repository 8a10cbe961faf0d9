// Disaster recovery views of a recorded stack: the order `pulumi destroy` deletes in,
// what a destroy leaves standing (protected resources and everything they need), and the
// rebuild critical path with the ordering edges that serialise it.
// Pulumi deletes a resource only after everything that depends on it is gone; a resource
// depends on its dependencies (inputs + dependsOn), its parent and its provider.
import type { RecordedResource } from "./run-stack";
import { buildGraph, criticalPath, schedule, type PlanGraph, type ScheduledNode } from "./graph";

/** The parts of a recorded resource (run-stack.ts) this module reads. */
export type GraphResource = Pick<
  RecordedResource,
  "type" | "name" | "urn" | "inputs" | "parent" | "dependsOn" | "provider" | "protect" | "retainOnDelete" | "custom"
> &
  Partial<Pick<RecordedResource, "propertyDependencies">>;

/** `<provider urn>::<id>` -> provider urn. */
export function providerUrnOf(reference: string | undefined): string | undefined {
  return reference ? reference.slice(0, reference.lastIndexOf("::")) : undefined;
}

/** urn -> urns that must outlive it during a destroy (deleted after it). */
export function deletionDependencies(resources: readonly GraphResource[]): Map<string, Set<string>> {
  const known = new Set(resources.map((r) => r.urn));
  const edges = new Map<string, Set<string>>();
  for (const r of resources) {
    const deps = [...r.dependsOn, r.parent, providerUrnOf(r.provider)].filter((u): u is string => u !== undefined && known.has(u));
    edges.set(r.urn, new Set(deps));
  }
  return edges;
}

/** Every urn reachable from `from` along `edges` (not including `from`). */
export function reachable(edges: ReadonlyMap<string, ReadonlySet<string>>, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(from) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return seen;
}

/**
 * The order `pulumi destroy` deletes in, as waves: everything in a wave can be deleted in
 * parallel once the earlier waves are gone (nothing left depends on it).
 */
export function destroyWaves(resources: readonly GraphResource[]): string[][] {
  const deps = deletionDependencies(resources);
  const dependents = new Map<string, number>(resources.map((r) => [r.urn, 0]));
  for (const targets of deps.values()) for (const t of targets) dependents.set(t, (dependents.get(t) ?? 0) + 1);
  const waves: string[][] = [];
  let ready = [...dependents].filter(([, count]) => count === 0).map(([urn]) => urn);
  while (ready.length > 0) {
    waves.push(ready.sort());
    const next: string[] = [];
    for (const urn of ready) {
      for (const target of deps.get(urn) ?? []) {
        const left = dependents.get(target)! - 1;
        dependents.set(target, left);
        if (left === 0) next.push(target);
      }
    }
    ready = next;
  }
  const placed = waves.flat().length;
  if (placed !== resources.length) throw new Error(`dependency cycle: ${resources.length - placed} resources never become deletable`);
  return waves;
}

export interface DestroyOutcome {
  /** Deleted by `pulumi destroy --exclude-protected`, in wave order. */
  deleted: string[];
  /** Left in the stack: protected resources and everything they depend on. */
  keptInStack: string[];
  /** Deleted from the state but left in the cloud (retainOnDelete). */
  retainedInCloud: string[];
}

/** What `pulumi destroy --exclude-protected` does (a plain destroy refuses while anything is protected). */
export function simulateDestroy(resources: readonly GraphResource[]): DestroyOutcome {
  const deps = deletionDependencies(resources);
  const kept = new Set<string>();
  for (const r of resources.filter((res) => res.protect)) {
    kept.add(r.urn);
    for (const dep of reachable(deps, r.urn)) kept.add(dep);
  }
  const deleted = destroyWaves(resources)
    .flat()
    .filter((urn) => !kept.has(urn));
  const retainOnDelete = new Set(resources.filter((r) => r.retainOnDelete).map((r) => r.urn));
  return {
    deleted,
    keptInStack: [...kept].sort(),
    retainedInCloud: deleted.filter((urn) => retainOnDelete.has(urn)),
  };
}

// ---- Capacity outside the state: what a controller removes when Pulumi deletes a holder ----

/**
 * Kinds whose deletion makes Karpenter remove EC2 capacity Pulumi never recorded (its nodes
 * would otherwise keep their ENIs in the subnets and block the VPC's deletion), and what it does.
 */
export const OUTSIDE_STATE_HOLDERS: Readonly<Record<string, string>> = {
  "kubernetes:karpenter.sh/v1:NodePool": "Karpenter drains and terminates every node it launched for the pool",
  "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass":
    "its finalizer holds the deletion until no instance of the class is left, then Karpenter deletes the instance profile",
};

/** What has to still run and exist while a holder's capacity goes (shown per holder). */
function isCapacityPrerequisite(r: GraphResource): boolean {
  if (r.type === "kubernetes:helm.sh/v3:Release") return typeof r.inputs["chart"] === "string" && r.inputs["chart"].endsWith("/karpenter");
  if (r.type === "aws:eks/accessEntry:AccessEntry") return r.inputs["type"] === "EC2_LINUX";
  return ["aws:eks/cluster:Cluster", "aws:ec2/vpc:Vpc", "aws:sqs/queue:Queue"].includes(r.type);
}

export interface OutsideStateStep {
  resource: string;
  /** 1-based destroy wave it is deleted in. */
  wave: number;
  effect: string;
  /** The controller, queue, node access, cluster and VPC: all deleted in later waves. */
  outlivedBy: string[];
}

export function capacityOutsideState(resources: readonly GraphResource[]): OutsideStateStep[] {
  const deps = deletionDependencies(resources);
  const waves = destroyWaves(resources);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return resources
    .filter((r) => OUTSIDE_STATE_HOLDERS[r.type] !== undefined)
    .map((r) => ({
      resource: label(r),
      wave: waves.findIndex((wave) => wave.includes(r.urn)) + 1,
      effect: OUTSIDE_STATE_HOLDERS[r.type],
      outlivedBy: [...reachable(deps, r.urn)]
        .map((urn) => byUrn.get(urn)!)
        .filter(isCapacityPrerequisite)
        .map(label)
        .sort(),
    }))
    .sort((a, b) => a.wave - b.wave || a.resource.localeCompare(b.resource));
}

// ---- `npm run plan -- --dr`: the rebuild critical path and what serialises it ----------

/** Why a resource on the critical path started when it did. */
export type WaitKind = "data" | "dependsOn" | "provider" | "children";

export interface DrStep {
  type: string;
  name: string;
  startSeconds: number;
  finishSeconds: number;
  /**
   * The resource it waited for last and why (absent for the first step); when that is a
   * provider or component (which take no time), `after` names the timed resource behind it.
   */
  waitedFor?: { type: string; name: string; kind: WaitKind; after?: string };
}

export interface SerialisedStep {
  /** The resource that waits only because of an explicit dependsOn. */
  waiter: string;
  /** What it waits for on the critical path. */
  waitsFor: string;
  /** Rebuild time saved if it waited only for its inputs, provider and children. */
  savedSeconds: number;
}

export interface DrReport {
  stack: string;
  rebuild: { totalSeconds: number; totalMinutes: number; criticalPath: DrStep[] };
  couldRunInParallel: SerialisedStep[];
  destroy: { waves: number; deleted: number; keptInStack: string[]; retainedInCloud: string[] };
  /** Karpenter's pools: deleted while its controller still runs, before the cluster and VPC. */
  capacityOutsideState: OutsideStateStep[];
}

const label = (r: { type: string; name: string }): string => `${r.type} ${r.name}`;
const minutes = (seconds: number): number => Math.round((seconds / 60) * 10) / 10;

function waitKind(resource: GraphResource, on: string): WaitKind {
  if (on === providerUrnOf(resource.provider)) return "provider";
  if (Object.values(resource.propertyDependencies ?? {}).some((urns) => urns.includes(on))) return "data";
  return !resource.custom && !resource.dependsOn.includes(on) ? "children" : "dependsOn";
}

/** The waits a node keeps without its explicit dependsOn: inputs, provider, children. */
function essentialWaits(resource: GraphResource, graph: PlanGraph): string[] {
  return graph.get(resource.urn)!.waitsFor.filter((urn) => waitKind(resource, urn) !== "dependsOn");
}

/** Every scheduled node on the longest chain, first to last (components and providers included). */
function criticalChain(scheduled: Map<string, ScheduledNode>): ScheduledNode[] {
  let last: ScheduledNode | undefined;
  for (const node of scheduled.values()) if (!last || node.finish > last.finish) last = node;
  const chain: ScheduledNode[] = [];
  for (let node = last; node; node = node.via ? scheduled.get(node.via) : undefined) chain.unshift(node);
  return chain;
}

export function buildDrReport(stack: string, resources: RecordedResource[]): DrReport {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const graph = buildGraph(resources);
  const scheduled = schedule(graph);
  const chain = criticalChain(scheduled);
  const total = chain.at(-1)?.finish ?? 0;
  const steps = chain
    .filter((node) => node.seconds > 0)
    .map((node): DrStep => {
      const step: DrStep = { type: node.type, name: node.name, startSeconds: node.start, finishSeconds: node.finish };
      if (!node.via) return step;
      const direct = scheduled.get(node.via)!;
      let behind: ScheduledNode | undefined = direct;
      while (behind && behind.seconds === 0) behind = behind.via ? scheduled.get(behind.via) : undefined;
      const after = behind && behind !== direct ? { after: behind.name } : {};
      return { ...step, waitedFor: { type: direct.type, name: direct.name, kind: waitKind(byUrn.get(node.urn)!, node.via), ...after } };
    });
  const couldRunInParallel = chain
    .filter((node) => node.via !== undefined && waitKind(byUrn.get(node.urn)!, node.via) === "dependsOn")
    .map((node): SerialisedStep => {
      const relaxed: PlanGraph = new Map(graph);
      relaxed.set(node.urn, { ...graph.get(node.urn)!, waitsFor: essentialWaits(byUrn.get(node.urn)!, graph) });
      return { waiter: label(node), waitsFor: label(scheduled.get(node.via!)!), savedSeconds: total - criticalPath(relaxed).totalSeconds };
    })
    .sort((a, b) => b.savedSeconds - a.savedSeconds);
  const outcome = simulateDestroy(resources);
  const named = (urns: string[]) => urns.map((urn) => label(byUrn.get(urn)!));
  return {
    stack,
    rebuild: { totalSeconds: total, totalMinutes: minutes(total), criticalPath: steps },
    couldRunInParallel,
    destroy: {
      waves: destroyWaves(resources).length,
      deleted: outcome.deleted.length,
      keptInStack: named(outcome.keptInStack.filter((urn) => byUrn.get(urn)!.custom && !byUrn.get(urn)!.type.startsWith("pulumi:"))),
      retainedInCloud: named(outcome.retainedInCloud),
    },
    capacityOutsideState: capacityOutsideState(resources),
  };
}

const mmss = (s: number): string => `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;

export function renderDr(report: DrReport): string {
  const out = [
    `Disaster recovery view of stack ${report.stack}`,
    "",
    `Rebuild critical path: ${report.rebuild.totalMinutes} min modelled (from-scratch pulumi up; durations in cli/plan/durations.ts)`,
  ];
  for (const step of report.rebuild.criticalPath) {
    const wait = step.waitedFor;
    const why = wait ? `  <- ${wait.kind} ${wait.name}${wait.after ? ` (after ${wait.after})` : ""}` : "";
    out.push(`  ${mmss(step.startSeconds).padStart(7)} -> ${mmss(step.finishSeconds).padStart(7)}  ${step.type}  ${step.name}${why}`);
  }
  out.push("", "Could run in parallel but waits: explicit dependsOn edges on the critical path, and the rebuild time saved if that");
  out.push("resource waited only for its inputs, provider and children (keep an edge that orders CRDs, readiness or a safe destroy):");
  const gains = report.couldRunInParallel.filter((step) => step.savedSeconds > 0);
  if (gains.length === 0) out.push("  none: removing any single ordering edge would not shorten the rebuild");
  for (const step of gains) out.push(`  ${mmss(step.savedSeconds).padStart(6)}  ${step.waiter}`, `          waits for ${step.waitsFor}`);
  const idle = report.couldRunInParallel.length - gains.length;
  if (idle > 0) out.push(`  (${idle} more ordering-only wait(s) on the path save nothing alone: another dependency finishes as late)`);
  out.push("", `Destroy: ${report.destroy.deleted} resources in ${report.destroy.waves} waves (pulumi destroy --exclude-protected)`);
  out.push(`  kept in the stack (protected, and what they need): ${report.destroy.keptInStack.length}`);
  for (const kept of report.destroy.keptInStack) out.push(`    ${kept}`);
  out.push(`  removed from the stack but left in place (retainOnDelete): ${report.destroy.retainedInCloud.length}`);
  for (const kept of report.destroy.retainedInCloud) out.push(`    ${kept}`);
  out.push(`  capacity outside the state (deleted while its controller runs): ${report.capacityOutsideState.length}`);
  for (const step of report.capacityOutsideState) {
    out.push(`    wave ${step.wave}: ${step.resource}: ${step.effect}`, `      before ${step.outlivedBy.join(", ")}`);
  }
  return out.join("\n");
}
