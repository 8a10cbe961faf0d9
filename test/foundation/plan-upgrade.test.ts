// The EKS upgrade rehearsal (`npm run plan -- --upgrade <version>`, cli/plan/upgrade.ts):
// refuses what EKS refuses (skipping a minor, downgrading) and what holodeck does not accept,
// lists every pinned chart with its Kubernetes support, and orders the one `pulumi up`'s
// changes as the program's dependencies do: control plane, network add-ons, node groups, then
// the add-ons that need nodes, with the add-on versions of EKS_ADDON_VERSIONS.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHARTS } from "../../bootstrap/versions";
import { EKS_ADDON_VERSIONS } from "../../components/cluster-addons";
import { checkChart, checkUpgrade, installedCharts, pinnedCharts, UpgradeRefused, type UpgradePlan } from "../../cli/plan/upgrade";
import { recordedStack, REPO_ROOT } from "../harness/stacks";

const plan = (...args: string[]) =>
  spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(REPO_ROOT, "cli/plan.ts"), ...args], { cwd: REPO_ROOT, encoding: "utf8" });
const refusal = (current: string, target: string): string => {
  try {
    checkUpgrade(current, target);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(UpgradeRefused);
    return (error as Error).message;
  }
  return "accepted";
};

describe("which charts the rehearsal checks", () => {
  // The stacks run 1.36 already (stack-cluster.test.ts); the rehearsal is of the move from 1.35.
  it("the bootstrap charts the stack installs: ingress-nginx only on its edge, where 1.36 is past its tested range", () => {
    const gateway = installedCharts(recordedStack("staging-eu-west-1")).map((pin) => pin.chart);
    expect(gateway).not.toContain(CHARTS.ingressNginx.chart);
    expect(gateway).toContain(CHARTS.envoyGateway.chart);
    const nginx = installedCharts(recordedStack("staging-eu-west-1", "ingress-nginx-edge")).find((pin) => pin.chart === CHARTS.ingressNginx.chart);
    if (nginx === undefined) throw new Error("the ingress-nginx edge installs no ingress-nginx release");
    const at136 = checkChart(nginx, "1.36");
    expect(at136.status).toBe("blocked");
    expect(at136.detail.startsWith("Kubernetes 1.31 to 1.35 (ingress-nginx README")).toBe(true);
    expect(checkChart(nginx, "1.35").status).toBe("ok");
  });
});

describe("which upgrades the rehearsal accepts", () => {
  it("accepts the next minor version when holodeck accepts it", () => {
    expect(checkUpgrade("1.35", "1.36")).toBe("1.36");
  });

  it("refuses skipping a minor version, naming the one to do first", () => {
    expect(refusal("1.35", "1.37")).toBe("--upgrade 1.37: EKS upgrades one minor version at a time; 1.35 -> 1.37 skips 1.36: run --upgrade 1.36 first");
  });

  it("refuses a downgrade, the current version, a version holodeck does not accept yet and a malformed one", () => {
    expect(refusal("1.36", "1.35")).toBe("--upgrade 1.35: EKS cannot downgrade a control plane (1.36 -> 1.35)");
    expect(refusal("1.36", "1.36")).toBe("--upgrade 1.36: the stack already runs Kubernetes 1.36");
    expect(refusal("1.36", "1.37")).toBe(
      "--upgrade 1.37: holodeck does not accept Kubernetes 1.37 yet (allowed: 1.35 | 1.36; add it first: docs/runbooks/eks-upgrade.md)",
    );
    expect(refusal("1.35", "latest")).toBe("--upgrade latest: not a Kubernetes minor version like 1.36 (allowed: 1.35 | 1.36)");
  });
});

describe("charts the target must support", () => {
  it("lists every chart holodeck pins: the bootstrap table and every chart source of the ApplicationSets", () => {
    const dir = path.join(REPO_ROOT, "platform-apps", "applicationsets");
    const appsetCharts = readdirSync(dir)
      .filter((file) => file.endsWith(".yaml"))
      .flatMap((file) => {
        const doc = parse(readFileSync(path.join(dir, file), "utf8")) as { spec?: { template?: { spec?: { sources?: Array<{ chart?: string }> } } } };
        return (doc.spec?.template?.spec?.sources ?? []).flatMap((source) => (source.chart === undefined ? [] : [source.chart]));
      });
    expect(appsetCharts.length).toBeGreaterThan(10);
    expect(
      pinnedCharts()
        .map((pin) => pin.chart)
        .sort(),
    ).toEqual([...Object.values(CHARTS).map((pin) => pin.chart), ...appsetCharts].sort());
  });

  it("says ok inside a recorded range (or above a minimum), blocked outside it, and check when the chart declares none or nothing is recorded", () => {
    const istiod = { chart: "istiod", repo: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3", pinnedIn: "x" };
    expect(checkChart(istiod, "1.36").status).toBe("ok");
    const narrow = [{ charts: ["istiod"], versionPrefix: "1.30.", min: "1.31", max: "1.35", source: "test range" }];
    expect(checkChart(istiod, "1.36", narrow)).toMatchObject({ status: "blocked", detail: "Kubernetes 1.31 to 1.35 (test range)" });
    const minimumOnly = [{ charts: ["istiod"], versionPrefix: "1.30.", min: "1.36", source: "test minimum" }];
    expect(checkChart(istiod, "1.36", minimumOnly)).toMatchObject({ status: "ok", detail: "Kubernetes 1.36 and newer (test minimum)" });
    expect(checkChart(istiod, "1.35", minimumOnly).status).toBe("blocked");
    expect(checkChart(istiod, "1.36", [{ charts: ["istiod"], versionPrefix: "1.30.", source: "no kubeVersion" }])).toMatchObject({
      status: "check",
      detail: "declares no Kubernetes range (no kubeVersion): read the release notes",
    });
    expect(checkChart({ ...istiod, version: "1.31.0" }, "1.36")).toMatchObject({
      status: "check",
      detail:
        "no recorded range: read kubeVersion of `helm show chart istiod --repo https://istio-release.storage.googleapis.com/charts --version 1.31.0` and the release notes",
    });
  });
});

/** The stack files are on 1.36: the rehearsal is of a stack still on 1.35 (what-if config). */
const ON_135 = ["--config", "holodeck:kubernetesVersion=1.35"];

describe("npm run plan -- --upgrade", { timeout: 240_000 }, () => {
  it("orders the steps of staging-eu-west-1's upgrade to 1.36 by the program's dependencies, with the table's add-on versions", () => {
    const run = plan("--stack", "staging-eu-west-1", ...ON_135, "--upgrade", "1.36", "--json");
    expect(run.status, run.stderr).toBe(0);
    const upgrade = JSON.parse(run.stdout) as UpgradePlan;
    expect([upgrade.stack, upgrade.from, upgrade.to, upgrade.standardSupportUntil]).toEqual(["staging-eu-west-1", "1.35", "1.36", "2027-08-02"]);
    const [before, after] = [EKS_ADDON_VERSIONS["1.35"], EKS_ADDON_VERSIONS["1.36"]];
    expect(upgrade.steps.map((s) => `${s.kind} ${s.resource} ${s.from} -> ${s.to}`)).toEqual([
      "control plane stg-euw1-eks 1.35 -> 1.36",
      `add-on kube-proxy (stg-euw1-addons-network-kube-proxy) ${before["kube-proxy"]} -> ${after["kube-proxy"]}`,
      `add-on vpc-cni (stg-euw1-addons-network-vpc-cni) ${before["vpc-cni"]} -> ${after["vpc-cni"]}`,
      "node group stg-euw1-system-ng 1.35 -> 1.36",
      `add-on aws-ebs-csi-driver (stg-euw1-addons-workload-aws-ebs-csi-driver) ${before["aws-ebs-csi-driver"]} -> ${after["aws-ebs-csi-driver"]}`,
      `add-on coredns (stg-euw1-addons-workload-coredns) ${before.coredns} -> ${after.coredns}`,
    ]);
    expect(upgrade.steps.filter((s) => s.kind === "node group").map((s) => s.how)).toEqual([
      "rolling to the new AMI, at most 33 % unavailable, drains respect PodDisruptionBudgets",
    ]);
    expect(upgrade.charts.filter((c) => c.status === "blocked")).toEqual([]);
    const status = (chart: string) => upgrade.charts.find((c) => c.chart === chart)?.status;
    expect(["base", "cni", "istiod"].map(status)).toEqual(["ok", "ok", "ok"]);
    for (const c of upgrade.charts.filter((chart) => chart.status === "check"))
      expect(c.detail, c.chart).toMatch(/^(no recorded range|declares no Kubernetes range)/);
  });

  it("prints charts first, then the numbered steps of the one pulumi up, then the checks afterwards", () => {
    const run = plan(...ON_135, "--upgrade", "1.36");
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("EKS upgrade rehearsal of staging-eu-west-1: Kubernetes 1.35 -> 1.36 (standard support of 1.36 until 2027-08-02)");
    const sections = lines.filter((line) => /^\d\. /.test(line)).map((line) => line.slice(0, 3));
    expect(sections).toEqual(["1. ", "2. ", "3. "]);
    expect(lines.filter((line) => /^ {3}2\.\d /.test(line)).map((line) => line.trim().split(/\s+/).slice(0, 2).join(" "))).toEqual([
      "2.1 control",
      "2.2 add-on",
      "2.3 add-on",
      "2.4 node",
      "2.5 add-on",
      "2.6 add-on",
    ]);
  });

  it("refuses skipping a minor version with exit code 1 and no plan", () => {
    const run = plan(...ON_135, "--upgrade", "1.37");
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim()).toBe("--upgrade 1.37: EKS upgrades one minor version at a time; 1.35 -> 1.37 skips 1.36: run --upgrade 1.36 first");
  });
});
