// What deploys workloads onto the nodes, and which of them run no DaemonSet. The DaemonSet table
// (daemonsets.ts) is kept by hand: the upstream charts and the EKS add-ons' manifests cannot be
// rendered offline. daemonsets.test.ts derives every deployer (the charts the platform
// ApplicationSets install, the charts the bootstrap installs, the EKS managed add-ons) and
// requires each to be in the DaemonSet table or in NO_DAEMONSET below, so a new chart or add-on
// fails until someone has looked at what it runs.
import * as path from "node:path";
import { CHARTS } from "../../bootstrap/versions";
import { EKS_ADDONS } from "../../components/cluster-addons";
import { appSetFiles, type Doc, type Source } from "./platform";

/** Who deploys a workload: a chart of a platform ApplicationSet, a bootstrap Helm release, or an EKS managed add-on. */
export type Deployer = `platform chart ${string}` | `bootstrap chart ${string}` | `EKS add-on ${string}`;

/** The chart name of a chart reference (an OCI reference names its chart last). */
export const chartName = (chart: string): string => path.posix.basename(chart);

/** Every deployer, with where it is pinned: the ApplicationSet files as written, CHARTS (bootstrap/versions.ts), EKS_ADDONS. */
export function deployers(): { deployer: Deployer; pinnedIn: string; version?: string }[] {
  const platform = appSetFiles().flatMap(({ file, appset }) => {
    const sources = ((appset.spec as Doc).template as { spec: { sources?: Source[] } }).spec.sources ?? [];
    return sources
      .filter((s) => s.chart !== undefined)
      .map((s) => ({ deployer: `platform chart ${s.chart!}` as Deployer, pinnedIn: `${path.basename(file)} ${s.targetRevision}`, version: s.targetRevision }));
  });
  const bootstrap = Object.entries(CHARTS).map(([key, pin]) => ({
    deployer: `bootstrap chart ${chartName(pin.chart)}` as Deployer,
    pinnedIn: `bootstrap/versions.ts CHARTS.${key} ${pin.version}`,
    version: pin.version,
  }));
  const addons = EKS_ADDONS.map((name) => ({ deployer: `EKS add-on ${name}` as Deployer, pinnedIn: "components/cluster-addons.ts EKS_ADDONS" }));
  return [...platform, ...bootstrap, ...addons];
}

/**
 * Deployers that run no DaemonSet, each with the reason (read in the chart's templates at the
 * version named, in the project's repository at its release tag, unless said otherwise). A
 * chart's reason names the version pinned, so a bump fails the test until someone reads again. A
 * chart whose DaemonSet is optional is here only with the switch that keeps it off, checked by
 * the test in OPTIONAL_DAEMONSETS_OFF.
 */
export const NO_DAEMONSET: { deployer: Deployer; reason: string }[] = [
  // Platform ApplicationSets.
  {
    deployer: "platform chart crossplane",
    reason:
      "crossplane: Deployments (crossplane, rbac-manager) only at v2.4.2 (cluster/charts of the Go module; extraObjects unset); providers run as Deployments",
  },
  { deployer: "platform chart external-secrets", reason: "external-secrets: Deployments (controller, webhook, cert-controller) only at helm-chart-2.9.0" },
  {
    deployer: "platform chart grafana",
    reason: "grafana: a Deployment or StatefulSet, and the image renderer's Deployment, only at grafana-12.11.1 (grafana-community/helm-charts)",
  },
  { deployer: "platform chart base", reason: "istio base: CRDs, webhooks and RBAC, no workload, at 1.30.3 (unchanged on release-1.30, 2026-08-21)" },
  { deployer: "platform chart istiod", reason: "istiod: a Deployment (and its HPA) only at 1.30.3 (unchanged on release-1.30, 2026-08-21)" },
  { deployer: "platform chart jaeger", reason: "jaeger (v2 chart): Deployments, Jobs, CronJobs only at jaeger-4.11.1; the v1 agent DaemonSet is gone" },
  { deployer: "platform chart oauth2-proxy", reason: "oauth2-proxy: a Deployment only at oauth2-proxy-10.7.0 (its redis-ha subchart is off by default)" },
  { deployer: "platform chart kiali-operator", reason: "kiali-operator: the operator Deployment only at v2.29.0; the Kiali it creates is a Deployment" },
  {
    deployer: "platform chart loki",
    reason: "loki: StatefulSets and Deployments at 18.11.0, except the canary DaemonSet (lokiCanary.enabled, default true), which our values turn off",
  },
  { deployer: "platform chart nats", reason: "nats: a StatefulSet and the nats-box Deployment only at nats-2.14.2" },
  { deployer: "platform chart reloader", reason: "reloader: a Deployment only at chart-v2.2.16" },
  // Bootstrap Helm releases (bootstrap/versions.ts).
  { deployer: "bootstrap chart aws-load-balancer-controller", reason: "aws-load-balancer-controller: a Deployment only at chart 3.5.0 (aws/eks-charts main)" },
  {
    deployer: "bootstrap chart ingress-nginx",
    reason: "ingress-nginx: the controller is a Deployment unless controller.kind is DaemonSet (default Deployment at helm-chart-4.15.1)",
  },
  {
    deployer: "bootstrap chart gateway-helm",
    reason:
      "envoy-gateway: the controller Deployment (and a certgen Job) at v1.9.1 (charts/gateway-helm of the Go module); the Envoy proxies it creates follow the EnvoyProxy (envoyDeployment, not envoyDaemonSet)",
  },
  {
    deployer: "bootstrap chart cert-manager",
    reason: "cert-manager: Deployments (controller, webhook, cainjector) only at v1.21.2 (deploy/charts of the Go module)",
  },
  {
    deployer: "bootstrap chart vault",
    reason: "vault: a StatefulSet and the injector Deployment at v0.34.1; the CSI provider DaemonSet only with csi.enabled (default false)",
  },
  { deployer: "bootstrap chart argo-cd", reason: "argo-cd: Deployments and the controller StatefulSet only at argo-cd-10.1.1" },
  {
    deployer: "bootstrap chart karpenter",
    reason: "karpenter: the controller Deployment only (charts/karpenter of the Go module github.com/aws/karpenter-provider-aws@v1.15.2)",
  },
  { deployer: "bootstrap chart metrics-server", reason: "metrics-server: a Deployment only at metrics-server-helm-chart-3.13.1" },
  // EKS managed add-ons.
  {
    deployer: "EKS add-on coredns",
    reason: "coredns: a Deployment (an EKS cluster's add-on as recorded in eksctl-io/eksctl pkg/addons/default/testdata/sample-1.25.json)",
  },
];

/** Optional DaemonSets of charts we deploy, and the value that keeps each off (what the chart defaults to, what must hold). */
export const OPTIONAL_DAEMONSETS_OFF: { deployer: Deployer; values: string; key: string[]; chartDefault: unknown; off: unknown[] }[] = [
  { deployer: "platform chart loki", values: "loki", key: ["lokiCanary", "enabled"], chartDefault: true, off: [false] },
  // kube-prometheus-stack 88.5.3: the prometheus-windows-exporter subchart (a DaemonSet) under windowsMonitoring.enabled.
  {
    deployer: "platform chart kube-prometheus-stack",
    values: "kube-prometheus-stack",
    key: ["windowsMonitoring", "enabled"],
    chartDefault: false,
    off: [false],
  },
  { deployer: "bootstrap chart vault", values: "release", key: ["csi", "enabled"], chartDefault: false, off: [false] },
  { deployer: "bootstrap chart ingress-nginx", values: "release", key: ["controller", "kind"], chartDefault: "Deployment", off: ["Deployment"] },
];
