// The handoff from Pulumi to Argo CD (contracts §2-§4): the AppProjects, the in-cluster
// cluster Secret carrying the gitops-bridge labels and annotations, the root Application
// for platform-apps/ and the services ApplicationSet. Everything here depends on Argo CD
// (its CRDs) and on every controller the synced apps need while they are being deleted,
// so `pulumi destroy` removes these first and waits for Argo CD's cascade (docs/bootstrap.md).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ServicePushRoles } from "../../components/ci-push-role";
import type { Edge, Environment } from "../../model";
import { ARGOCD_NAMESPACE } from "../argocd/argocd";
import { PLATFORM_ADDONS, PLATFORM_CHART_REPOS, PLATFORM_ROOT_PATH, type ClusterSecretAnnotation, type ClusterSecretLabel } from "./gitops-bridge";
import { APP_SYNC_RETRY, ARGOCD_FINALIZER, IN_CLUSTER_SERVER, servicesApplicationSet, type ServicesAppSetArgs } from "./services-appset";
import { TEAMS_APPSET, teamsApplicationSet, type TeamsAppSetArgs } from "./teams-appset";
import { deployerPolicyObjects } from "./deployer-policy";
import { hostPolicyObjects } from "./host-policy";

export const PLATFORM_PROJECT = "platform";
export const ROOT_APPLICATION = "platform-root";
export const CLUSTER_SECRET = "in-cluster";
const ARGO_API = "argoproj.io/v1alpha1";
/**
 * Argo CD syncs every platform Application as its own application controller (sync impersonation
 * is on, and a project without a matching destinationServiceAccounts entry cannot sync at all).
 */
export const PLATFORM_SYNC_ACCOUNT = `${ARGOCD_NAMESPACE}:argocd-application-controller`;
/** Namespaces no service may take (the service-name rule's reserved list). */
export const PLATFORM_NAMESPACES = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "default",
  "argocd",
  "vault",
  "cert-manager",
  "ingress-nginx",
  "crossplane-system",
  "external-secrets",
  "monitoring",
  "observability",
  "istio-system",
  "loki",
  "nats",
  "kiali-operator",
  "reloader",
  "envoy-gateway-system",
];

export interface HandoffArgs {
  environment: Environment;
  region: string;
  accountId: pulumi.Input<string>;
  clusterName: string;
  domain: string;
  platformRepoUrl: string;
  platformRepoRevision: string;
  servicesRepoUrl: string;
  serviceRepoUrlPrefix: string;
  /**
   * The holodeck-service chart's OCI repository, `<registry of record>/charts` (the URL of the
   * repository Secret platform-apps writes): services' `helm dependency build` pulls it, and
   * Argo CD hands the repo-server its credentials only when the project permits it.
   */
  serviceChartRepository: string;
  /** The stack's VPC CIDR (services' Postgres egress, chart `global.vpcCidr`). */
  vpcCidr: string;
  /** The stack's public edge (chart `global.edge`). */
  edge: Edge;
  /** The standby edge during a switch (chart `global.edgeStandby`). */
  edgeStandby?: Edge;
  /** Only on the registry of record's stack: the team chart renders each service's ECR push role. */
  pushRoles?: pulumi.Input<ServicePushRoles>;
  /** Every annotation of CLUSTER_SECRET_ANNOTATIONS (the type makes a missing one a compile error). */
  annotations: Record<ClusterSecretAnnotation, pulumi.Input<string>>;
  /** Argo CD (its CRDs) and the controllers its apps need while they are deleted. */
  after: pulumi.Resource[];
}

/** Argo CD's cluster-Secret marker plus exactly the contract's labels (gitops-bridge.ts). */
export function clusterSecretLabels(args: Pick<HandoffArgs, "environment" | "region" | "clusterName" | "pushRoles">): Record<string, string> {
  const contract: Record<ClusterSecretLabel, string> = {
    environment: args.environment,
    region: args.region,
    cluster_name: args.clusterName,
    ...(Object.fromEntries(PLATFORM_ADDONS.map((addon) => [`enable_${addon}`, "true"])) as Record<`enable_${(typeof PLATFORM_ADDONS)[number]}`, string>),
    enable_ecr_push_roles: args.pushRoles ? "true" : "false",
  };
  return { "argocd.argoproj.io/secret-type": "cluster", ...contract };
}

export class Handoff extends pulumi.ComponentResource {
  constructor(name: string, args: HandoffArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:Handoff", name, {}, opts);
    const afterArgo = { parent: this, dependsOn: args.after };

    const platformProject = appProject(
      `${name}-platform-project`,
      PLATFORM_PROJECT,
      {
        description: "Platform add-ons from platform-apps/ (cluster-wide rights)",
        // services-root: the teams ApplicationSet reads the team files from it.
        sourceRepos: [args.platformRepoUrl, ...PLATFORM_CHART_REPOS, args.servicesRepoUrl],
        destinations: [{ server: IN_CLUSTER_SERVER, namespace: "*" }],
        destinationServiceAccounts: [{ server: IN_CLUSTER_SERVER, namespace: "*", defaultServiceAccount: PLATFORM_SYNC_ACCOUNT }],
        clusterResourceWhitelist: [{ group: "*", kind: "*" }],
      },
      afterArgo,
    );
    const clusterSecret = new k8s.core.v1.Secret(
      `${name}-cluster-secret`,
      {
        metadata: { name: CLUSTER_SECRET, namespace: ARGOCD_NAMESPACE, labels: clusterSecretLabels(args), annotations: args.annotations },
        stringData: { name: CLUSTER_SECRET, server: IN_CLUSTER_SERVER, config: JSON.stringify({ tlsClientConfig: { insecure: false } }) },
      },
      afterArgo,
    );
    const roots = { parent: this, dependsOn: [...args.after, platformProject, clusterSecret], customTimeouts: { delete: "30m" } };

    new k8s.apiextensions.CustomResource(
      `${name}-root-app`,
      {
        apiVersion: ARGO_API,
        kind: "Application",
        metadata: { name: ROOT_APPLICATION, namespace: ARGOCD_NAMESPACE, finalizers: [ARGOCD_FINALIZER] },
        spec: {
          project: PLATFORM_PROJECT,
          source: { repoURL: args.platformRepoUrl, targetRevision: args.platformRepoRevision, path: PLATFORM_ROOT_PATH },
          destination: { server: IN_CLUSTER_SERVER, namespace: ARGOCD_NAMESPACE },
          syncPolicy: { automated: { prune: true, selfHeal: true }, retry: APP_SYNC_RETRY },
        },
      },
      roots,
    );

    // The admission policies on service namespaces exist before anything can sync a service: a
    // pod admitted before its policy would stay (the deployer policy checks pods on create only).
    const admission = { host: hostPolicyObjects({ clusterDomain: args.domain }), deployer: deployerPolicyObjects() };
    const admissionPolicies = Object.entries(admission).flatMap(([policyName, objects]) =>
      objects.map(
        (policy, index) =>
          new k8s.apiextensions.CustomResource(`${name}-${policyName}-policy-${index}`, policy as k8s.apiextensions.CustomResourceArgs, {
            parent: this,
            dependsOn: args.after,
          }),
      ),
    );
    const serviceRoots = { ...roots, dependsOn: [...roots.dependsOn, ...admissionPolicies] };

    const appSet = pulumi.output(args.accountId).apply((account) => servicesApplicationSet(servicesArgs(args, account)));
    new k8s.apiextensions.CustomResource(
      `${name}-services-appset`,
      { apiVersion: ARGO_API, kind: "ApplicationSet", metadata: { name: "services", namespace: ARGOCD_NAMESPACE }, spec: appSet.apply((m) => m.spec) },
      serviceRoots,
    );
    // A service's project, namespace and deployer come from its team; until the team's
    // Application has synced, the service's sync fails and retries (APP_SYNC_RETRY).
    // The push roles' values are outputs (the OIDC provider's and the boundary's ARNs).
    const teamsAppSet = pulumi.output(args.pushRoles).apply((pushRoles) => teamsApplicationSet({ ...teamsArgs(args), pushRoles }));
    new k8s.apiextensions.CustomResource(
      `${name}-teams-appset`,
      { apiVersion: ARGO_API, kind: "ApplicationSet", metadata: { name: TEAMS_APPSET, namespace: ARGOCD_NAMESPACE }, spec: teamsAppSet.apply((m) => m.spec) },
      serviceRoots,
    );
    this.registerOutputs({ rootApplication: ROOT_APPLICATION, projects: [PLATFORM_PROJECT], applicationSets: [TEAMS_APPSET, "services"] });
  }
}

export function teamsArgs(args: HandoffArgs): TeamsAppSetArgs {
  return {
    servicesRepoUrl: args.servicesRepoUrl,
    platformRepoUrl: args.platformRepoUrl,
    platformRepoRevision: args.platformRepoRevision,
    platformProject: PLATFORM_PROJECT,
    argocdNamespace: ARGOCD_NAMESPACE,
    serviceRepoUrlPrefix: args.serviceRepoUrlPrefix,
    serviceChartRepository: args.serviceChartRepository,
  };
}

export function servicesArgs(args: HandoffArgs, accountId: string): ServicesAppSetArgs {
  return {
    environment: args.environment,
    servicesRepoUrl: args.servicesRepoUrl,
    serviceRepoUrlPrefix: args.serviceRepoUrlPrefix,
    domain: args.domain,
    imageRegistry: `${accountId}.dkr.ecr.${args.region}.amazonaws.com`,
    vpcCidr: args.vpcCidr,
    edge: args.edge,
    edgeStandby: args.edgeStandby,
  };
}

function appProject(
  resourceName: string,
  projectName: string,
  spec: Record<string, unknown>,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    resourceName,
    { apiVersion: ARGO_API, kind: "AppProject", metadata: { name: projectName, namespace: ARGOCD_NAMESPACE }, spec },
    opts,
  );
}
