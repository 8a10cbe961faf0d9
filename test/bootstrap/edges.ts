// The public edge per test run (docs/edge.md): every shipped stack file runs the gateway edge;
// the ingress-nginx edge is the same stack file with `holodeck:edge: ingress-nginx`. Suites that
// check what differs between the edges run both.
import { EDGE_CHARTS } from "../../bootstrap/chart-support";
import { CHARTS } from "../../bootstrap/versions";
import type { Edge } from "../../model";
import { recordedStack, stackConfig, type StackRecording } from "../harness/stacks";
import { STACKS } from "./helpers";

/** The edge a stack file sets (the tests fail loudly if one does not say). */
export function edgeOf(stack: string): Edge {
  const edge = stackConfig(stack)["holodeck:edge"];
  if (edge !== "gateway" && edge !== "ingress-nginx") throw new Error(`stacks/Pulumi.${stack}.yaml: holodeck:edge is ${String(edge)}`);
  return edge;
}

/** Every stack on both edges. */
export const STACK_EDGES: [string, Edge][] = STACKS.flatMap((stack): [string, Edge][] => [
  [stack, "gateway"],
  [stack, "ingress-nginx"],
]);

/** The chart of each edge's controller. */
export const EDGE_CHART: Record<Edge, string> = { gateway: EDGE_CHARTS.gateway.chart, "ingress-nginx": EDGE_CHARTS["ingress-nginx"].chart };

/** Every pinned chart a stack on `edge` installs: all of CHARTS but the other edge's controller. */
export function chartsOn(edge: Edge): (typeof CHARTS)[keyof typeof CHARTS][] {
  const other = EDGE_CHARTS[edge === "gateway" ? "ingress-nginx" : "gateway"].chart;
  return Object.values(CHARTS).filter((pin) => pin.chart !== other);
}

/** The stack file's own recording when it runs `edge`, else the shared ingress-nginx variant (a gateway file); throws otherwise. */
export function stackOnEdge(stack: string, edge: Edge): StackRecording {
  if (edgeOf(stack) === edge) return recordedStack(stack);
  if (edge === "ingress-nginx") return recordedStack(stack, "ingress-nginx-edge");
  throw new Error(`stacks/Pulumi.${stack}.yaml runs ingress-nginx: no shared gateway variant is recorded (add one to SHARED_VARIANTS)`);
}
