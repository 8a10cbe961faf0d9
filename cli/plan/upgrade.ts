// `npm run plan -- --upgrade <version>`: an EKS upgrade rehearsal. Runs the stack's program
// under the plan mocks with the target Kubernetes version and lists, in dependency order, what
// the one `pulumi up` of the upgrade changes (control plane, add-ons from EKS_ADDON_VERSIONS,
// node groups), after the charts that must support the target first. docs/runbooks/eks-upgrade.md
// follows this output.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CHART_KUBERNETES_SUPPORT, chartSupport, kubernetesMinor, rangeText, supports, type ChartKubernetesSupport } from "../../bootstrap/chart-support";
import { CHARTS } from "../../bootstrap/versions";
import { EKS_ADDON_VERSIONS, EKS_ADDONS, type EksAddonName } from "../../components/cluster-addons";
import { KUBERNETES_VERSIONS, type KubernetesVersion } from "../../model";
import { EKS_RELEASE_CALENDAR } from "../../stacks/config-rules";
import { REPO_ROOT, type RecordedResource, type StackRecording } from "./run-stack";

/** A refused upgrade (skipped minor, downgrade, unknown version, a chart that does not support it). */
export class UpgradeRefused extends Error {}

/** The target as an accepted version, or why the upgrade from `current` is refused. */
export function checkUpgrade(current: string, target: string): KubernetesVersion {
  const allowed = KUBERNETES_VERSIONS.join(" | ");
  if (Number.isNaN(kubernetesMinor(target))) throw new UpgradeRefused(`--upgrade ${target}: not a Kubernetes minor version like 1.36 (allowed: ${allowed})`);
  const [from, to] = [kubernetesMinor(current), kubernetesMinor(target)];
  if (to === from) throw new UpgradeRefused(`--upgrade ${target}: the stack already runs Kubernetes ${current}`);
  if (to < from) throw new UpgradeRefused(`--upgrade ${target}: EKS cannot downgrade a control plane (${current} -> ${target})`);
  if (to > from + 1) {
    throw new UpgradeRefused(
      `--upgrade ${target}: EKS upgrades one minor version at a time; ${current} -> ${target} skips 1.${from + 1}: run --upgrade 1.${from + 1} first`,
    );
  }
  if (!(KUBERNETES_VERSIONS as readonly string[]).includes(target)) {
    throw new UpgradeRefused(
      `--upgrade ${target}: holodeck does not accept Kubernetes ${target} yet (allowed: ${allowed}; add it first: docs/runbooks/eks-upgrade.md)`,
    );
  }
  return target as KubernetesVersion;
}

export interface PinnedChart {
  chart: string;
  repo: string;
  version: string;
  /** Where the pin is written. */
  pinnedIn: string;
}

const BOOTSTRAP_PINS = "bootstrap/versions.ts";

/** Every chart holodeck installs: the bootstrap pin table and the platform ApplicationSets. */
export function pinnedCharts(): PinnedChart[] {
  const bootstrap = Object.values(CHARTS).map((pin) => ({ chart: pin.chart, repo: pin.repo, version: pin.version, pinnedIn: BOOTSTRAP_PINS }));
  const dir = path.join(REPO_ROOT, "platform-apps", "applicationsets");
  const platform = readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .flatMap((file) => {
      const doc = parse(readFileSync(path.join(dir, file), "utf8")) as { spec?: { template?: { spec?: { sources?: Array<Record<string, unknown>> } } } };
      return (doc.spec?.template?.spec?.sources ?? [])
        .filter((source) => typeof source["chart"] === "string")
        .map((source) => ({
          chart: String(source["chart"]),
          repo: String(source["repoURL"]),
          version: String(source["targetRevision"]),
          pinnedIn: `platform-apps/applicationsets/${file}`,
        }));
    });
  return [...bootstrap, ...platform];
}

/**
 * The pinned charts this stack runs: the bootstrap releases its program records (e.g. only the
 * edge it chose) and every platform chart (the ApplicationSets select every cluster).
 */
export function installedCharts(target: StackRecording): PinnedChart[] {
  const released = new Set(target.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => String(r.inputs["chart"])));
  return pinnedCharts().filter((pin) => pin.pinnedIn !== BOOTSTRAP_PINS || released.has(pin.chart));
}

export interface ChartCheck extends PinnedChart {
  status: "ok" | "blocked" | "check";
  detail: string;
}

export function checkChart(pin: PinnedChart, target: KubernetesVersion, ranges: readonly ChartKubernetesSupport[] = CHART_KUBERNETES_SUPPORT): ChartCheck {
  const range = chartSupport(pin.chart, pin.version, ranges);
  if (range === undefined) {
    const show = pin.chart.startsWith("oci://")
      ? `helm show chart ${pin.chart} --version ${pin.version}`
      : `helm show chart ${pin.chart} --repo ${pin.repo} --version ${pin.version}`;
    return { ...pin, status: "check", detail: `no recorded range: read kubeVersion of \`${show}\` and the release notes` };
  }
  if (range.min === undefined && range.max === undefined)
    return { ...pin, status: "check", detail: `declares no Kubernetes range (${range.source}): read the release notes` };
  return { ...pin, status: supports(range, target) ? "ok" : "blocked", detail: `Kubernetes ${rangeText(range)} (${range.source})` };
}

export interface UpgradeStep {
  kind: "control plane" | "add-on" | "node group";
  resource: string;
  from: string;
  to: string;
  how: string;
}

export interface UpgradePlan {
  stack: string;
  from: string;
  to: KubernetesVersion;
  standardSupportUntil: string;
  charts: ChartCheck[];
  steps: UpgradeStep[];
}

const CLUSTER = "aws:eks/cluster:Cluster";
const ADDON = "aws:eks/addon:Addon";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

/** Resources ordered so that each comes after everything it (transitively) waits for. */
function dependencyOrder(all: RecordedResource[], chosen: RecordedResource[]): RecordedResource[] {
  const byUrn = new Map(all.map((r) => [r.urn, r]));
  const reach = new Map<string, Set<string>>();
  const upstream = (urn: string): Set<string> => {
    const known = reach.get(urn);
    if (known) return known;
    const found = new Set<string>();
    reach.set(urn, found);
    for (const dep of byUrn.get(urn)?.dependsOn ?? []) {
      found.add(dep);
      for (const further of upstream(dep)) found.add(further);
    }
    return found;
  };
  const depth = (r: RecordedResource) => chosen.filter((other) => upstream(r.urn).has(other.urn)).length;
  return [...chosen].sort((a, b) => depth(a) - depth(b) || a.name.localeCompare(b.name));
}

/** The plan from the program's run at the target version; `from` values come from the tables the program reads. */
export function buildUpgradePlan(target: StackRecording, from: string, to: KubernetesVersion): UpgradePlan {
  const addonsBefore = (EKS_ADDON_VERSIONS as Readonly<Record<string, Readonly<Record<EksAddonName, string>> | undefined>>)[from];
  const chosen = [...target.byType(CLUSTER), ...target.byType(ADDON), ...target.byType(NODE_GROUP)];
  const steps = dependencyOrder(target.resources, chosen).map((r): UpgradeStep => {
    if (r.type === CLUSTER)
      return {
        kind: "control plane",
        resource: r.name,
        from,
        to: String(r.inputs["version"]),
        how: "in place, about 10 min; EKS rolls it back by itself if it fails",
      };
    if (r.type === NODE_GROUP) {
      const unavailable = (r.inputs["updateConfig"] as { maxUnavailablePercentage?: number } | undefined)?.maxUnavailablePercentage;
      return {
        kind: "node group",
        resource: r.name,
        from,
        to: String(r.inputs["version"]),
        how: `rolling to the new AMI, at most ${unavailable ?? "?"} % unavailable, drains respect PodDisruptionBudgets`,
      };
    }
    const addon = String(r.inputs["addonName"]) as EksAddonName;
    const before = addonsBefore?.[addon] ?? "(no row in EKS_ADDON_VERSIONS)";
    const after = String(r.inputs["addonVersion"]);
    return {
      kind: "add-on",
      resource: `${addon} (${r.name})`,
      from: before,
      to: after,
      how: before === after ? "unchanged" : "EKS managed add-on update, conflicts PRESERVE",
    };
  });
  const missing = EKS_ADDONS.filter((addon) => !steps.some((step) => step.kind === "add-on" && step.resource.startsWith(`${addon} `)));
  if (missing.length > 0) throw new Error(`upgrade plan: the program installs no ${missing.join(", ")} add-on`);
  return {
    stack: target.stack,
    from,
    to,
    standardSupportUntil: EKS_RELEASE_CALENDAR[to].endOfStandardSupport,
    charts: installedCharts(target).map((pin) => checkChart(pin, to)),
    steps,
  };
}

export function renderUpgradePlan(plan: UpgradePlan): string {
  const lines = [
    `EKS upgrade rehearsal of ${plan.stack}: Kubernetes ${plan.from} -> ${plan.to} (standard support of ${plan.to} until ${plan.standardSupportUntil})`,
    "",
    `1. Charts first (a bump goes in its own merge request before the version change): ${plan.to} must be supported`,
    ...plan.charts.map((c) => `   ${c.status.padEnd(7)} ${c.chart} ${c.version} (${c.pinnedIn}): ${c.detail}`),
    "",
    `2. The upgrade: holodeck:kubernetesVersion: "${plan.to}" in stacks/Pulumi.${plan.stack}.yaml; one pulumi up changes, in this order:`,
    ...plan.steps.map((s, i) => `   2.${i + 1} ${s.kind.padEnd(13)} ${s.resource}: ${s.from} -> ${s.to} (${s.how})`),
    "",
    "3. Afterwards: nodes all on the new version (kubectl get nodes), Argo CD apps Synced/Healthy, no new alerts; soak a day in staging before production.",
  ];
  const blocked = plan.charts.filter((c) => c.status === "blocked");
  if (blocked.length > 0)
    lines.push("", `Refused: ${blocked.map((c) => `${c.chart} ${c.version}`).join(", ")} does not support Kubernetes ${plan.to}; bump it first.`);
  return lines.join("\n");
}
