// The public edge of a stack: what terminates TLS for `*.<domain>` behind the stack's NLB
// (docs/edge.md). Read from `holodeck:edge` by stacks/config.ts, passed down to the bootstrap
// and, as the chart's `global.edge`, to every service. The first is the default (Pulumi.yaml).
export const EDGES = ["gateway", "ingress-nginx"] as const;
export type Edge = (typeof EDGES)[number];
