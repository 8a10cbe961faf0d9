// Shared inputs of the chart tests: the wrapper chart with the documented example values,
// the parameters the services ApplicationSet sets (docs/contracts.md §4–§5), and typed
// accessors for the parts of rendered objects the tests read.
import * as path from "node:path";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { platformHelmParameters } from "../../bootstrap/handoff/services-appset";
import type { Edge } from "../../model";
import { helmTemplate, type HelmSets, type K8sObject } from "../harness/helm";

const repoRoot = path.resolve(__dirname, "..", "..");
export const CHART_DIR = path.join(repoRoot, "charts", "holodeck-service");
export const WRAPPER_DIR = path.join(repoRoot, "test", "fixtures", "wrapper-chart");
export const EXAMPLE_VALUES = path.join(WRAPPER_DIR, "values.yaml");
export const SERVICE = "python-example";
export const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
export const CLUSTER_DOMAIN = "staging.eu-west-1.holodeck.dev";
export const VPC_CIDR = "10.20.0.0/16";
export const DOMAIN = "services";
export const TEAM = "checkout";

/**
 * What the services ApplicationSet passes as Helm parameters on every service of an
 * ingress-nginx stack (the gateway edge's are checked in gateway-route.test.ts).
 */
export const APPSET_PARAMS: HelmSets = {
  "holodeck-service.image.tag": "1.4.2",
  "global.clusterDomain": CLUSTER_DOMAIN,
  "global.environment": "staging",
  "global.imageRegistry": REGISTRY,
  "global.vpcCidr": VPC_CIDR,
  "global.edge": "ingress-nginx",
  "global.platform.service": SERVICE,
  "global.platform.domain": DOMAIN,
  "global.platform.team": TEAM,
};

/**
 * The ApplicationSet's Helm parameters as helm receives them: Argo CD substitutes the
 * generator's `{{.imageTag}}`, `{{.service}}`, `{{.domain}}` and `{{.team}}` from the
 * services-root file before helm runs.
 */
export function substituted(parameters: { name: string; value: string }[], imageTag: string): HelmSets {
  const fields: Record<string, string> = { imageTag, service: SERVICE, domain: DOMAIN, team: TEAM };
  return Object.fromEntries(
    parameters.map((p) => [
      p.name,
      p.value.replace(/\{\{\.(\w+)\}\}/g, (_, field: string) => {
        const value = fields[field];
        if (value === undefined) throw new Error(`ApplicationSet parameter ${p.name} uses {{.${field}}}, which the chart tests do not know`);
        return value;
      }),
    ]),
  );
}

/** The Helm parameters the services ApplicationSet sets on a staging stack with this edge, for image tag 1.4.2. */
export function stagingAppsetParams(edge: Edge): HelmSets {
  const parameters = platformHelmParameters({
    environment: "staging",
    servicesRepoUrl: "https://gitlab.com/holodeck/services-root.git",
    serviceRepoUrlPrefix: "https://gitlab.com/holodeck/services",
    domain: CLUSTER_DOMAIN,
    imageRegistry: REGISTRY,
    vpcCidr: VPC_CIDR,
    edge,
  });
  return substituted(parameters, "1.4.2");
}

/** The documented example through the wrapper chart, as Argo CD renders it, plus `extra` values. */
export function renderExample(extra: HelmSets = {}): K8sObject[] {
  return helmTemplate(WRAPPER_DIR, [EXAMPLE_VALUES], { ...APPSET_PARAMS, ...extra }, { releaseName: SERVICE, namespace: SERVICE });
}

/**
 * The chart on its own (a wrapper would bring its values.yaml) with only the required
 * globals plus `extra`; keys may keep the wrapper's `holodeck-service.` prefix.
 */
export function renderMinimal(extra: HelmSets = {}): K8sObject[] {
  return helmTemplate(CHART_DIR, [], minimalSets(extra), { releaseName: SERVICE, namespace: SERVICE });
}

/** Values for the chart on its own: the required globals plus `extra`, wrapper prefix removed. */
export function minimalSets(extra: HelmSets = {}): HelmSets {
  const sets: HelmSets = { ...APPSET_PARAMS, "global.domain": DOMAIN, "global.service": SERVICE, ...extra };
  return Object.fromEntries(Object.entries(sets).map(([key, value]) => [key.replace(/^holodeck-service\./, ""), value]));
}

/**
 * The chart's values when only the platform names the service (no global.service/domain from
 * the developer), with a Vault key so the Vault path renders; render in namespace `service`.
 */
export function platformOnly(service: string, domain: string): HelmSets {
  const sets = minimalSets({ "global.platform.service": service, "global.platform.domain": domain });
  delete sets["global.service"];
  delete sets["global.domain"];
  return { ...sets, secrets: { enabled: true, envVarsFromVault: { API_KEY: "api_key" }, refreshInterval: "1h" } };
}

export const names = (objects: K8sObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

export const wave = (o: K8sObject): number => Number(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"]);

export const WORKLOAD_KINDS = ["Deployment", "Job", "CronJob"];

/** The pod spec of a Deployment, Job or CronJob. */
export function podSpec(o: K8sObject): IPodSpec {
  const spec = ((): IPodSpec | undefined => {
    if (o.kind === "Deployment") return (o as unknown as IDeployment).spec?.template.spec;
    if (o.kind === "Job") return (o as unknown as IJob).spec?.template.spec;
    if (o.kind === "CronJob") return (o as unknown as ICronJob).spec?.jobTemplate.spec?.template.spec;
    return undefined;
  })();
  if (!spec) throw new Error(`${o.kind}/${o.metadata.name} has no pod spec`);
  return spec;
}

export function podLabels(o: K8sObject): Record<string, string> {
  if (o.kind === "Deployment") return (o as unknown as IDeployment).spec?.template.metadata?.labels ?? {};
  if (o.kind === "Job") return (o as unknown as IJob).spec?.template.metadata?.labels ?? {};
  return (o as unknown as ICronJob).spec?.jobTemplate.spec?.template.metadata?.labels ?? {};
}

export function container(o: K8sObject, index = 0): IContainer {
  const found = podSpec(o).containers[index];
  if (!found) throw new Error(`${o.kind}/${o.metadata.name} has no container ${index}`);
  return found;
}

export function envOf(o: K8sObject): Map<string, IEnvVar> {
  return new Map((container(o).env ?? []).map((e) => [e.name, e]));
}

export const workloads = (objects: K8sObject[]): K8sObject[] => objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));

/** Reads a nested value by dotted path (for CRD objects without model types). */
export function at(o: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], o);
}
