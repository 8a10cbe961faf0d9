// The plan's cost model and Karpenter: a NodePool costs its planned nodes at the dearest allowed
// type, spot at SPOT_PRICE_SHARE of on-demand; staging stays within its $350 budget.
import { beforeAll, describe, expect, it } from "vitest";
import { PLANNED_NODES_ANNOTATION } from "../../bootstrap/karpenter/constants";
import { estimateCost, NODE_POOL, nodePoolPlan } from "../../cli/plan/costs";
import { HOURS_PER_MONTH, PRICES, SPOT_PRICE_SHARE } from "../../cli/plan/prices";
import { fakeResource, recordedStack, type StackRecording } from "../harness/stacks";
import { STAGING_BUDGET_USD } from "./budget";

describe("Karpenter in the cost estimate of staging-eu-west-1", () => {
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack("staging-eu-west-1");
  });

  it(`stays within the staging budget of $${STAGING_BUDGET_USD} a month`, () => {
    const cost = estimateCost(rec, "eu-west-1");
    expect(cost.monthlyUsd).toBe(343.48);
    expect(cost.monthlyUsd!).toBeLessThanOrEqual(STAGING_BUDGET_USD);
    expect(cost.lines.filter((l) => l.type === "aws:eks/nodeGroup:NodeGroup").map((l) => l.name)).toEqual(["stg-euw1-system-ng"]);
  });

  it("prices the workload pool's planned nodes as spot at the assumed share of the dearest type, plus their gp3 disks", () => {
    const line = estimateCost(rec, "eu-west-1").lines.find((l) => l.type === NODE_POOL)!;
    // 2 x (0.1124 x 0.35 x 730 + 50 GiB x 0.088)
    expect(line).toEqual({
      type: NODE_POOL,
      name: "stg-euw1-bootstrap-karpenter-pools-node-pool",
      monthlyUsd: 66.24,
      detail: "Karpenter: 2 x m7i.large (spot at 35% of on-demand) + 50 GiB gp3 each",
    });
    expect(2 * (PRICES["eu-west-1"].instanceHour["m7i.large"] * SPOT_PRICE_SHARE * HOURS_PER_MONTH + 50 * PRICES["eu-west-1"].gp3GibMonth)).toBeCloseTo(
      66.24,
      2,
    );
  });
});

describe("a production pool", () => {
  it("is on-demand and priced in full", () => {
    const rec = recordedStack("production-eu-west-1");
    const line = estimateCost(rec, "eu-west-1").lines.find((l) => l.type === NODE_POOL)!;
    expect([line.monthlyUsd, line.detail]).toEqual([2022.05, "Karpenter: 6 x m7i.2xlarge (on-demand) + 100 GiB gp3 each"]);
  });
});

describe("nodePoolPlan", () => {
  it("reads planned nodes, instance types, capacity and node class from a NodePool; an unknown type is reported unpriced", () => {
    const pool = fakeResource(NODE_POOL, "pool", {
      inputs: {
        metadata: { name: "workload", annotations: { [PLANNED_NODES_ANNOTATION]: "3" } },
        spec: {
          template: {
            spec: {
              nodeClassRef: { name: "workload" },
              requirements: [
                { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
                { key: "node.kubernetes.io/instance-type", operator: "In", values: ["x9.large"] },
              ],
            },
          },
        },
      },
    });
    expect(nodePoolPlan(pool)).toEqual({ nodes: 3, types: ["x9.large"], spot: false, nodeClass: "workload" });
    const cost = estimateCost({ ...recordedStack("staging-eu-west-1"), resources: [pool] }, "eu-west-1");
    expect([cost.monthlyUsd, cost.unpricedInstanceTypes]).toEqual([0, ["x9.large"]]);
  });
});
