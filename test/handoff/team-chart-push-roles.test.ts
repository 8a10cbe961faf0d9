// The team chart's per-service ECR push roles (platform-apps/charts/team/templates/push-roles.yaml,
// issue 14): rendered only where the teams ApplicationSet sets platform.pushRoles (the registry of
// record's cluster), one Role + RolePolicy per service of the team file, whose documents are
// exactly components/ci-push-role.ts's, each reaching its own project and repository only.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { findObject, helmLint, helmTemplate, type K8sObject } from "../harness/helm";
import { tempDir } from "../harness/copier";
import { TEAM_CHART_PATH, teamsApplicationSet, type TeamsAppSetArgs } from "../../bootstrap/handoff/teams-appset";
import { renderApplicationSet } from "../harness/appset-render";
import { pushRoleName, servicePushStatements, servicePushTrustStatement } from "../../components/ci-push-role";
import { SERVICE_LABEL } from "../../model/team";
import { REPO_ROOT } from "../harness/stacks";
import { PUSH_BOUNDARY, PUSH_ROLES } from "./push-roles";

const CHART = path.join(REPO_ROOT, TEAM_CHART_PATH);
const IAM_API = "iam.aws.m.upbound.io/v1beta1";
const PLATFORM = {
  server: "https://kubernetes.default.svc",
  argocdNamespace: "argocd",
  serviceRepoUrlPrefix: "https://gitlab.com/holodeck/services",
  serviceChartRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts",
};
const SERVICES = ["orders", "payments-api"];
const OPTIONS = { releaseName: "team-checkout", namespace: "argocd" };

type Role = K8sObject & {
  metadata: { namespace: string; annotations: Record<string, string>; labels: Record<string, string> };
  spec: { providerConfigRef: unknown; forProvider: Record<string, unknown> };
};

let teamFile: string;
let objects: K8sObject[];
beforeAll(() => {
  teamFile = path.join(tempDir("team-file"), "checkout.json");
  fs.writeFileSync(
    teamFile,
    JSON.stringify({
      team: "checkout",
      ssoGroups: ["holodeck-team-checkout"],
      domains: ["services"],
      services: SERVICES.map((name) => ({ name, domain: "services" })),
    }),
  );
  objects = helmTemplate(CHART, [teamFile], { platform: { ...PLATFORM, pushRoles: PUSH_ROLES } }, OPTIONS);
});

const iamObjects = (rendered: K8sObject[]): K8sObject[] => rendered.filter((o) => String(o.apiVersion).startsWith("iam.aws."));
/** `<kind> <namespace>/<name>` of the IAM objects, sorted. */
const iamObjectNames = (rendered: K8sObject[]): string[] =>
  iamObjects(rendered)
    .map((o) => `${String(o.kind)} ${o.metadata.namespace}/${o.metadata.name}`)
    .sort();
/** One Role and one RolePolicy per service of the team file, in the service's namespace. */
const EXPECTED_IAM_OBJECTS = [
  "Role orders/ecr-push-orders",
  "Role payments-api/ecr-push-payments-api",
  "RolePolicy orders/ecr-push-orders",
  "RolePolicy payments-api/ecr-push-payments-api",
];
const roleOf = (service: string): Role =>
  findObject(
    objects.filter((o) => o.apiVersion === IAM_API),
    "Role",
    pushRoleName(service),
  ) as Role;
const policyOf = (service: string): Role =>
  findObject(
    objects.filter((o) => o.apiVersion === IAM_API),
    "RolePolicy",
    pushRoleName(service),
  ) as Role;

describe("team chart push roles", () => {
  it("renders none without platform.pushRoles (every cluster but the registry of record's)", () => {
    expect(iamObjects(helmTemplate(CHART, [teamFile], { platform: PLATFORM }, OPTIONS))).toEqual([]);
  });

  it("lints clean with them", () => {
    helmLint(CHART, [teamFile], { platform: { ...PLATFORM, pushRoles: PUSH_ROLES } });
  });

  it("renders exactly one Role and one RolePolicy per service, in the service's namespace, for the provider's default ClusterProviderConfig", () => {
    expect(iamObjectNames(objects)).toEqual(EXPECTED_IAM_OBJECTS);
    for (const service of SERVICES) {
      for (const o of [roleOf(service), policyOf(service)]) {
        expect(o.spec.providerConfigRef).toEqual({ kind: "ClusterProviderConfig", name: "default" });
        expect(o.metadata.labels[SERVICE_LABEL]).toBe(service);
        expect(o.metadata.annotations["argocd.argoproj.io/sync-options"]).toBe("SkipDryRunOnMissingResource=true");
      }
    }
  });

  it("each Role: named after the service under the push path, with the push boundary, a one-hour session and the service's own trust", () => {
    for (const service of SERVICES) {
      const role = roleOf(service);
      expect(role.metadata.annotations["crossplane.io/external-name"]).toBe(`ecr-push-${service}`);
      const { assumeRolePolicy, ...rest } = role.spec.forProvider;
      expect(rest).toEqual({
        path: "/holodeck/push/",
        description: `GitLab CI of holodeck/services/${service} (branch main) pushes its image to ECR`,
        permissionsBoundary: PUSH_BOUNDARY,
        maxSessionDuration: 3600,
        tags: { "holodeck-service": service, "managed-by": "crossplane" },
      });
      expect(JSON.parse(String(assumeRolePolicy))).toEqual({ Version: "2012-10-17", Statement: [servicePushTrustStatement(PUSH_ROLES, service)] });
    }
  });

  it("each RolePolicy: on its own Role, exactly the service's push statements (its own repository only)", () => {
    for (const service of SERVICES) {
      const policy = policyOf(service);
      expect(policy.metadata.annotations["crossplane.io/external-name"]).toBe("push-own-repository");
      const { policy: document, ...rest } = policy.spec.forProvider;
      expect(rest).toEqual({ roleRef: { name: `ecr-push-${service}` } });
      expect(JSON.parse(String(document))).toEqual({ Version: "2012-10-17", Statement: servicePushStatements(PUSH_ROLES, service) });
    }
  });

  it("no service's documents name another service's project or repository", () => {
    for (const service of SERVICES) {
      const text = `${String(roleOf(service).spec.forProvider.assumeRolePolicy)} ${String(policyOf(service).spec.forProvider.policy)}`;
      for (const other of SERVICES.filter((s) => s !== service)) expect(text).not.toContain(other);
      expect(text).not.toContain("*:ref_type");
      expect(text).not.toContain("repository/*");
    }
  });

  it("the team's project refuses every IAM managed resource in a service's own Application", () => {
    const project = findObject(objects, "AppProject", "team-checkout") as unknown as { spec: { namespaceResourceBlacklist: unknown[] } };
    expect(project.spec.namespaceResourceBlacklist).toContainEqual({ group: "iam.aws.m.upbound.io", kind: "*" });
  });

  it.each(["oidcProviderArn", "boundaryPolicyArn", "repositoryArnPrefix", "gitlabGroup", "pushActions"] as const)(
    "refuses pushRoles without %s, naming the key",
    (key) => {
      const partial: Record<string, unknown> = { ...PUSH_ROLES };
      delete partial[key];
      expect(() => helmTemplate(CHART, [teamFile], { platform: { ...PLATFORM, pushRoles: partial } }, OPTIONS)).toThrow(
        new RegExp(`platform\\.pushRoles\\.${key} is required`),
      );
    },
  );
});

describe("the teams ApplicationSet hands the push roles to the chart (bootstrap/handoff/teams-appset.ts)", () => {
  const APPSET_ARGS: TeamsAppSetArgs = {
    servicesRepoUrl: "https://gitlab.com/holodeck/services-root.git",
    platformRepoUrl: "https://gitlab.com/holodeck/holodeck.git",
    platformRepoRevision: "main",
    platformProject: "platform",
    argocdNamespace: PLATFORM.argocdNamespace,
    serviceRepoUrlPrefix: PLATFORM.serviceRepoUrlPrefix,
    serviceChartRepository: PLATFORM.serviceChartRepository,
  };

  /** The team Application's Helm values as Argo CD renders them from the team file, then the chart with them. */
  const renderThrough = (args: TeamsAppSetArgs): K8sObject[] => {
    const [app] = renderApplicationSet(teamsApplicationSet(args), { "teams/checkout.json": fs.readFileSync(teamFile, "utf8") }) as Array<{
      spec: { source: { helm: { values: string } } };
    }>;
    const values = path.join(tempDir("team-values"), "values.yaml");
    fs.writeFileSync(values, JSON.stringify(parse(app.spec.source.helm.values)));
    return helmTemplate(CHART, [values], {}, OPTIONS);
  };

  it("on the registry of record's cluster: every service of the team file gets its role, with the stack's push-role values", () => {
    const rendered = renderThrough({ ...APPSET_ARGS, pushRoles: PUSH_ROLES });
    expect(iamObjectNames(rendered)).toEqual(EXPECTED_IAM_OBJECTS);
    const role = findObject(
      rendered.filter((o) => o.apiVersion === IAM_API),
      "Role",
      "ecr-push-orders",
    ) as Role;
    expect(JSON.parse(String(role.spec.forProvider.assumeRolePolicy))).toEqual({
      Version: "2012-10-17",
      Statement: [servicePushTrustStatement(PUSH_ROLES, "orders")],
    });
  });

  it("elsewhere: none", () => {
    expect(iamObjects(renderThrough(APPSET_ARGS))).toEqual([]);
  });
});
