// How far staging's $350 budget stretches under the plan's cost model: the spot share at which
// it is exceeded, what a node falling back to on-demand costs, how diverse the spot pool is and
// what the unpriced detailed monitoring adds. Every figure is computed here from the model
// (cli/plan/costs.ts, cli/plan/prices.ts) and must appear in docs/scaling.md as computed, so
// the doc cannot drift from the prices or the stack file.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { estimateCost, NODE_POOL, nodePoolPlan, onDemandFallbackPerNodeUsd, spotBreakEvenShare } from "../../cli/plan/costs";
import { HOURS_PER_MONTH, PRICES, SPOT_PRICE_SHARE } from "../../cli/plan/prices";
import { KARPENTER_DISCOVERY_TAG } from "../../components/network";
import { recordedStack, REPO_ROOT, type RecordedResource, type StackRecording } from "../harness/stacks";
import { STAGING_BUDGET_USD } from "./budget";

const REGION = "eu-west-1";
const DOC = readFileSync(path.join(REPO_ROOT, "docs", "scaling.md"), "utf8").replace(/\s+/g, " ");

/**
 * EC2 detailed monitoring, which the model does not price: 7 one-minute metrics per instance,
 * $0.30 per metric-month (first tier), the first 10 detailed-monitoring metrics of an account
 * free. Sources: aws.amazon.com/cloudwatch/pricing (free tier, prices vary by region) and the
 * third-party summary ryuzoji.com/archives/969 (metric count, $0.30); docs/scaling.md cites both.
 */
const MONITORING = { metricsPerInstance: 7, usdPerMetricMonth: 0.3, freeMetrics: 10 };

/** Detailed monitoring as recorded: the Karpenter EC2NodeClass's, then each launch template's (the system group). */
function detailedMonitoring(rec: StackRecording): (boolean | undefined)[] {
  const nodeClass = rec.byType("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")[0];
  const templates = rec.byType("aws:ec2/launchTemplate:LaunchTemplate");
  return [
    (nodeClass.inputs.spec as { detailedMonitoring?: boolean }).detailedMonitoring,
    ...templates.map((t) => (t.inputs.monitoring as { enabled?: boolean } | undefined)?.enabled),
  ];
}

const usd = (n: number): string => `$${n.toFixed(2)}`;
const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;

describe("staging-eu-west-1 against its $350 budget", () => {
  let rec: StackRecording;
  let pool: RecordedResource;
  let estimate: number;
  beforeAll(() => {
    rec = recordedStack("staging-eu-west-1");
    pool = rec.byType(NODE_POOL)[0];
    estimate = estimateCost(rec, REGION).monthlyUsd!;
  });

  it("spot break-even: the estimate reaches $350 at 39.0% of on-demand (the model assumes 35%); docs/scaling.md says so", () => {
    const share = spotBreakEvenShare(rec, REGION, STAGING_BUDGET_USD)!;
    expect(share).toBeCloseTo(0.38976, 4);
    expect(estimateCost(rec, REGION, share).monthlyUsd).toBeCloseTo(STAGING_BUDGET_USD, 1);
    expect([estimateCost(rec, REGION, 0).monthlyUsd, estimateCost(rec, REGION, 1).monthlyUsd]).toEqual([286.04, 450.14]);
    expect(share).toBeGreaterThan(SPOT_PRICE_SHARE);
    expect(DOC).toContain(`more than **${pct(share)}** of the on-demand price (a saving under ${pct(1 - share)})`);
    expect(DOC).toContain(`The estimate assumes ${SPOT_PRICE_SHARE * 100}%.`);
  });

  it("one node on on-demand costs $53.33 a month more: $396.81, over the budget; the $6.52 headroom buys 89 node-hours", () => {
    const plan = nodePoolPlan(pool);
    const perNode = onDemandFallbackPerNodeUsd(pool, REGION)!;
    const dearest = PRICES[REGION].instanceHour["m7i.large"];
    expect(Math.max(...plan.types.map((t) => PRICES[REGION].instanceHour[t]))).toBe(dearest);
    expect(perNode).toBeCloseTo(dearest * (1 - SPOT_PRICE_SHARE) * HOURS_PER_MONTH, 9);
    expect(usd(perNode)).toBe("$53.33");
    const oneOnDemand = estimate + perNode;
    expect(usd(oneOnDemand)).toBe("$396.81");
    expect(oneOnDemand).toBeGreaterThan(STAGING_BUDGET_USD);
    expect(estimate + plan.nodes * perNode).toBeCloseTo(estimateCost(rec, REGION, 1).monthlyUsd!, 1);
    const headroom = STAGING_BUDGET_USD - estimate;
    const hours = Math.floor(headroom / (perNode / HOURS_PER_MONTH));
    expect([usd(headroom), hours]).toEqual(["$6.52", 89]);
    expect(DOC).toContain(
      `**${usd(perNode)}** a month more per node (m7i.large at the ${Math.round((1 - SPOT_PRICE_SHARE) * 100)}% not saved), ${usd(oneOnDemand)} for staging with one of its ${plan.nodes} planned nodes on-demand`,
    );
    expect(DOC).toContain(`with both on-demand the estimate is ${usd(estimateCost(rec, REGION, 1).monthlyUsd!)}`);
    expect(DOC).toContain(`The ${usd(headroom)} of headroom at ${SPOT_PRICE_SHARE * 100}% pays for ${hours} on-demand node-hours a month.`);
  });

  it("spot diversity: the pool allows 2 instance types in 3 zones (6 spot pools), below Karpenter's 15 for spot-to-spot replacement", () => {
    const plan = nodePoolPlan(pool);
    const zones = rec.byType("aws:ec2/subnet:Subnet").filter((s) => (s.inputs.tags as Record<string, string> | undefined)?.[KARPENTER_DISCOVERY_TAG]).length;
    expect([plan.spot, plan.types, zones]).toEqual([true, ["m7i.large", "m6i.large"], 3]);
    expect(plan.types.length).toBeLessThan(15);
    expect(DOC).toContain(`allows **${plan.types.length} instance types** (${plan.types.join(", ")}) in ${zones} zones`);
    expect(DOC).toContain(`picks among ${plan.types.length * zones} spot pools`);
  });

  it("detailed monitoring is off on staging's nodes (system group and Karpenter pool): nothing unpriced is billed per node", () => {
    expect(detailedMonitoring(rec)).toEqual([false, false]);
    expect(DOC).toContain("staging turns it off on every node");
    // What it would have cost: every planned instance's metrics, with and without the account's free ones.
    const systemNodes = Number((rec.byType("aws:eks/nodeGroup:NodeGroup")[0].inputs.scalingConfig as { desiredSize: number }).desiredSize);
    const instances = systemNodes + nodePoolPlan(pool).nodes;
    const metrics = instances * MONITORING.metricsPerInstance;
    const [afterFree, full] = [(metrics - MONITORING.freeMetrics) * MONITORING.usdPerMetricMonth, metrics * MONITORING.usdPerMetricMonth];
    expect([instances, metrics, usd(afterFree), usd(full)]).toEqual([4, 28, "$5.40", "$8.40"]);
    expect(estimate + afterFree).toBeLessThan(STAGING_BUDGET_USD);
    expect(estimate + full).toBeGreaterThan(STAGING_BUDGET_USD);
    expect(DOC).toContain(
      `On staging's ${instances} planned instances (${metrics} metrics) that would have been ${usd(afterFree)} to ${usd(full)} a month (with or without the free ${MONITORING.freeMetrics}), an estimate of ${usd(estimate + afterFree)} to ${usd(estimate + full)}: at or over its budget.`,
    );
  });
});

describe("a production stack", () => {
  it("has no spot pool, so no break-even and no fallback premium beyond the on-demand price it already pays", () => {
    const rec = recordedStack("production-eu-west-1");
    expect(nodePoolPlan(rec.byType(NODE_POOL)[0]).spot).toBe(false);
    expect(spotBreakEvenShare(rec, REGION, STAGING_BUDGET_USD)).toBeNull();
  });

  it("keeps detailed monitoring on every node, which the estimate does not price (about $2.10 per instance-month)", () => {
    const rec = recordedStack("production-eu-west-1");
    expect(detailedMonitoring(rec)).toEqual([true, true]);
    expect(estimateCost(rec, REGION).lines.filter((l) => /monitor|cloudwatch/i.test(l.detail))).toEqual([]);
    expect(DOC).toContain(`about **${usd(MONITORING.metricsPerInstance * MONITORING.usdPerMetricMonth)} per instance-month**`);
  });
});
