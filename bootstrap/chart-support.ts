// The Kubernetes versions each pinned chart supports, as its project publishes them (one home:
// the upgrade rehearsal, cli/plan/upgrade.ts, checks every installed chart against the target;
// the stack config refuses an edge whose chart does not support the stack's version).
import type { Edge, KubernetesVersion } from "../model";
import { CHARTS, type ChartPin } from "./versions";

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
    source: 'kubeVersion ">= 1.22.0-0" in cert-manager v1.21.2 deploy/charts/cert-manager/Chart.yaml, checked 2026-12-04',
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
    versionPrefix: "2.2.",
    min: "1.19",
    source:
      'stakater/Reloader README "Compatibility" at chart-v2.2.16: Kubernetes >= 1.19 (deployments/kubernetes/chart/reloader/Chart.yaml there has no kubeVersion), checked 2026-12-04',
  },
  {
    charts: ["kiali-operator"],
    versionPrefix: "2.29.",
    source: "kiali/helm-charts kiali-operator/Chart.yaml at v2.29.0 (and the packaged 2.29.0 chart) has no kubeVersion, checked 2026-12-03",
  },
  { charts: ["nats"], versionPrefix: "2.14.", source: "nats-io/k8s helm/charts/nats/Chart.yaml at nats-2.14.2 has no kubeVersion, checked 2026-12-03" },
  {
    // The chart allows 1.25 on; the Argo CD it runs (ARGOCD_IMAGE_TAG) is tested on fewer.
    charts: ["argo-cd"],
    versionPrefix: "10.1.",
    min: "1.34",
    max: "1.37",
    source:
      'Argo CD v3.6.2 docs/operator-manual/tested-kubernetes-versions.md (3.6: v1.34 to v1.37; 3.4 stopped at v1.35) within kubeVersion ">=1.25.0-0" of argoproj/argo-helm charts/argo-cd/Chart.yaml at argo-cd-10.1.1, checked 2026-12-05',
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
    // The chart allows 1.19 on; External Secrets tests each minor on the Kubernetes it lists.
    charts: ["external-secrets"],
    versionPrefix: "2.9.",
    min: "1.36",
    max: "1.36",
    source:
      'external-secrets docs/introduction/stability-support.md at helm-chart-2.9.0 (2.9: Kubernetes 1.36; 1.3 was tested on 1.34 only) within kubeVersion ">= 1.19.0-0" of its Chart.yaml, checked 2026-12-05',
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
    versionPrefix: "10.7.",
    min: "1.16",
    source: 'kubeVersion ">=1.16.0-0" in oauth2-proxy/manifests helm/oauth2-proxy/Chart.yaml at oauth2-proxy-10.7.0, checked 2026-12-04',
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

/** The minor number of "1.<minor>". */
export const kubernetesMinor = (version: string): number => Number(/^1\.(\d+)$/.exec(version)?.[1] ?? NaN);

/** The recorded support of a chart version, if any. */
export function chartSupport(
  chart: string,
  version: string,
  ranges: readonly ChartKubernetesSupport[] = CHART_KUBERNETES_SUPPORT,
): ChartKubernetesSupport | undefined {
  return ranges.find((entry) => entry.charts.includes(chart) && version.startsWith(entry.versionPrefix));
}

/** Whether a recorded range holds `target` (a range without min and max holds nothing for sure: check the release notes). */
export function supports(range: ChartKubernetesSupport, target: KubernetesVersion): boolean {
  const minor = kubernetesMinor(target);
  return (range.min === undefined || minor >= kubernetesMinor(range.min)) && (range.max === undefined || minor <= kubernetesMinor(range.max));
}

/** "1.31 to 1.35", "1.25 and newer". */
export function rangeText(range: ChartKubernetesSupport): string {
  return range.max === undefined ? `${range.min ?? "?"} and newer` : `${range.min ?? "any"} to ${range.max}`;
}

/** The chart each public edge installs. */
export const EDGE_CHARTS: Readonly<Record<Edge, ChartPin>> = { gateway: CHARTS.envoyGateway, "ingress-nginx": CHARTS.ingressNginx };

/** Why an edge's pinned chart cannot run on `target` (its published range excludes it), or undefined. */
export function edgeKubernetesProblem(edge: Edge, target: KubernetesVersion): string | undefined {
  const pin = EDGE_CHARTS[edge];
  const range = chartSupport(pin.chart, pin.version);
  if (range === undefined || supports(range, target)) return undefined;
  return `its chart ${pin.chart} ${pin.version} supports Kubernetes ${rangeText(range)}, not holodeck:kubernetesVersion ${target} (${range.source})`;
}
