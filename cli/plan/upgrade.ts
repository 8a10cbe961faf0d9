// `npm run plan -- --upgrade <version>`: an EKS upgrade rehearsal. Runs the stack's program
// under the plan mocks with the target Kubernetes version and lists, in dependency order, what
// the one `pulumi up` of the upgrade changes (control plane, add-ons from EKS_ADDON_VERSIONS,
// node groups), after the charts that must support the target first. docs/runbooks/eks-upgrade.md
// follows this output.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CHARTS } from "../../bootstrap/versions";
import { EKS_ADDON_VERSIONS, EKS_ADDONS, type EksAddonName } from "../../components/cluster-addons";
import { KUBERNETES_VERSIONS, type KubernetesVersion } from "../../model";
import { EKS_RELEASE_CALENDAR } from "../../stacks/config-rules";
import { REPO_ROOT, type RecordedResource, type StackRecording } from "./run-stack";

/** A refused upgrade (skipped minor, downgrade, unknown version, a chart that does not support it). */
export class UpgradeRefused extends Error {}

const minor = (version: string): number => Number(/^1\.(\d+)$/.exec(version)?.[1] ?? NaN);

/** The target as an accepted version, or why the upgrade from `current` is refused. */
export function checkUpgrade(current: string, target: string): KubernetesVersion {
  const allowed = KUBERNETES_VERSIONS.join(" | ");
  if (Number.isNaN(minor(target))) throw new UpgradeRefused(`--upgrade ${target}: not a Kubernetes minor version like 1.36 (allowed: ${allowed})`);
  const [from, to] = [minor(current), minor(target)];
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

/**
 * A chart's Kubernetes support as its project publishes it (the chart's kubeVersion, or a support
 * table), for the chart versions it was checked for. No min and no max: the chart declares no
 * constraint, so only its release notes can tell.
 */
export interface ChartKubernetesSupport {
  charts: readonly string[];
  /** Chart versions the range holds for (prefix, e.g. "1.30." for every 1.30 patch). */
  versionPrefix: string;
  min?: string;
  max?: string;
  source: string;
}

/** Published support; a chart version without an entry is listed as "check" with the command that shows its constraint. */
export const CHART_KUBERNETES_SUPPORT: readonly ChartKubernetesSupport[] = [
  {
    charts: ["base", "cni", "istiod"],
    versionPrefix: "1.30.",
    min: "1.32",
    max: "1.36",
    source: "Istio support status of releases (1.30: Kubernetes 1.32 to 1.36), checked 2026-12-03",
  },
  {
    charts: ["cert-manager"],
    versionPrefix: "v1.21.",
    min: "1.22",
    source: 'kubeVersion ">= 1.22.0-0" in cert-manager v1.21.1 deploy/charts/cert-manager/Chart.yaml, checked 2026-12-03',
  },
  {
    charts: ["vault"],
    versionPrefix: "0.34.",
    min: "1.20",
    source: 'kubeVersion ">= 1.20.0-0" in hashicorp/vault-helm v0.34.1 Chart.yaml, checked 2026-12-03',
  },
  {
    charts: ["ingress-nginx"],
    versionPrefix: "4.15.",
    min: "1.31",
    max: "1.35",
    source:
      'ingress-nginx README "Supported Versions table" at helm-chart-4.15.1: controller v1.15.1 (chart 4.15.1) tested on Kubernetes 1.31 to 1.35 (the Chart.yaml kubeVersion ">=1.21.0-0" is only a floor; the project is retired), checked 2026-12-03',
  },
  {
    charts: ["aws-load-balancer-controller"],
    versionPrefix: "3.5.",
    source: "aws/eks-charts stable/aws-load-balancer-controller/Chart.yaml 3.5.0 has no kubeVersion, checked 2026-12-03",
  },
  { charts: ["crossplane"], versionPrefix: "2.4.", source: "crossplane cluster/charts/crossplane/Chart.yaml (v2.4) has no kubeVersion, checked 2026-12-03" },
  {
    charts: ["kube-prometheus-stack"],
    versionPrefix: "88.5.",
    min: "1.25",
    source:
      'kubeVersion ">=1.25.0-0" in prometheus-community/helm-charts charts/kube-prometheus-stack/Chart.yaml at kube-prometheus-stack-88.5.3, checked 2026-12-03',
  },
  {
    charts: ["loki"],
    versionPrefix: "18.11.",
    min: "1.25",
    source: 'kubeVersion ">=1.25.0-0" in grafana-community/helm-charts charts/loki/Chart.yaml at loki-18.11.0, checked 2026-12-03',
  },
  {
    charts: ["reloader"],
    versionPrefix: "2.1.",
    min: "1.19",
    source:
      'stakater/Reloader README "Compatibility": Kubernetes >= 1.19 (deployments/kubernetes/chart/reloader/Chart.yaml at chart-v2.1.4 has no kubeVersion), checked 2026-12-03',
  },
  {
    charts: ["kiali-operator"],
    versionPrefix: "2.29.",
    source: "kiali/helm-charts kiali-operator/Chart.yaml at v2.29.0 (and the packaged 2.29.0 chart) has no kubeVersion, checked 2026-12-03",
  },
  { charts: ["nats"], versionPrefix: "2.14.", source: "nats-io/k8s helm/charts/nats/Chart.yaml at nats-2.14.2 has no kubeVersion, checked 2026-12-03" },
  {
    charts: ["argo-cd"],
    versionPrefix: "10.1.",
    min: "1.25",
    source: 'kubeVersion ">=1.25.0-0" in argoproj/argo-helm charts/argo-cd/Chart.yaml at argo-cd-10.1.1, checked 2026-12-03',
  },
  {
    charts: ["metrics-server"],
    versionPrefix: "3.13.",
    min: "1.31",
    source:
      'metrics-server compatibility matrix (README.md at metrics-server-helm-chart-3.13.1: 0.8.x for Kubernetes "1.31+"; charts/metrics-server/Chart.yaml has no kubeVersion), checked 2026-12-03',
  },
  {
    charts: ["alloy"],
    versionPrefix: "1.11.",
    source: "grafana/alloy operations/helm/charts/alloy/Chart.yaml at helm-chart/1.11.1 has no kubeVersion, checked 2026-12-03",
  },
  {
    charts: ["external-secrets"],
    versionPrefix: "1.3.",
    min: "1.19",
    source: 'kubeVersion ">= 1.19.0-0" in external-secrets deploy/charts/external-secrets/Chart.yaml at helm-chart-1.3.2, checked 2026-12-03',
  },
  {
    charts: ["grafana"],
    versionPrefix: "12.11.",
    min: "1.25",
    source: 'kubeVersion "^1.25.0-0" in grafana-community/helm-charts charts/grafana/Chart.yaml at grafana-12.11.1, checked 2026-12-03',
  },
  {
    charts: ["jaeger"],
    versionPrefix: "4.11.",
    min: "1.21",
    source: 'kubeVersion ">= 1.21-0" in jaegertracing/helm-charts charts/jaeger/Chart.yaml at jaeger-4.11.1, checked 2026-12-03',
  },
  {
    charts: ["oauth2-proxy"],
    versionPrefix: "7.12.",
    min: "1.16",
    source: 'kubeVersion ">=1.16.0-0" in oauth2-proxy/manifests helm/oauth2-proxy/Chart.yaml at oauth2-proxy-7.12.9, checked 2026-12-03',
  },
  {
    charts: [CHARTS.envoyGateway.chart],
    versionPrefix: "v1.9.",
    min: "1.33",
    max: "1.36",
    source:
      "Envoy Gateway compatibility matrix (site/content/en/news/releases/matrix.md at v1.9.0: v1.9 supports Kubernetes v1.33 to v1.36; the chart has no kubeVersion), checked 2026-12-03",
  },
  {
    charts: [CHARTS.karpenter.chart],
    versionPrefix: "1.15.",
    min: "1.31",
    max: "1.37",
    source:
      "Karpenter compatibility matrix (website/content/en/v1.15/upgrading/compatibility.md: 1.15.x for Kubernetes 1.31 to 1.37, the oldest column; the chart has no kubeVersion), checked 2026-12-03",
  },
];

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
  const range = ranges.find((entry) => entry.charts.includes(pin.chart) && pin.version.startsWith(entry.versionPrefix));
  if (range === undefined) {
    const show = pin.chart.startsWith("oci://")
      ? `helm show chart ${pin.chart} --version ${pin.version}`
      : `helm show chart ${pin.chart} --repo ${pin.repo} --version ${pin.version}`;
    return { ...pin, status: "check", detail: `no recorded range: read kubeVersion of \`${show}\` and the release notes` };
  }
  if (range.min === undefined && range.max === undefined)
    return { ...pin, status: "check", detail: `declares no Kubernetes range (${range.source}): read the release notes` };
  const inside = (range.min === undefined || minor(target) >= minor(range.min)) && (range.max === undefined || minor(target) <= minor(range.max));
  const span = range.max === undefined ? `${range.min ?? "?"} and newer` : `${range.min ?? "any"} to ${range.max}`;
  return { ...pin, status: inside ? "ok" : "blocked", detail: `Kubernetes ${span} (${range.source})` };
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
