// Rules for Kubernetes objects Pulumi creates during bootstrap and handoff.
import { resourceRule } from "./define";
import { asArray, asString, get } from "./props";

const APP_PROJECT = ["kubernetes:argoproj.io/v1alpha1:AppProject"] as const;
const CLUSTER_ROLE_BINDING = ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"] as const;
/** The only cluster-scoped kind a tenant (services) project may create. */
const TENANT_CLUSTER_KINDS = [{ group: "", kind: "Namespace" }];
const PLATFORM_PROJECT = "platform";

export const appProjectScoped = resourceRule({
  name: "argocd-tenant-project-namespaced",
  summary:
    "Every ArgoCD AppProject except 'platform' may create no cluster-scoped kind but Namespace (spec.clusterResourceWhitelist) and names its source repos (no '*').",
  source: {
    cis: "4.6.1 Create administrative boundaries between resources using namespaces",
    eksBestPractices: "Security › Multi-tenancy › Soft multi-tenancy (namespaces as tenant boundaries)",
  },
  enforcementLevel: "mandatory",
  types: APP_PROJECT,
  check: (props, report) => {
    const name = asString(get(props, "metadata", "name"));
    if (name === PLATFORM_PROJECT) return;
    for (const entry of asArray(get(props, "spec", "clusterResourceWhitelist"))) {
      const group = asString(get(entry, "group")) ?? "";
      const kind = asString(get(entry, "kind")) ?? "";
      if (!TENANT_CLUSTER_KINDS.some((allowed) => allowed.group === group && allowed.kind === kind)) {
        report(`AppProject '${name}' must not allow cluster-scoped '${group || "core"}/${kind}'; only core/Namespace.`);
      }
    }
    if (asArray(get(props, "spec", "sourceRepos")).includes("*")) report(`AppProject '${name}' must list its sourceRepos, not '*'.`);
  },
});

export const noClusterAdminBinding = resourceRule({
  name: "k8s-no-cluster-admin-binding",
  summary: "Pulumi creates no ClusterRoleBinding to 'cluster-admin'; admins get access through EKS access entries and policies.",
  source: { cis: "4.1.1 Ensure that the cluster-admin role is only used where required" },
  enforcementLevel: "mandatory",
  types: CLUSTER_ROLE_BINDING,
  check: (props, report) => {
    if (asString(get(props, "roleRef", "name")) === "cluster-admin") report("roleRef.name must not be 'cluster-admin'.");
  },
});

export const noDefaultNamespace = resourceRule({
  name: "k8s-no-default-namespace",
  summary: "Kubernetes objects and Helm releases go to a named namespace, never 'default' (metadata.namespace / namespace).",
  source: { cis: "4.6.3 The default namespace should not be used" },
  enforcementLevel: "advisory",
  // Every namespaced kind Pulumi may create here; cluster-scoped kinds have no namespace.
  types: [
    "kubernetes:helm.sh/v3:Release",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:core/v1:Service",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:argoproj.io/v1alpha1:Application",
    "kubernetes:argoproj.io/v1alpha1:ApplicationSet",
    "kubernetes:argoproj.io/v1alpha1:AppProject",
  ],
  check: (props, report, args) => {
    const namespace = args.type === "kubernetes:helm.sh/v3:Release" ? asString(props["namespace"]) : asString(get(props, "metadata", "namespace"));
    if (namespace === undefined || namespace === "default") report(`${args.type} '${args.name}' must name a namespace other than 'default'.`);
  },
});

export const k8sRules = [appProjectScoped, noClusterAdminBinding, noDefaultNamespace];
