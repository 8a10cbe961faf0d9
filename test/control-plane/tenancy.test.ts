// Tenancy (issue 14) on the real API server and the real Argo CD of the control-plane harness:
// the stack's recorded platform AppProject, teams and services ApplicationSets and host
// admission policy; the team chart from the platform repo (as committed); two teams in
// services-root. The seed service ends Synced and Healthy in its team's project, synced as its deployer; a hostile team's charts that template an object
// into another service's namespace, a cluster-scoped object, a relabel of another namespace or a
// route for a platform host fail to sync with a message naming the refusal; its deploy identity
// and even the cluster admin are refused routes and certificates for other hosts and paths; and
// nothing outside the hostile team's namespaces changes. The Grafana team sync's ServiceAccount
// reaches only what its Roles name, and the real team-sync.py works with its token.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OciRegistry } from "../chart/oci-registry";
import { ARGOCD_NAMESPACE, LOCAL_REPOS, type Application, type HolodeckCluster, type KubeObject, waitFor } from "./harness";
import { appStateIn, asDeployer, hostileServiceIn, messagesOf, route, synced } from "./fixtures/tenancy";
import { deploy, generateService, hijackDeploy, publishChart, pushTag, SEED_SERVICE } from "./fixtures/service-repos";
import { expectedFile } from "../cli/helpers";
import { FakeGrafana } from "../self-service/fake-grafana";
import {
  applyGrafanaTeamSync,
  canI,
  GRAFANA_DEPLOYMENT,
  GRAFANA_NAMESPACE,
  MAPPING_SECRET,
  runTeamSync,
  teamSyncAccess,
  teamSyncEnv,
  teamSyncIdentity,
  type TeamSyncIdentity,
} from "./fixtures/grafana-team-sync";
import type { KubeRest } from "./stand-ins/kube-rest";
import { startTenancyCluster } from "./fixtures/tenancy-cluster";
import type { StandIn } from "./stand-ins/stand-in";
import { HOST_POLICY } from "../../bootstrap/handoff/host-policy";
import { DEPLOYER_SERVICE_ACCOUNT, teamProject } from "../../model/team";
import { SERVICES_APPSET } from "../../bootstrap/handoff/services-appset";
import { TEAMS_APPSET } from "../../bootstrap/handoff/teams-appset";

const STACK = "staging-eu-west-1";
const TEAMS = {
  checkout: { team: "checkout", ssoGroups: ["holodeck-team-checkout"], domains: ["services"], services: [{ name: SEED_SERVICE, domain: "services" }] },
  intruders: {
    team: "intruders",
    ssoGroups: ["holodeck-team-intruders"],
    domains: ["payments"],
    services: ["attack-namespace", "attack-cluster", "attack-relabel", "attack-route"].map((name) => ({ name, domain: "payments" })),
  },
};

let registry: OciRegistry;
let cluster: HolodeckCluster;
let kube: KubeRest;
let clusterDomain: string;
let standIns: StandIn[] = [];
const commits: Record<string, string> = {};

const appState = (name: string, what: string, check: (app: Application) => boolean, timeoutMs?: number, generatedBy?: string): Promise<Application> =>
  appStateIn(cluster, name, what, check, timeoutMs, generatedBy);
const hostileService = (name: string, templates: Record<string, KubeObject>): string => hostileServiceIn(cluster.git, name, templates);

const create = (object: KubeObject, as?: string[]): Promise<string> => cluster.plane.kubectl.refusalOf(object, as);

beforeAll(async () => {
  registry = await publishChart();
  ({ cluster, kube, clusterDomain, standIns } = await startTenancyCluster(STACK, registry, [
    // `monitoring` as kube-prometheus-stack's Application creates it on a stack: the team chart's Grafana ConfigMap goes there.
    { apiVersion: "v1", kind: "Namespace", metadata: { name: GRAFANA_NAMESPACE } },
  ]));

  // services-root: the two team files; the teams' Applications make namespaces and projects.
  cluster.git.write(LOCAL_REPOS.servicesRoot, Object.fromEntries(Object.values(TEAMS).map((t) => [`teams/${t.team}.json`, `${JSON.stringify(t, null, 2)}\n`])));
  cluster.git.commit(LOCAL_REPOS.servicesRoot, "teams checkout and intruders");
  cluster.git.publishByHand(LOCAL_REPOS.servicesRoot);
  await cluster.argocd.refreshApplicationSet(TEAMS_APPSET);
  await Promise.all(Object.keys(TEAMS).map((team) => appState(teamProject(team), "Synced", synced, 240_000, TEAMS_APPSET)));

  // The seed and the hostile services, each deployed through the real CLI.
  commits[SEED_SERVICE] = generateService(cluster.git, registry.host).commits[0];
  const other = SEED_SERVICE;
  commits["attack-namespace"] = hostileService("attack-namespace", {
    configmap: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "intruder", namespace: other }, data: { stolen: "yes" } },
  });
  commits["attack-cluster"] = hostileService("attack-cluster", {
    clusterrole: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "intruder" },
      rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
    },
  });
  commits["attack-relabel"] = hostileService("attack-relabel", {
    namespace: { apiVersion: "v1", kind: "Namespace", metadata: { name: other, labels: { "pod-security.kubernetes.io/enforce": "privileged" } } },
  });
  commits["attack-route"] = hostileService("attack-route", { route: route("attack-route", [`argocd.${clusterDomain}`], "/attack-route") });
  for (const [service, sha] of Object.entries(commits)) await deploy(cluster.git, "staging", service, sha);
  await cluster.argocd.refreshApplicationSet(SERVICES_APPSET);
}, 600_000);

afterAll(async () => {
  for (const standIn of standIns) await standIn.stop();
  kube?.close();
  await cluster?.stop();
  await registry?.close();
});

describe("the platform's side, from the team files", () => {
  it("made each service namespace with its identity labels and Pod Security restricted", async () => {
    const namespace = await kube.get(`/api/v1/namespaces/${SEED_SERVICE}`);
    expect(namespace?.metadata.labels).toMatchObject({
      "holodeck.dev/service": SEED_SERVICE,
      "holodeck.dev/team": "checkout",
      "holodeck.dev/domain": "services",
      "pod-security.kubernetes.io/enforce": "restricted",
    });
  });

  it("made one AppProject per team whose destinations are its services' namespaces only", async () => {
    const project = await cluster.plane.kubectl.get<{ spec: { destinations: { namespace: string }[] } }>("appproject", "team-intruders", ARGOCD_NAMESPACE);
    expect(project?.spec.destinations.map((d) => d.namespace)).toEqual(TEAMS.intruders.services.map((s) => s.name));
  });
});

describe("the seed still deploys", () => {
  it(`${SEED_SERVICE} ends Synced and Healthy in project team-checkout, synced as its deployer, every applied object accepted`, async () => {
    const app = await appState(SEED_SERVICE, "Synced and Healthy", (a) => synced(a) && a.status?.health?.status === "Healthy", 300_000);
    expect(app.spec.project).toBe("team-checkout");
    expect(app.status?.sync?.revision).toBe(commits[SEED_SERVICE]);
    const lastOperation = app.status?.operationState?.syncResult?.resources ?? [];
    expect(lastOperation.filter((r) => r.status !== "Synced").map((r) => `${r.kind}/${r.name}: ${r.message}`)).toEqual([]);
    // The last operation may be a self-heal or retry of a few resources only (CI saw one of the
    // ConfigMap and the two monitors): every managed resource is listed, with its sync status, here
    // (hooks, the migration Job, carry none).
    const managed = (app.status?.resources ?? []).filter((r) => !r.hook);
    expect(managed.filter((r) => r.status !== "Synced").map((r) => `${r.kind}/${r.name}: ${r.status}`)).toEqual([]);
    expect(managed.map((r) => r.kind)).toEqual(expect.arrayContaining(["PostgresInstance", "Deployment", "NetworkPolicy", "Password"]));
  });
});

describe("services-root: another team's pipeline cannot redeploy a service it does not own", () => {
  // Argo CD is given refs/heads/published, which a tag cannot match. Measured: Argo CD 3.6.2 here
  // also resolved the short name "published" to the branch with the tag beside it, so the tag
  // part guards the behaviour rather than telling the two spellings apart (argo-cd#25599 reports
  // the short name resolving to either).
  it("its write to the seed's entry is withheld by the publish gate; a tag named published beside the branch moves nothing", async () => {
    const hijacked = commits["attack-namespace"];
    const job = await hijackDeploy(cluster.git, "attack-namespace", "staging", SEED_SERVICE, hijacked);
    expect(job.code).toBe(1);
    expect(job.stderr).toMatch(
      new RegExp(
        `^withheld staging/${SEED_SERVICE}\\.json: changed by [0-9a-f]{12}: written by project "holodeck/services/attack-namespace"; only holodeck/services/${SEED_SERVICE} may write it\\n$`,
      ),
    );
    pushTag(cluster.git, "published", { [`staging/${SEED_SERVICE}.json`]: expectedFile("staging", SEED_SERVICE, hijacked) });
    await cluster.argocd.refreshApplicationSet(SERVICES_APPSET);
    const appSetPath = `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applicationsets/${SERVICES_APPSET}`;
    await waitFor(
      "the services ApplicationSet to reconcile after the refresh",
      async () => {
        const appSet = await kube.get(appSetPath);
        return appSet && !appSet.metadata.annotations?.["argocd.argoproj.io/application-set-refresh"] ? true : undefined;
      },
      120_000,
    );
    const app = await kube.get<Application>(`/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/${SEED_SERVICE}`);
    expect(app?.spec.source?.targetRevision).toBe(commits[SEED_SERVICE]);
  });
});

describe("a hostile team's charts fail to sync, with a message, and change nothing", () => {
  const refused = (pattern: RegExp) => (app: Application) => pattern.test(messagesOf(app));

  it("an object in another service's namespace: the namespace is not a destination of its project", async () => {
    const app = await appState("attack-namespace", "refused", refused(new RegExp(`namespace ${SEED_SERVICE} is not permitted in project 'team-intruders'`)));
    expect(app.status?.sync?.status).not.toBe("Synced");
    expect(await kube.get(`/api/v1/namespaces/${SEED_SERVICE}/configmaps/intruder`)).toBeUndefined();
  });

  it("a cluster-scoped object: its project permits none", async () => {
    await appState("attack-cluster", "refused", refused(/resource rbac\.authorization\.k8s\.io:ClusterRole is not permitted in project team-intruders/));
    expect(await kube.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/intruder")).toBeUndefined();
  });

  it("a relabel of another service's namespace (Pod Security privileged): Namespace is cluster-scoped, refused", async () => {
    await appState("attack-relabel", "refused", refused(/resource :Namespace is not permitted in project team-intruders/));
    const namespace = await kube.get(`/api/v1/namespaces/${SEED_SERVICE}`);
    expect(namespace?.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("a route for a platform host in its own namespace: the admission policy refuses it at sync", async () => {
    await appState("attack-route", "refused", refused(/names a platform host \(argocd\./));
    expect(await kube.get("/apis/gateway.networking.k8s.io/v1/namespaces/attack-route/httproutes/hostile")).toBeUndefined();
  });
});

describe("the deploy identity and the admission policy, asked directly", () => {
  it("the deployer may not write into another service's namespace nor relabel its own", async () => {
    const intrusion = await create(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "intruder", namespace: SEED_SERVICE } },
      asDeployer("attack-route"),
    );
    expect(intrusion).toContain(
      `User "system:serviceaccount:attack-route:${DEPLOYER_SERVICE_ACCOUNT}" cannot create resource "configmaps" in API group "" in the namespace "${SEED_SERVICE}"`,
    );
    const relabel = await cluster.plane.kubectl.run([
      ...asDeployer("attack-route"),
      "label",
      "namespace",
      "attack-route",
      "pod-security.kubernetes.io/enforce=privileged",
      "--overwrite",
    ]);
    // kubectl label reads the namespace first; the deployer may not even do that.
    expect(relabel.stderr).toContain(`User "system:serviceaccount:attack-route:${DEPLOYER_SERVICE_ACCOUNT}" cannot get resource "namespaces"`);
  });

  it("admits the service's own host and path (the policy is not deny-all)", async () => {
    expect(await create(route("attack-route", [`payments.${clusterDomain}`], "/attack-route", "own"), asDeployer("attack-route"))).toBe("");
  });

  it("refuses another domain's host, naming the one allowed", async () => {
    const message = await create(route("attack-route", [`services.${clusterDomain}`], "/attack-route"), asDeployer("attack-route"));
    expect(message).toContain(`ValidatingAdmissionPolicy '${HOST_POLICY}'`);
    expect(message).toContain(
      `HTTPRoute attack-route/hostile: host(s) services.${clusterDomain} not allowed; only payments.${clusterDomain} under /attack-route`,
    );
  });

  it("refuses another service's path on its own host", async () => {
    const message = await create(route("attack-route", [`payments.${clusterDomain}`], `/${SEED_SERVICE}`), asDeployer("attack-route"));
    expect(message).toContain("every rule must match a PathPrefix or Exact path under /attack-route");
  });

  it("refuses a route without hostnames (it would take every host of the listener)", async () => {
    const message = await create(route("attack-route", [], "/attack-route"), asDeployer("attack-route"));
    expect(message).toContain("spec.hostnames must be [payments.");
  });

  it("refuses a certificate for a platform host in a service namespace, even to the cluster admin", async () => {
    const certificate: KubeObject = {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "vault", namespace: "attack-route" },
      spec: { secretName: "vault-tls", dnsNames: [`vault.${clusterDomain}`], issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-staging" } },
    };
    expect(await create(certificate)).toContain(`Certificate attack-route/vault: names a platform host (vault.${clusterDomain})`);
  });

  it("refuses an Ingress catching every host or another service's path", async () => {
    const ingress = (rules: unknown[]): KubeObject => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "hostile", namespace: "attack-route" },
      spec: { rules },
    });
    const backend = { service: { name: "x", port: { number: 80 } } };
    expect(await create(ingress([{ http: { paths: [{ path: "/attack-route", pathType: "Prefix", backend }] } }]))).toContain("every rule needs host payments.");
    expect(await create(ingress([{ host: `payments.${clusterDomain}`, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }]))).toContain(
      "path(s) outside /attack-route are refused",
    );
    // The chart's own form (rewrite path, TLS on its host) is admitted.
    const own = ingress([
      { host: `payments.${clusterDomain}`, http: { paths: [{ path: "/attack-route(/|$)(.*)", pathType: "ImplementationSpecific", backend }] } },
    ]);
    (own.spec as { tls: unknown[] }).tls = [{ hosts: [`payments.${clusterDomain}`], secretName: "attack-route-tls" }];
    expect(await create(own)).toBe("");
  });
});

describe("the Grafana team sync's identity reaches exactly what it should (issue 15)", () => {
  const checkoutNamespaces = TEAMS.checkout.services.map((s) => s.name);
  const intrudersNamespaces = TEAMS.intruders.services.map((s) => s.name);
  let identity: TeamSyncIdentity;

  beforeAll(async () => {
    await applyGrafanaTeamSync(cluster.plane);
    identity = await teamSyncIdentity(cluster.plane);
  });

  it("the team chart wrote each team's Grafana ConfigMap in monitoring from the team file", async () => {
    const teamJson = async (team: string): Promise<unknown> => {
      const configMap = await kube.get<KubeObject & { data: Record<string, string> }>(
        `/api/v1/namespaces/${GRAFANA_NAMESPACE}/configmaps/grafana-team-${team}`,
      );
      return JSON.parse(configMap?.data["team.json"] ?? "null");
    };
    expect(await teamJson("checkout")).toEqual({ team: "checkout", ssoGroups: ["holodeck-team-checkout"], namespaces: checkoutNamespaces });
    expect(await teamJson("intruders")).toEqual({ team: "intruders", ssoGroups: ["holodeck-team-intruders"], namespaces: intrudersNamespaces });
  });

  it("its token may list ConfigMaps in the teams' namespaces and monitoring, write only the mapping Secret and Grafana, read no Secret but the mapping", async () => {
    const expected = teamSyncAccess(SEED_SERVICE, "attack-route");
    const answers = await Promise.all(Object.keys(expected).map(async (question) => [question, await canI(identity, question)]));
    expect(Object.fromEntries(answers)).toEqual(expected);
  });

  it("the real team-sync.py with that token makes the orgs, scopes Loki, copies the team's dashboards and writes the mapping and the restart", async () => {
    const dashboardUid = "tenancy-team-sync";
    await cluster.plane.kubectl.apply([
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "team-sync-dashboard", namespace: SEED_SERVICE, labels: { grafana_dashboard: "1" } },
        data: { "extra.json": JSON.stringify({ uid: dashboardUid, title: "Team sync", panels: [] }) },
      },
    ]);
    // The seed chart's own dashboard (charts/holodeck-service hs.dashboardUid) is copied too.
    const chartDashboardUid = `hs-${createHash("sha256").update(SEED_SERVICE).digest("hex").slice(0, 12)}`;
    await waitFor("the seed's dashboard ConfigMap", () => kube.get(`/api/v1/namespaces/${SEED_SERVICE}/configmaps/${SEED_SERVICE}-dashboard`), 120_000);
    const grafana = new FakeGrafana();
    const env = teamSyncEnv(await grafana.start(), grafana, cluster.plane, identity);
    try {
      const first = await runTeamSync(env);
      expect(first.code, `${first.stdout}${first.stderr}`).toBe(0);
      // Admins first, then the teams by name (org_mapping), as Python's json.dumps writes a list.
      const mapping = '["holodeck-platform-admins:*:Admin", "holodeck-team-checkout:team-checkout:Viewer", "holodeck-team-intruders:team-intruders:Viewer"]';
      expect(first.stdout).toBe(
        `grafana-team-sync: org mapping now ${mapping}\ngrafana-team-sync: restarting Grafana (created: team-checkout, team-intruders)\n`,
      );
      const orgs = [...grafana.orgs.values()];
      const byName = (name: string) => orgs.find((o) => o.name === name);
      expect(orgs.map((o) => o.name).sort()).toEqual(["Main Org.", "team-checkout", "team-intruders"]);
      expect(byName("team-checkout")?.secure.get("loki")).toEqual({ httpHeaderValue1: checkoutNamespaces.join("|") });
      expect(byName("team-intruders")?.secure.get("loki")).toEqual({ httpHeaderValue1: intrudersNamespaces.join("|") });
      expect(Object.fromEntries(orgs.map((o) => [o.name, [...o.dashboards.entries()].map(([uid, d]) => `${d.folderUid}/${uid}`).sort()]))).toEqual({
        "Main Org.": [],
        "team-checkout": [`ns-${SEED_SERVICE}/${chartDashboardUid}`, `ns-${SEED_SERVICE}/${dashboardUid}`].sort(),
        "team-intruders": [],
      });
      expect(grafana.unknown).toEqual([]);

      const secret = await kube.get<KubeObject & { data?: Record<string, string> }>(`/api/v1/namespaces/${GRAFANA_NAMESPACE}/secrets/${MAPPING_SECRET}`);
      const decoded = Object.fromEntries(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]));
      expect(decoded).toEqual({ GF_AUTH_GENERIC_OAUTH_ORG_MAPPING: mapping });
      type Deployment = KubeObject & { metadata: { generation: number }; spec: { template: { metadata: { annotations?: Record<string, string> } } } };
      const deploymentPath = `/apis/apps/v1/namespaces/${GRAFANA_NAMESPACE}/deployments/${GRAFANA_DEPLOYMENT}`;
      const deployment = await kube.get<Deployment>(deploymentPath);
      const { "holodeck.dev/orgs-created-at": createdAt, ...annotations } = deployment?.spec.template.metadata.annotations ?? {};
      expect(annotations).toEqual({ "holodeck.dev/org-mapping-sha256": createHash("sha256").update(mapping).digest("hex") });
      // Orgs were created, so Grafana restarts even if the mapping had been written before.
      expect(createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      // Reading the mapping back from the real Secret: a second run changes nothing, restarts nothing.
      const second = await runTeamSync(env);
      expect(second, `${second.stdout}${second.stderr}`).toEqual({ code: 0, stdout: "", stderr: "" });
      expect((await kube.get<Deployment>(deploymentPath))?.metadata.generation).toBe(deployment?.metadata.generation);
    } finally {
      await grafana.stop();
    }
  });
});
