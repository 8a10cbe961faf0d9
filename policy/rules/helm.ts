// Rules for bootstrap's Helm releases (kubernetes:helm.sh/v3:Release inputs: chart, version,
// repositoryOpts.repo, values). Values keys are those of the pinned charts' values.yaml.
import { resourceRule } from "./define";
import { asNumber, asRecord, asString, get, isFalse, isTrue, type Props } from "./props";

export const HELM_RELEASE = ["kubernetes:helm.sh/v3:Release"] as const;
const HELM_CHARTS = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"] as const;
/** Exact SemVer 2.0 version: no ranges (^, ~, x, *, >=) and no empty "latest". */
const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The chart name without a repo prefix (`argo/argo-cd` and `oci://.../argo-cd` both give `argo-cd`). */
export function chartName(props: Props): string {
  const chart = asString(props["chart"]) ?? "";
  return chart.split("/").pop() ?? chart;
}

function valuesOf(props: Props): Props {
  return asRecord(props["values"]) ?? {};
}

export const helmVersionPinned = resourceRule({
  name: "helm-chart-version-pinned",
  summary: "Every Helm release pins an exact chart version (version is x.y.z, no range, never empty), so a preview shows every upgrade.",
  source: {
    cis: "5.1.4 Minimize Container Registries to only those approved",
    eksBestPractices: "Security › Image security › Use immutable tags with ECR (pin what the cluster runs)",
  },
  enforcementLevel: "mandatory",
  types: HELM_CHARTS,
  check: (props, report) => {
    const version = asString(props["version"]);
    if (!version || !EXACT_SEMVER.test(version)) {
      report(`chart '${chartName(props)}' must pin an exact version (got '${version ?? "unset"}').`);
    }
  },
});

export const helmRepoTrusted = resourceRule({
  name: "helm-repository-https",
  summary: "Helm charts come from an https:// or oci:// repository (repositoryOpts.repo, or an oci:// chart), never plain http or a local path.",
  source: { cis: "5.1.4 Minimize Container Registries to only those approved" },
  enforcementLevel: "mandatory",
  types: HELM_RELEASE,
  check: (props, report) => {
    const chart = asString(props["chart"]) ?? "";
    const repo = asString(get(props, "repositoryOpts", "repo")) || (chart.startsWith("oci://") ? chart : "");
    if (!/^(https|oci):\/\//.test(repo)) report(`chart '${chartName(props)}' must come from an https:// or oci:// repository (got '${repo || "unset"}').`);
  },
});

export const vaultHaTls = resourceRule({
  name: "vault-ha-raft-tls",
  summary:
    "The Vault release runs HA on integrated raft with at least 3 replicas and TLS on (values server.ha.enabled, server.ha.replicas >= 3, server.ha.raft.enabled, global.tlsDisable = false, no tls_disable listener in server.ha.raft.config).",
  source: {
    cis: "4.4.2 Consider external secret storage",
    eksBestPractices: "Security › Data encryption and secrets management › Use an external secrets provider",
  },
  enforcementLevel: "mandatory",
  types: HELM_RELEASE,
  check: (props, report) => {
    if (chartName(props) !== "vault") return;
    const values = valuesOf(props);
    if (!isTrue(get(values, "server", "ha", "enabled"))) report("values.server.ha.enabled must be true.");
    const replicas = asNumber(get(values, "server", "ha", "replicas"));
    if (replicas === undefined || replicas < 3) report(`values.server.ha.replicas must be >= 3 (got ${replicas ?? "unset"}).`);
    if (!isTrue(get(values, "server", "ha", "raft", "enabled"))) report("values.server.ha.raft.enabled must be true.");
    // The chart's default is tlsDisable: true, so only an explicit false turns TLS on.
    if (!isFalse(get(values, "global", "tlsDisable"))) report("values.global.tlsDisable must be false.");
    const hcl = asString(get(values, "server", "ha", "raft", "config")) ?? "";
    if (/tls_disable\s*=\s*"?(true|1)"?/.test(hcl)) report("values.server.ha.raft.config must not set tls_disable on a listener.");
  },
});

export const argocdAdminDisabled = resourceRule({
  name: "argocd-admin-disabled-production",
  summary: "In production the ArgoCD local admin account is off (values configs.cm['admin.enabled'] = false); people sign in through OIDC SSO.",
  source: { eksBestPractices: "Security › Identity and Access Management › Use a centralized identity provider, avoid shared local accounts" },
  enforcementLevel: "mandatory",
  types: HELM_RELEASE,
  productionOnly: true,
  check: (props, report) => {
    if (chartName(props) !== "argo-cd") return;
    if (!isFalse(get(valuesOf(props), "configs", "cm", "admin.enabled"))) {
      report("values.configs.cm['admin.enabled'] must be false in production.");
    }
  },
});

function replicasAtLeast(values: Props, path: string[], minimum: number): string | undefined {
  const replicas = asNumber(get(values, ...path));
  return replicas !== undefined && replicas >= minimum ? undefined : `values.${path.join(".")} should be >= ${minimum} (got ${replicas ?? "unset"}).`;
}

export const argocdHa = resourceRule({
  name: "argocd-ha-production",
  summary: "In production ArgoCD runs HA: redis-ha.enabled, server.replicas >= 2, repoServer.replicas >= 2.",
  source: { eksBestPractices: "Reliability › Applications › Run multiple replicas" },
  enforcementLevel: "advisory",
  types: HELM_RELEASE,
  productionOnly: true,
  check: (props, report) => {
    if (chartName(props) !== "argo-cd") return;
    const values = valuesOf(props);
    if (!isTrue(get(values, "redis-ha", "enabled"))) report("values['redis-ha'].enabled should be true.");
    for (const path of [
      ["server", "replicas"],
      ["repoServer", "replicas"],
    ]) {
      const problem = replicasAtLeast(values, path, 2);
      if (problem) report(problem);
    }
  },
});

export const ingressReplicas = resourceRule({
  name: "ingress-nginx-replicas-production",
  summary: "In production the ingress controller runs at least 2 replicas (values controller.replicaCount >= 2).",
  source: { eksBestPractices: "Reliability › Applications › Run multiple replicas; Spread workloads across AZs" },
  enforcementLevel: "advisory",
  types: HELM_RELEASE,
  productionOnly: true,
  check: (props, report) => {
    if (chartName(props) !== "ingress-nginx") return;
    const problem = replicasAtLeast(valuesOf(props), ["controller", "replicaCount"], 2);
    if (problem) report(problem);
  },
});

export const helmRules = [helmVersionPinned, helmRepoTrusted, vaultHaTls, argocdAdminDisabled, argocdHa, ingressReplicas];
