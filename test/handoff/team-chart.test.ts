// The team chart (platform-apps/charts/team, issue 14) rendered with the example team file and
// the platform values the teams ApplicationSet sets: what each service namespace gets and what
// the team's Argo CD project allows.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findObject, helmLint, helmTemplate, type K8sObject } from "../harness/helm";
import { validateManifests } from "../harness/k8s-schema";
import { SERVICE_NAMESPACE_LABELS } from "../../bootstrap/handoff/services-appset";
import { TEAM_CHART_PATH } from "../../bootstrap/handoff/teams-appset";
import { DEPLOYER_SERVICE_ACCOUNT, DOMAIN_LABEL, SERVICE_LABEL, TEAM_LABEL } from "../../model/team";
import { REPO_ROOT } from "../harness/stacks";

const CHART = path.join(REPO_ROOT, TEAM_CHART_PATH);
const TEAM_FILE = path.join(REPO_ROOT, "services-root", "example", "teams", "checkout.json");
const PLATFORM = {
  server: "https://kubernetes.default.svc",
  argocdNamespace: "argocd",
  serviceRepoUrlPrefix: "https://gitlab.com/holodeck/services",
  serviceChartRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts",
};
const SERVICE = "python-example";

let objects: K8sObject[];
beforeAll(() => {
  objects = helmTemplate(CHART, [TEAM_FILE], { platform: PLATFORM }, { releaseName: "team-checkout", namespace: "argocd" });
});

const spec = <T>(o: K8sObject): T => (o as unknown as { spec: T }).spec;

describe("team chart with the example team", () => {
  it("lints clean and renders objects valid for Kubernetes", () => {
    helmLint(CHART, [TEAM_FILE], { platform: PLATFORM });
    const core = objects.filter((o) => o.kind !== "AppProject");
    validateManifests(core, "team chart");
  });

  it("makes the service namespace: Pod Security restricted and the identity labels the admission policy reads; never pruned", () => {
    const namespace = findObject(objects, "Namespace", SERVICE);
    expect(namespace.metadata.labels).toEqual({
      "app.kubernetes.io/managed-by": "holodeck-platform",
      ...SERVICE_NAMESPACE_LABELS,
      [SERVICE_LABEL]: SERVICE,
      [TEAM_LABEL]: "checkout",
      [DOMAIN_LABEL]: "services",
    });
    expect(namespace.metadata.annotations?.["argocd.argoproj.io/sync-options"]).toBe("Prune=false,Delete=false");
  });

  it("caps the namespace: no LoadBalancer or NodePort Services, defaults for containers without resources", () => {
    const hard = spec<{ hard: Record<string, string> }>(findObject(objects, "ResourceQuota", "service-quota")).hard;
    expect([hard["services.loadbalancers"], hard["services.nodeports"], hard["requests.cpu"], hard["limits.memory"]]).toEqual(["0", "0", "4", "16Gi"]);
    const [limit] = spec<{ limits: Record<string, unknown>[] }>(findObject(objects, "LimitRange", "service-limits")).limits;
    expect(limit.type).toBe("Container");
    expect(limit.defaultRequest).toEqual({ cpu: "100m", memory: "128Mi", "ephemeral-storage": "128Mi" });
  });

  it("denies all traffic both ways under the chart's own policies, DNS excepted", () => {
    expect(spec(findObject(objects, "NetworkPolicy", "platform-default-deny"))).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(spec<{ egress: { ports: unknown[] }[] }>(findObject(objects, "NetworkPolicy", "platform-allow-dns")).egress[0].ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
  });

  it("the deployer's Role reaches its namespace only, with no RBAC, quota, limit or namespace rights", () => {
    const role = findObject(objects, "Role", DEPLOYER_SERVICE_ACCOUNT) as unknown as {
      metadata: { namespace: string };
      rules: { apiGroups: string[]; resources: string[] }[];
    };
    expect(role.metadata.namespace).toBe(SERVICE);
    const granted = role.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`)));
    for (const forbidden of [
      "rbac.authorization.k8s.io/roles",
      "rbac.authorization.k8s.io/rolebindings",
      "/resourcequotas",
      "/limitranges",
      "/namespaces",
      "/pods/exec",
      "*/*",
    ]) {
      expect(granted).not.toContain(forbidden);
    }
    expect(role.rules.every((r) => !r.apiGroups.includes("*") && !r.resources.includes("*"))).toBe(true);
    const binding = findObject(objects, "RoleBinding", DEPLOYER_SERVICE_ACCOUNT) as unknown as { subjects: unknown[]; roleRef: unknown };
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: DEPLOYER_SERVICE_ACCOUNT, namespace: SERVICE }]);
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: DEPLOYER_SERVICE_ACCOUNT });
  });

  it("the deployer may read its pods' logs and events, what Argo CD 3.5+ reads as it for the team's UI", () => {
    const role = findObject(objects, "Role", DEPLOYER_SERVICE_ACCOUNT) as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    expect(role.rules.filter((r) => r.resources.includes("pods/log") || r.resources.includes("events"))).toEqual([
      { apiGroups: [""], resources: ["pods/log", "events"], verbs: ["get", "list", "watch"] },
    ]);
  });

  it("lets the team's SSO groups read (view) its namespace, as Kubernetes groups sso:<group>", () => {
    const view = findObject(objects, "RoleBinding", "team-view") as unknown as { subjects: unknown[]; roleRef: { name: string } };
    expect(view.roleRef.name).toBe("view");
    expect(view.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "sso:holodeck-team-checkout" }]);
  });

  it("the AppProject: its services' repos and the chart, its namespaces as their deployer, no cluster-scoped kind, a developers role", () => {
    const project = findObject(objects, "AppProject", "team-checkout");
    expect(project.metadata.namespace).toBe("argocd");
    const s = spec<Record<string, unknown>>(project);
    expect(s.sourceRepos).toEqual([`${PLATFORM.serviceRepoUrlPrefix}/${SERVICE}.git`, PLATFORM.serviceChartRepository]);
    expect(s.destinations).toEqual([{ server: PLATFORM.server, namespace: SERVICE }]);
    expect(s.destinationServiceAccounts).toEqual([{ server: PLATFORM.server, namespace: SERVICE, defaultServiceAccount: DEPLOYER_SERVICE_ACCOUNT }]);
    expect(s.clusterResourceWhitelist).toEqual([]);
    expect(s.roles).toEqual([
      {
        name: "developers",
        description: "Team checkout: see, sync and read logs of its Applications",
        groups: ["holodeck-team-checkout"],
        policies: [
          "p, proj:team-checkout:developers, applications, get, team-checkout/*, allow",
          "p, proj:team-checkout:developers, applications, sync, team-checkout/*, allow",
          "p, proj:team-checkout:developers, logs, get, team-checkout/*, allow",
        ],
      },
    ]);
  });

  it("refuses to render without the platform values the teams ApplicationSet sets", () => {
    expect(() => helmTemplate(CHART, [TEAM_FILE], {})).toThrow(/platform.serviceRepoUrlPrefix is required/);
  });
});
