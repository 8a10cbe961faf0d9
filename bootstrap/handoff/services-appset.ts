// The services ApplicationSet (contracts §4): one Application per file
// `<environment>/<service>.json` of the services-root repo. Rendered by Argo CD with Go
// templates and missingkey=error, so a file without a documented field fails loudly
// instead of deploying with an empty value (proven by test/bootstrap with appset-render).
import type { Edge, Environment } from "../../model";
import { GATEWAY_NAME, GATEWAY_NAMESPACE, SERVICES_LISTENER } from "../gateway/constants";
import { DOMAIN_LABEL, SERVICE_LABEL, SERVICES_ROOT_PUBLISHED_REF, TEAM_LABEL, teamProject } from "../../model/team";

/** Each service syncs in its team's project (team files, model/team.ts), as that namespace's deployer. */
export const SERVICES_PROJECT_TEMPLATE = teamProject("{{.team}}");
export const SERVICES_APPSET = "services";
export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";
export const ARGOCD_FINALIZER = "resources-finalizer.argocd.argoproj.io";

/**
 * Pod Security Admission labels of every service namespace (the team chart writes them, this is
 * their one home): the chart's workloads are built to "restricted" (Istio runs through
 * istio-cni, so sidecars need no privileges), so the namespace enforces it.
 */
export const SERVICE_NAMESPACE_LABELS: Record<string, string> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

/** Argo CD's sync retry: `limit` retries, waiting `duration` x `factor`^n, at most `maxDuration`. */
export interface SyncRetry {
  limit: number;
  backoff: { duration: string; factor: number; maxDuration: string };
}

/**
 * Sync retry of every Application the bootstrap generates (services and the platform root).
 * Retry n waits duration x factor^n, at most maxDuration. Without a policy Argo CD retries 5
 * times (5 s x 2^n: ~5 min) and then never auto-syncs that revision again. After a rebuild a
 * service's first syncs fail until the platform apps have installed the CRDs its chart uses;
 * the platform ApplicationSets retry for up to ~65 min (limit 10, 15 s doubling to 10 min), so
 * services keep trying for longer: 20 retries, 15 s doubling to 5 min = 450 s + 16 x 300 s
 * ~ 87.5 min (test/bootstrap/handoff.test.ts checks the margin; the real Argo CD run of
 * test/control-plane/rebuild-retry.test.ts proves the policy recovers).
 */
export const APP_SYNC_RETRY: SyncRetry = { limit: 20, backoff: { duration: "15s", factor: 2, maxDuration: "5m" } };

export interface ServicesAppSetArgs {
  environment: Environment;
  servicesRepoUrl: string;
  serviceRepoUrlPrefix: string;
  /** Stack domain, e.g. staging.eu-west-1.holodeck.dev (chart `global.clusterDomain`). */
  domain: string;
  /** <account>.dkr.ecr.<region>.amazonaws.com */
  imageRegistry: string;
  /** The stack's VPC CIDR (chart `global.vpcCidr`): the only destination of the Postgres egress rule. */
  vpcCidr: string;
  /** The stack's public edge (chart `global.edge`): an HTTPRoute on the shared Gateway, or an Ingress. */
  edge: Edge;
  /** The other edge, side by side during a switch (chart `global.edgeStandby`): services render for both. */
  edgeStandby?: Edge;
}

export interface HelmParameter {
  name: string;
  value: string;
  forceString?: boolean;
}

/** Helm parameters every service gets; the developer never writes these (contracts §5). */
export function platformHelmParameters(args: ServicesAppSetArgs): HelmParameter[] {
  return [
    { name: "holodeck-service.image.tag", value: "{{.imageTag}}", forceString: true },
    // The service's identity comes from services-root (the file and its team), never from the
    // developer's values: the chart refuses global.service/global.domain that disagree.
    { name: "global.platform.service", value: "{{.service}}" },
    { name: "global.platform.domain", value: "{{.domain}}" },
    { name: "global.platform.team", value: "{{.team}}" },
    { name: "global.clusterDomain", value: args.domain },
    { name: "global.environment", value: args.environment },
    { name: "global.imageRegistry", value: args.imageRegistry },
    { name: "global.vpcCidr", value: args.vpcCidr },
    { name: "global.edge", value: args.edge },
    ...(args.edgeStandby === undefined ? [] : [{ name: "global.edgeStandby", value: args.edgeStandby }]),
    // Where a service's HTTPRoute attaches on the gateway edge (docs/edge.md).
    ...(args.edge === "gateway" || args.edgeStandby === "gateway"
      ? [
          { name: "global.gateway.namespace", value: GATEWAY_NAMESPACE },
          { name: "global.gateway.name", value: GATEWAY_NAME },
          { name: "global.gateway.sectionName", value: SERVICES_LISTENER },
        ]
      : []),
  ];
}

/** The full ApplicationSet manifest. */
export function servicesApplicationSet(args: ServicesAppSetArgs): Record<string, unknown> {
  const production = args.environment === "production";
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name: SERVICES_APPSET, namespace: "argocd" },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      // The publish gate's branch, not main: an entry only one service's own pipeline may change.
      generators: [{ git: { repoURL: args.servicesRepoUrl, revision: SERVICES_ROOT_PUBLISHED_REF, files: [{ path: `${args.environment}/*.json` }] } }],
      // Production: removing a file (or this ApplicationSet) never deletes a running service.
      syncPolicy: { preserveResourcesOnDeletion: production },
      template: {
        metadata: {
          name: "{{.service}}",
          labels: { [SERVICE_LABEL]: "{{.service}}", [TEAM_LABEL]: "{{.team}}", [DOMAIN_LABEL]: "{{.domain}}", "holodeck.dev/cluster": "{{.cluster}}" },
          // The resources finalizer makes deleting the Application delete what it deployed. Argo CD
          // keeps a finalizer the template writes even with preserveResourcesOnDeletion, so in
          // production the template writes none: removing a file never deletes a running service.
          ...(production ? {} : { finalizers: [ARGOCD_FINALIZER] }),
        },
        spec: {
          project: SERVICES_PROJECT_TEMPLATE,
          source: {
            repoURL: `${args.serviceRepoUrlPrefix}/{{.service}}.git`,
            targetRevision: "{{.targetRevision}}",
            path: "helm",
            helm: { parameters: platformHelmParameters(args) },
          },
          destination: { server: IN_CLUSTER_SERVER, namespace: "{{.service}}" },
          // No CreateNamespace: the namespace is the platform's (team chart), and the deployer
          // this Application syncs as may not touch it.
          syncPolicy: { automated: { prune: true, selfHeal: true }, retry: APP_SYNC_RETRY },
        },
      },
    },
  };
}
