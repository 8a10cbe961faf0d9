// The gitops-bridge contract: what the ArgoCD cluster Secret written by Pulumi carries,
// and what platform-apps/ may read from it. Both sides are tested against these lists
// (docs/contracts.md, section 2), so a key exists here only if both sides use it.
import type { Edge } from "../../model";

/** Add-ons that platform-apps/ installs; each gets an `enable_<addon>: "true"` label. */
export const PLATFORM_ADDONS = [
  "external_secrets",
  "kube_prometheus_stack",
  "grafana",
  "loki",
  "alloy",
  "istio",
  "jaeger",
  "kiali",
  "crossplane",
  "nats",
] as const;

export const CLUSTER_SECRET_LABELS = [
  "environment",
  "region",
  "cluster_name",
  ...PLATFORM_ADDONS.map((addon) => `enable_${addon}` as const),
  // "true" only on the registry of record's cluster ("false" elsewhere): the Crossplane IAM
  // provider and the per-service ECR push roles live there (docs/tenancy.md).
  "enable_ecr_push_roles",
] as const;
export type ClusterSecretLabel = (typeof CLUSTER_SECRET_LABELS)[number];

export const CLUSTER_SECRET_ANNOTATIONS = [
  "aws_region",
  "aws_account_id",
  "aws_vpc_id",
  "cluster_name",
  "environment",
  "domain",
  "platform_repo_url",
  "platform_repo_revision",
  "services_repo_url",
  "letsencrypt_issuer",
  "vault_addr",
  // OIDC issuer URL of the platform's SSO (config argocdOidc.issuer): Kiali's OpenID login.
  "oidc_issuer_url",
  "crossplane_provider_aws_role_arn",
  // The Crossplane IAM provider's IRSA role (per-service ECR push roles); "" where enable_ecr_push_roles is "false".
  "crossplane_provider_aws_iam_role_arn",
  "loki_role_arn",
  "loki_bucket_name",
  "rds_subnet_group_name",
  "rds_security_group_id",
  // The registry of record holding the holodeck-service chart (oci://<host>/charts), its region
  // and the IRSA role External Secrets mints Argo CD's 12-hour ECR token with.
  "chart_registry_host",
  "chart_registry_region",
  "chart_pull_role_arn",
  // The stack's public edge and, during a switch, the standby one (docs/edge.md): the platform
  // UIs' edge value files and route manifests are named after them (edgeAnnotations).
  "edge",
  "edge_standby",
] as const;
export type ClusterSecretAnnotation = (typeof CLUSTER_SECRET_ANNOTATIONS)[number];

/** `edge_standby` when no switch is under way: names no value file or manifest, so nothing extra is rendered. */
export const NO_STANDBY_EDGE = "none";

/** The edge annotations, from the stack config's `edge` and `edgeStandby` (their one writer). */
export function edgeAnnotations(edge: Edge, edgeStandby?: Edge): Record<"edge" | "edge_standby", string> {
  return { edge, edge_standby: edgeStandby ?? NO_STANDBY_EDGE };
}

/** Path of the folder the root Application syncs: a kustomization (platform-apps/applicationsets/kustomization.yaml). */
export const PLATFORM_ROOT_PATH = "platform-apps/applicationsets";

/**
 * Helm chart repositories platform-apps/ may use; with the platform repo itself they
 * are the `platform` AppProject's sourceRepos. Kept in step with platform-apps/ by test.
 */
export const PLATFORM_CHART_REPOS: readonly string[] = [
  "https://charts.crossplane.io/stable",
  "https://charts.external-secrets.io",
  "https://grafana-community.github.io/helm-charts",
  "https://grafana.github.io/helm-charts",
  "https://istio-release.storage.googleapis.com/charts",
  "https://jaegertracing.github.io/helm-charts",
  "https://kiali.org/helm-charts",
  "https://nats-io.github.io/k8s/helm/charts/",
  "https://oauth2-proxy.github.io/manifests",
  "https://prometheus-community.github.io/helm-charts",
  "https://stakater.github.io/stakater-charts",
];
