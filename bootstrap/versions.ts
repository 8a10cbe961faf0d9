// The bootstrap layer's one pin table: every chart and image version the add-ons install,
// one line each (a version bump is a one-line change here; tests and docs are checked
// against these constants). Each chart version was checked against its repository's source
// (Chart.yaml at the release tag) and every values key the add-ons set against that
// version's values.yaml.

/** A Helm chart pinned to one version of one repository. */
export interface ChartPin {
  readonly chart: string;
  readonly repo: string;
  readonly version: string;
  /** The application version the chart ships (images, CRDs in scripts/install/bootstrap-crds.sh). */
  readonly appVersion: string;
}

export const CHARTS = {
  // Source: aws/eks-charts stable/aws-load-balancer-controller/Chart.yaml, commit "v3.5.0 (#1354)".
  awsLoadBalancerController: { chart: "aws-load-balancer-controller", repo: "https://aws.github.io/eks-charts", version: "3.5.0", appVersion: "v3.5.0" },
  // Source: kubernetes/ingress-nginx tag helm-chart-4.15.1, charts/ingress-nginx/Chart.yaml (project retired upstream 03/2026).
  ingressNginx: { chart: "ingress-nginx", repo: "https://kubernetes.github.io/ingress-nginx", version: "4.15.1", appVersion: "1.15.1" },
  // Source: envoyproxy/gateway tag v1.9.1 (Go module github.com/envoyproxy/gateway@v1.9.1,
  // charts/gateway-helm). Published only as an OCI artifact: the chart is the full reference.
  envoyGateway: { chart: "oci://docker.io/envoyproxy/gateway-helm", repo: "", version: "v1.9.1", appVersion: "v1.9.1" },
  // Source: cert-manager/cert-manager tag v1.21.2 (Go module github.com/cert-manager/cert-manager@v1.21.2,
  // deploy/charts/cert-manager and deploy/crds; jetstack chart versions carry the "v"), checked
  // 2026-12-04: chart, values.yaml and CRDs identical to v1.21.1's, the patch changes controller code only.
  certManager: { chart: "cert-manager", repo: "https://charts.jetstack.io", version: "v1.21.2", appVersion: "v1.21.2" },
  // Source: hashicorp/vault-helm tag v0.34.1, Chart.yaml (appVersion = the Vault server).
  vault: { chart: "vault", repo: "https://helm.releases.hashicorp.com", version: "0.34.1", appVersion: "2.0.4" },
  // Source: argoproj/argo-helm tag argo-cd-10.1.1, charts/argo-cd/Chart.yaml (redis-ha subchart 4.38.0).
  // Checked 2026-12-05: the newest argo-helm source readable here (snapshot ends 2026-07-02); it
  // runs the Argo CD image ARGOCD_IMAGE_TAG below, with that version's CRDs.
  argoCd: { chart: "argo-cd", repo: "https://argoproj.github.io/argo-helm", version: "10.1.1", appVersion: "v3.4.4" },
  // Source: aws/karpenter-provider-aws tag v1.15.2 (Go module github.com/aws/karpenter-provider-aws@v1.15.2,
  // charts/karpenter; the release job packages it with the tag as version and appVersion).
  // Published only as an OCI artifact: the chart is the full reference.
  karpenter: { chart: "oci://public.ecr.aws/karpenter/karpenter", repo: "", version: "1.15.2", appVersion: "1.15.2" },
  // Source: kubernetes-sigs/metrics-server release metrics-server-helm-chart-3.13.1 (2026-06-11);
  // charts/metrics-server/Chart.yaml of Go module sigs.k8s.io/metrics-server@v0.9.0 (3.13.1, appVersion 0.8.1).
  metricsServer: { chart: "metrics-server", repo: "https://kubernetes-sigs.github.io/metrics-server/", version: "3.13.1", appVersion: "0.8.1" },
} as const satisfies Record<string, ChartPin>;

/**
 * The Argo CD the clusters run: the argo-cd chart's workloads with this image, and this version's
 * CRDs (bootstrap/argocd ARGOCD_CRD_URLS, not the chart's). The test control plane builds the same version
 * (scripts/install/control-plane.sh ARGOCD_VERSION; test/bootstrap/argocd-version.test.ts ties them).
 * Source: tag v3.6.2 of github.com/argoproj/argo-cd/v3, the newest the Go module proxy serves on
 * 2026-12-05 (it refuses v3.6.3, whose fixes therefore cannot be read here); its release publishes
 * quay.io/argoproj/argocd:v3.6.2. Read against chart 10.1.1 rendered with helm: the chart's RBAC
 * holds every rule of the v3.6.2 install manifests but one of argocd-server's (its ClusterRole is
 * set to the upstream rules: bootstrap/argocd/rbac.ts); the environment variables and volumes
 * 3.5 and 3.6 add are all optional (repo-server mTLS, OTLP CA, metrics labels), off unless
 * configured. The upgrade notes 3.4 to 3.6, as they apply here: docs/runbooks/argocd-upgrade.md.
 */
export const ARGOCD_IMAGE_TAG = "v3.6.2";

/** Images of the Jobs the bootstrap runs itself (Vault init, raft snapshots, TLS reloader, team sync). */
export const IMAGES = {
  // Source: the pinned Vault chart's appVersion, so the CLI matches the server.
  vault: `hashicorp/vault:${CHARTS.vault.appVersion}`,
  // Source: aws/aws-cli tag 2.36.49, published as public.ecr.aws/aws-cli/aws-cli.
  awsCli: "public.ecr.aws/aws-cli/aws-cli:2.36.49",
  // The Vault team sync: git clones services-root, Python (standard library only) writes Vault.
  // Source: alpine-docker/git build.sh, Docker Hub alpine/git tagged v<the git version it ships> (git 2.45.1).
  git: "alpine/git:v2.45.1",
  // Source: docker-library/python 3.13/alpine3.24/Dockerfile (Python 3.13.14 on alpine:3.24), the
  // official Docker Hub image python; its versions.json of 2026-06-23 builds 3.13 on Alpine 3.24
  // and 3.23 only, so alpine3.22 tags no longer get Python or Alpine fixes. Read 2026-12-05.
  python: "python:3.13-alpine3.24",
} as const;

/**
 * The Gateway API CRDs (standard channel) the gateway edge installs: the release Envoy Gateway
 * v1.9.1 is built against (its go.mod requires sigs.k8s.io/gateway-api v1.6.1).
 */
export const GATEWAY_API = { version: "v1.6.1", channel: "standard" } as const;
