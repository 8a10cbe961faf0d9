// What `npm run plan` reports for one recorded stack, as data (for --json) and as text.
import type { RecordedResource, StackRecording } from "./run-stack";
import { estimateCost, type CostEstimate } from "./costs";
import { buildGraph, criticalPath } from "./graph";

export interface TreeNode {
  type: string;
  name: string;
  protect?: true;
  children: TreeNode[];
}

export interface PlanReport {
  stack: string;
  region: string;
  resourceCount: number;
  countsByType: Record<string, number>;
  tree: TreeNode[];
  outputs: Record<string, unknown>;
  rebuild: { totalSeconds: number; totalMinutes: number; criticalPath: { type: string; name: string; startSeconds: number; finishSeconds: number }[] };
  cost: CostEstimate;
}

export const SECRET_MASK = "[secret]";

export function resourceTree(resources: RecordedResource[]): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  for (const r of resources) nodes.set(r.urn, { type: r.type, name: r.name, ...(r.protect ? { protect: true as const } : {}), children: [] });
  const roots: TreeNode[] = [];
  for (const r of resources) {
    const parent = r.parent ? nodes.get(r.parent) : undefined;
    (parent ? parent.children : roots).push(nodes.get(r.urn)!);
  }
  return roots;
}

export function buildReport(rec: StackRecording, region: string): PlanReport {
  const countsByType: Record<string, number> = {};
  for (const r of rec.resources) countsByType[r.type] = (countsByType[r.type] ?? 0) + 1;
  const sortedCounts = Object.fromEntries(Object.entries(countsByType).sort(([a], [b]) => a.localeCompare(b)));
  const outputs = Object.fromEntries(Object.entries(rec.outputs).map(([k, v]) => [k, rec.secretOutputs.includes(k) ? SECRET_MASK : v]));
  const path = criticalPath(buildGraph(rec.resources));
  return {
    stack: rec.stack,
    region,
    resourceCount: rec.resources.length,
    countsByType: sortedCounts,
    tree: resourceTree(rec.resources),
    outputs,
    rebuild: {
      totalSeconds: path.totalSeconds,
      totalMinutes: Math.round((path.totalSeconds / 60) * 10) / 10,
      criticalPath: path.path.map((n) => ({ type: n.type, name: n.name, startSeconds: n.start, finishSeconds: n.finish })),
    },
    cost: estimateCost(rec, region),
  };
}

function treeLines(nodes: TreeNode[], indent = ""): string[] {
  return nodes.flatMap((node, i) => {
    const last = i === nodes.length - 1;
    const line = `${indent}${last ? "└─ " : "├─ "}${node.type}  ${node.name}${node.protect ? "  [protected]" : ""}`;
    return [line, ...treeLines(node.children, indent + (last ? "   " : "│  "))];
  });
}

const usd = (n: number): string => `$${n.toFixed(2)}`;
const mmss = (s: number): string => `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;

export function renderText(report: PlanReport): string {
  const out: string[] = [`Plan of stack ${report.stack} (${report.region}): ${report.resourceCount} resources would be created`, "", "Resource tree:"];
  out.push(...treeLines(report.tree), "", "Counts by type:");
  for (const [type, count] of Object.entries(report.countsByType)) out.push(`  ${String(count).padStart(4)}  ${type}`);
  out.push("", "Stack outputs:");
  for (const [key, value] of Object.entries(report.outputs)) out.push(`  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  out.push("", `Modelled rebuild time: ${report.rebuild.totalMinutes} min (critical path, durations in cli/plan/durations.ts)`);
  for (const step of report.rebuild.criticalPath)
    out.push(`  ${mmss(step.startSeconds).padStart(7)} -> ${mmss(step.finishSeconds).padStart(7)}  ${step.type}  ${step.name}`);
  if (report.cost.monthlyUsd === null) {
    out.push("", `Monthly cost estimate: none, cli/plan/prices.ts has no price table for ${report.region}`);
    return out.join("\n");
  }
  out.push(
    "",
    `Monthly cost estimate: ${usd(report.cost.monthlyUsd)} (on-demand list prices of ${report.cost.priceDate}, ${report.region}; usage-based charges excluded)`,
  );
  for (const line of report.cost.lines) out.push(`  ${usd(line.monthlyUsd).padStart(10)}  ${line.name}: ${line.detail}`);
  if (report.cost.unpricedInstanceTypes.length > 0) out.push(`  not priced (add to cli/plan/prices.ts): ${report.cost.unpricedInstanceTypes.join(", ")}`);
  return out.join("\n");
}
