// The dependency graph of a recorded stack and its critical path: the longest chain of
// creations a from-scratch `pulumi up` has to wait for. Exported for other plan modes
// (e.g. cli/plan/dr.ts) that filter the graph or change durations.
import type { RecordedResource } from "./run-stack";
import { durationModel } from "./durations";

export interface PlanNode {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  seconds: number;
  /** URNs this node cannot start before: dependencies (explicit and via inputs), provider; a component waits for its children. */
  waitsFor: string[];
}

export type PlanGraph = Map<string, PlanNode>;

export interface ScheduledNode extends PlanNode {
  start: number;
  finish: number;
  /** The predecessor that finished last (the one that made this node wait). */
  via?: string;
}

export type DurationOf = (resource: RecordedResource) => number;

/** Provider references are `<urn>::<id>`. */
function providerUrn(ref: string | undefined): string | undefined {
  return ref ? ref.slice(0, ref.lastIndexOf("::")) : undefined;
}

export function buildGraph(resources: RecordedResource[], durationOf: DurationOf = durationModel(resources)): PlanGraph {
  const graph: PlanGraph = new Map();
  for (const r of resources) {
    const waitsFor = new Set(r.dependsOn);
    const provider = providerUrn(r.provider);
    if (provider) waitsFor.add(provider);
    graph.set(r.urn, { urn: r.urn, type: r.type, name: r.name, custom: r.custom, seconds: durationOf(r), waitsFor: [...waitsFor] });
  }
  for (const r of resources) {
    if (r.parent && !graph.get(r.parent)?.custom) graph.get(r.parent)?.waitsFor.push(r.urn);
  }
  for (const node of graph.values()) node.waitsFor = node.waitsFor.filter((urn) => graph.has(urn));
  return graph;
}

/** Earliest start/finish of every node with unlimited parallelism (Pulumi's default). */
export function schedule(graph: PlanGraph): Map<string, ScheduledNode> {
  const done = new Map<string, ScheduledNode>();
  const visiting = new Set<string>();
  const visit = (urn: string): ScheduledNode => {
    const known = done.get(urn);
    if (known) return known;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    const node = graph.get(urn)!;
    let start = 0;
    let via: string | undefined;
    for (const dep of node.waitsFor) {
      const finish = visit(dep).finish;
      if (via === undefined || finish > start) [start, via] = [finish, dep];
    }
    const scheduled: ScheduledNode = { ...node, start, finish: start + node.seconds, via };
    visiting.delete(urn);
    done.set(urn, scheduled);
    return scheduled;
  };
  for (const urn of graph.keys()) visit(urn);
  return done;
}

export interface CriticalPath {
  totalSeconds: number;
  /** Resources that create something (custom, non-zero duration), first to last. */
  path: ScheduledNode[];
}

export function criticalPath(graph: PlanGraph): CriticalPath {
  const scheduled = schedule(graph);
  let last: ScheduledNode | undefined;
  for (const node of scheduled.values()) if (!last || node.finish > last.finish) last = node;
  const path: ScheduledNode[] = [];
  for (let node = last; node; node = node.via ? scheduled.get(node.via) : undefined) {
    if (node.seconds > 0) path.unshift(node);
  }
  return { totalSeconds: last?.finish ?? 0, path };
}
