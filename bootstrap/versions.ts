// Every chart and image version the bootstrap installs, in one place. Each chart version
// was checked against its chart repository's source (Chart.yaml at the release tag) and
// every values key the add-ons set was checked against that version's values.yaml.

/** A Helm chart pinned to one version of one repository. */
export interface ChartPin {
  readonly chart: string;
  readonly repo: string;
  readonly version: string;
  /** The application version the chart ships (for docs and upgrade notes). */
  readonly appVersion: string;
}

export const CHARTS = {
  // aws/eks-charts stable/aws-load-balancer-controller (commit "v3.5.0 (#1354)").
  awsLoadBalancerController: {
    chart: "aws-load-balancer-controller",
    repo: "https://aws.github.io/eks-charts",
    version: "3.5.0",
    appVersion: "v3.5.0",
  },
  // kubernetes/ingress-nginx tag helm-chart-4.15.1 (project retired upstream 03/2026).
  ingressNginx: {
    chart: "ingress-nginx",
    repo: "https://kubernetes.github.io/ingress-nginx",
    version: "4.15.1",
    appVersion: "1.15.1",
  },
  // cert-manager/cert-manager tag v1.21.1 (jetstack chart versions carry the "v").
  certManager: {
    chart: "cert-manager",
    repo: "https://charts.jetstack.io",
    version: "v1.21.1",
    appVersion: "v1.21.1",
  },
  // hashicorp/vault-helm tag v0.34.1.
  vault: {
    chart: "vault",
    repo: "https://helm.releases.hashicorp.com",
    version: "0.34.1",
    appVersion: "2.0.4",
  },
  // argoproj/argo-helm tag argo-cd-10.1.1 (redis-ha subchart 4.38.0).
  argoCd: {
    chart: "argo-cd",
    repo: "https://argoproj.github.io/argo-helm",
    version: "10.1.1",
    appVersion: "v3.4.4",
  },
} as const satisfies Record<string, ChartPin>;

/** Images of the Jobs the bootstrap runs itself (Vault init, raft snapshots). */
export const IMAGES = {
  /** Same Vault version the pinned chart runs, so the CLI matches the server. */
  vault: `hashicorp/vault:${CHARTS.vault.appVersion}`,
  awsCli: "public.ecr.aws/aws-cli/aws-cli:2.36.49",
} as const;
