// The EKS upgrade rehearsal's chart step (cli/plan/upgrade.ts) knows the Kubernetes range of the
// gateway edge's controller and of Karpenter at their pinned versions (both bootstrap charts:
// an upgrade the edge or the node provisioner does not support is refused before it starts),
// and the support table names each chart once.
import { describe, expect, it } from "vitest";
import { CHARTS } from "../../bootstrap/versions";
import type { KubernetesVersion } from "../../model";
import { CHART_KUBERNETES_SUPPORT } from "../../bootstrap/chart-support";
import { checkChart, pinnedCharts, type PinnedChart } from "../../cli/plan/upgrade";

const pin = (chart: string): PinnedChart => {
  const found = pinnedCharts().filter((p) => p.chart === chart);
  if (found.length !== 1) throw new Error(`${chart} is pinned ${found.length} times`);
  return found[0];
};

describe("chart support of the upgrade plan", () => {
  it("Envoy Gateway v1.9: Kubernetes 1.33 to 1.36", () => {
    const envoy = pin(CHARTS.envoyGateway.chart);
    expect([envoy.version, envoy.pinnedIn]).toEqual(["v1.9.1", "bootstrap/versions.ts"]);
    expect(["1.32", "1.33", "1.36", "1.37"].map((k) => checkChart(envoy, k as KubernetesVersion).status)).toEqual(["blocked", "ok", "ok", "blocked"]);
    expect(checkChart(envoy, "1.36").detail).toBe(
      "Kubernetes 1.33 to 1.36 (Envoy Gateway compatibility matrix (site/content/en/news/releases/matrix.md at v1.9.0: v1.9 supports Kubernetes v1.33 to v1.36; the chart has no kubeVersion), checked 2026-12-03)",
    );
  });

  it("Karpenter 1.15: Kubernetes 1.31 to 1.37", () => {
    const karpenter = pin(CHARTS.karpenter.chart);
    expect([karpenter.version, karpenter.pinnedIn]).toEqual(["1.15.2", "bootstrap/versions.ts"]);
    expect(["1.30", "1.31", "1.37", "1.38"].map((k) => checkChart(karpenter, k as KubernetesVersion).status)).toEqual(["blocked", "ok", "ok", "blocked"]);
    expect(checkChart(karpenter, "1.36").detail).toMatch(/^Kubernetes 1\.31 to 1\.37 \(Karpenter compatibility matrix /);
  });

  it("one entry per chart and version line, and every pinned chart at most once in the plan", () => {
    const keys = CHART_KUBERNETES_SUPPORT.flatMap((entry) => entry.charts.map((chart) => `${chart}@${entry.versionPrefix}`));
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
    const charts = pinnedCharts().map((p) => `${p.chart}@${p.version}`);
    expect(charts.filter((chart, i) => charts.indexOf(chart) !== i)).toEqual([]);
  });
});
