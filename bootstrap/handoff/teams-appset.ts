// The teams ApplicationSet (issue 14, docs/tenancy.md): one Application `team-<team>` per team
// file `teams/<team>.json` of services-root, rendering the local chart platform-apps/charts/team
// with the team file as values. It runs in the platform project (it makes Namespaces, RBAC and
// the team's AppProject), so what a team may do is decided by the platform, never by the team.
import type { ServicePushRoles } from "../../components/ci-push-role";
import { SERVICES_ROOT_PUBLISHED_REF, TEAMS_FOLDER, teamProject } from "../../model/team";
import { APP_SYNC_RETRY, IN_CLUSTER_SERVER } from "./services-appset";

export const TEAMS_APPSET = "teams";
/** The local chart, in the platform repository. */
export const TEAM_CHART_PATH = "platform-apps/charts/team";

export interface TeamsAppSetArgs {
  servicesRepoUrl: string;
  platformRepoUrl: string;
  platformRepoRevision: string;
  /** The project the team Applications belong to (the platform's). */
  platformProject: string;
  /** Argo CD's namespace: the AppProject's home and the Applications' destination. */
  argocdNamespace: string;
  /** `<serviceRepoUrlPrefix>/<service>.git` is a service's repository (its project's only source). */
  serviceRepoUrlPrefix: string;
  /** The holodeck-service chart's OCI repository, the other source a service may use. */
  serviceChartRepository: string;
  /** Only on the registry of record's cluster: each service's ECR push role (team chart templates/push-roles.yaml). */
  pushRoles?: ServicePushRoles;
}

/** What the platform (not the team file) adds to the chart's values. */
export interface TeamPlatformValues {
  server: string;
  argocdNamespace: string;
  serviceRepoUrlPrefix: string;
  serviceChartRepository: string;
  pushRoles?: ServicePushRoles;
}

/**
 * The Helm values of a team Application, a Go template over the git files generator's parameters
 * (the team file's keys). `toJson` keeps lists and strings intact; `index` gives null for the
 * optional `alerts` (missingkey=error would refuse `.alerts`). JSON is YAML, so Helm reads it as is.
 */
export function teamValuesTemplate(platform: TeamPlatformValues): string {
  return [
    "{",
    '"team": {{ toJson .team }},',
    '"ssoGroups": {{ toJson .ssoGroups }},',
    '"domains": {{ toJson .domains }},',
    '"services": {{ toJson .services }},',
    '"alerts": {{ toJson (index . "alerts") }},',
    `"platform": ${JSON.stringify(platform)}`,
    "}",
  ].join("\n");
}

export function teamsApplicationSet(args: TeamsAppSetArgs): Record<string, unknown> {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name: TEAMS_APPSET, namespace: args.argocdNamespace },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [{ git: { repoURL: args.servicesRepoUrl, revision: SERVICES_ROOT_PUBLISHED_REF, files: [{ path: `${TEAMS_FOLDER}/*.json` }] } }],
      // Removing a team file never deletes its namespaces (and their databases); the chart also
      // marks each Namespace Prune=false/Delete=false for removing one service from a team.
      syncPolicy: { preserveResourcesOnDeletion: true },
      template: {
        metadata: { name: teamProject("{{.team}}"), labels: { "holodeck.dev/team": "{{.team}}" } },
        spec: {
          project: args.platformProject,
          source: {
            repoURL: args.platformRepoUrl,
            targetRevision: args.platformRepoRevision,
            path: TEAM_CHART_PATH,
            helm: {
              releaseName: teamProject("{{.team}}"),
              values: teamValuesTemplate({
                server: IN_CLUSTER_SERVER,
                argocdNamespace: args.argocdNamespace,
                serviceRepoUrlPrefix: args.serviceRepoUrlPrefix,
                serviceChartRepository: args.serviceChartRepository,
                ...(args.pushRoles ? { pushRoles: args.pushRoles } : {}),
              }),
            },
          },
          destination: { server: IN_CLUSTER_SERVER, namespace: args.argocdNamespace },
          syncPolicy: { automated: { prune: true, selfHeal: true }, retry: APP_SYNC_RETRY },
        },
      },
    },
  };
}
