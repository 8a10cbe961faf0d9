// The handoff on a real control plane (issue 13, scenario 1): the Kubernetes objects the staging
// stack's program records are applied to a real API server; the real Argo CD syncs the root
// Application from the local platform repo (platform-apps/ as committed) and the real
// ApplicationSet controller generates the platform Applications. Upstream chart repositories are
// unreachable here, so chart Applications must fail on exactly that; holodeck's own manifests
// Applications must sync wherever the CRDs of their kinds exist.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordedStack } from "../harness/stacks";
import {
  ARGOCD_NAMESPACE,
  applyHandoff,
  crdsIn,
  installCrds,
  LOCAL_REPOS,
  PLATFORM_CRDS,
  startHolodeckCluster,
  TOOLS_BIN,
  type Application,
  type ApplicationSource,
  type HolodeckCluster,
  type KubeObject,
} from "./harness";
import { clusterGeneratorParams, renderGoTemplatePaths } from "./harness/appset";

const STACK = "staging-eu-west-1";
const ROOT_APP = "platform-root";
const SYNC_TIMEOUT = 240_000;

interface ApplicationSetObject extends KubeObject {
  spec: {
    generators: { clusters?: { selector?: { matchLabels?: Record<string, string> } } }[];
    template: { metadata: { name: string; annotations?: Record<string, string> }; spec: Application["spec"] };
  };
}

/** Whether the set's cluster generator selects a cluster Secret with these labels (matchLabels, as every platform set uses). */
function selects(set: ApplicationSetObject, labels: Record<string, string>): boolean {
  return set.spec.generators.every((g) => Object.entries(g.clusters?.selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value));
}

let cluster: HolodeckCluster;
let platformWork: string;

beforeAll(async () => {
  cluster = await startHolodeckCluster({ stack: STACK, recording: recordedStack(STACK) });
  platformWork = cluster.git.workTree(LOCAL_REPOS.platform);
  await installCrds(cluster.plane, manifestCrds());
  await applyHandoff(cluster);
}, 600_000);

afterAll(async () => {
  await cluster?.stop();
});

/** What the root Application renders: `kustomize build` of the folder it syncs, in the local platform repo. */
function platformApplicationSets(rootPath: string): ApplicationSetObject[] {
  const text = execFileSync(path.join(TOOLS_BIN, "kustomize"), ["build", path.join(platformWork, rootPath)], { encoding: "utf8" });
  return parseAllDocuments(text).map((d) => d.toJS() as ApplicationSetObject);
}

async function rootApplication(): Promise<Application> {
  return cluster.argocd.waitForApplication(
    ROOT_APP,
    "Synced and Healthy, its sync operation Succeeded",
    // Synced and Healthy can show while the operation still runs (phase Running): wait for its end too.
    (a) => a.status?.sync?.status === "Synced" && a.status?.health?.status === "Healthy" && a.status.operationState?.phase === "Succeeded",
    SYNC_TIMEOUT,
  );
}

const sourcesOf = (app: Application["spec"]): ApplicationSource[] => app.sources ?? (app.source ? [app.source] : []);
const platformRepo = (): string => cluster.git.url(LOCAL_REPOS.platform);
const fromPlatformRepo = (s: ApplicationSource): boolean => s.repoURL === platformRepo();

describe(`handoff of ${STACK} on a real control plane`, () => {
  it("the root Application syncs the platform ApplicationSets from the platform repo at the stack's revision", async () => {
    const root = await rootApplication();
    const source = root.spec.source;
    expect(source?.repoURL).toBe(platformRepo());
    expect(source?.targetRevision).toBe(cluster.remoteUrls.platformRevision);
    expect(root.status?.sync?.revision).toBe(cluster.git.head(LOCAL_REPOS.platform));
    const expected = platformApplicationSets(source?.path ?? "");
    const live = await cluster.plane.kubectl.list<ApplicationSetObject>("applicationsets.argoproj.io", ARGOCD_NAMESPACE);
    // The ApplicationSets the stack's program applies itself (services, teams) are not the root's.
    const recordedSets = new Set(cluster.handoffObjects.filter((o) => o.kind === "ApplicationSet").map((o) => o.metadata.name));
    const platformSets = live.filter((s) => !recordedSets.has(s.metadata.name));
    expect(platformSets.map((s) => s.metadata.name).sort()).toEqual(expected.map((s) => s.metadata.name).sort());
    for (const set of expected) {
      expect(platformSets.find((s) => s.metadata.name === set.metadata.name)?.spec, set.metadata.name).toEqual(set.spec);
    }
  });

  it("the ApplicationSet controller generates every platform Application as platform-apps/ describes it", async () => {
    const root = await rootApplication();
    const secret = await cluster.plane.kubectl.get<KubeObject & { data: Record<string, string> }>("secret", "in-cluster", ARGOCD_NAMESPACE);
    if (!secret) throw new Error("the recorded cluster Secret in-cluster is not in the cluster");
    const params = clusterGeneratorParams(secret);
    const sets = platformApplicationSets(root.spec.source?.path ?? "");
    const labels = secret.metadata.labels ?? {};
    // A set whose selector the cluster Secret does not match (e.g. crossplane-push-roles off the registry of record) makes none.
    const unselected = sets.filter((set) => !selects(set, labels));
    for (const set of sets.filter((candidate) => selects(candidate, labels))) {
      const template = renderGoTemplatePaths(set.spec.template, params);
      const app = await cluster.argocd.waitForApplication(template.metadata.name, "to be generated", () => true, 60_000);
      expect(app.metadata.annotations?.["argocd.argoproj.io/sync-wave"], template.metadata.name).toBe(
        template.metadata.annotations?.["argocd.argoproj.io/sync-wave"],
      );
      expect(app.spec.project, template.metadata.name).toBe(template.spec.project);
      expect(sourcesOf(app.spec), template.metadata.name).toEqual(sourcesOf(template.spec));
      expect(app.spec.destination, template.metadata.name).toEqual(template.spec.destination);
      expect(app.spec.syncPolicy, template.metadata.name).toEqual(template.spec.syncPolicy);
      // Every platform-repo source points at the local repo, at the stack's revision.
      for (const source of sourcesOf(app.spec).filter(fromPlatformRepo)) expect(source.targetRevision).toBe(cluster.remoteUrls.platformRevision);
    }
    expect(unselected.map((set) => set.metadata.name)).toEqual(["crossplane-push-roles"]);
    for (const set of unselected) expect(await cluster.argocd.application(set.spec.template.metadata.name), set.metadata.name).toBeUndefined();
  });

  it("Applications with an upstream chart fail only on the unreachable chart repository", async () => {
    const apps = (await cluster.argocd.applications()).filter((a) => sourcesOf(a.spec).some((s) => s.chart !== undefined));
    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) {
      const chartHosts = sourcesOf(app.spec)
        .filter((s) => s.chart !== undefined)
        .map((s) => new URL(s.repoURL).host);
      const failed = await cluster.argocd.waitForApplication(
        app.metadata.name,
        "to report its comparison error",
        (a) => (a.status?.conditions ?? []).length > 0,
        SYNC_TIMEOUT,
      );
      const conditions = failed.status?.conditions ?? [];
      expect(
        conditions.map((c) => c.type),
        app.metadata.name,
      ).toEqual(["ComparisonError"]);
      expect(conditions[0].message, app.metadata.name).toMatch(/no such host|dial tcp|Could not resolve host/);
      expect(
        chartHosts.some((host) => conditions[0].message.includes(host)),
        `${app.metadata.name}: ${conditions[0].message}`,
      ).toBe(true);
    }
  });

  it("holodeck's own manifests Applications sync where the CRDs of their kinds exist", async () => {
    const apps = (await cluster.argocd.applications()).filter((a) => a.metadata.name !== ROOT_APP && sourcesOf(a.spec).every(fromPlatformRepo));
    expect(apps.map((a) => a.metadata.name).sort()).toEqual(["crossplane-apis", "crossplane-packages", "platform-monitoring"]);
    const served = await servedKinds();
    for (const app of apps) {
      const kinds = sourcesOf(app.spec).flatMap((s) => manifestKinds(s.path ?? ""));
      const missing = kinds.filter((k) => !served.has(k));
      if (missing.length === 0) {
        const synced = await cluster.argocd.waitForApplication(
          app.metadata.name,
          "Synced",
          (a) => a.status?.sync?.status === "Synced" && a.status?.operationState?.phase === "Succeeded",
          SYNC_TIMEOUT,
        );
        expect(synced.status?.resources?.map((r) => r.kind).sort(), app.metadata.name).toEqual(kinds.map((k) => k.split("/").pop()).sort());
      } else {
        // Kinds whose CRD only their controller installs at run time (the AWS provider's ClusterProviderConfig):
        // this app cannot sync without Crossplane and its provider, which do not run here.
        expect(missing, app.metadata.name).toEqual(["aws.m.upbound.io/ClusterProviderConfig"]);
        expect((await cluster.argocd.application(app.metadata.name))?.status?.sync?.status, app.metadata.name).toBe("OutOfSync");
      }
    }
  });
});

/** Every YAML file under `dir`. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? yamlFiles(full) : entry.name.endsWith(".yaml") ? [full] : [];
  });
}

const groupKind = (o: KubeObject): string => `${o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : ""}/${o.kind}`;

/**
 * The CRDs the upstream charts would install (crossplane, external-secrets, istio,
 * prometheus-operator: the pinned copies), narrowed to the kinds platform-apps/manifests uses:
 * all that holodeck's own manifests Applications can need (the chart Applications stop at the
 * unreachable chart repository). The other ~55 CRDs only cost the API server minutes on 2 cores.
 */
function manifestCrds(): KubeObject[] {
  const kinds = new Set(
    yamlFiles(path.join(platformWork, "platform-apps", "manifests")).flatMap((f) =>
      parseAllDocuments(readFileSync(f, "utf8"))
        .map((d) => d.toJS() as KubeObject | null)
        .filter((o): o is KubeObject => typeof o?.kind === "string" && typeof o.apiVersion === "string")
        .map(groupKind),
    ),
  );
  type Crd = KubeObject & { spec: { group: string; names: { kind: string } } };
  const crds = (crdsIn(readdirSync(PLATFORM_CRDS).map((p) => path.join(PLATFORM_CRDS, p))) as Crd[]).filter((c) =>
    kinds.has(`${c.spec.group}/${c.spec.names.kind}`),
  );
  if (crds.length === 0) throw new Error(`no CRD in ${PLATFORM_CRDS} serves a kind platform-apps/manifests uses`);
  return crds;
}

/** "<group>/<Kind>" of every document `kustomize build` (or the folder's YAML files) yields for a platform repo path. */
function manifestKinds(repoPath: string): string[] {
  const dir = path.join(platformWork, repoPath);
  const hasKustomization = readdirSync(dir).includes("kustomization.yaml");
  const texts = hasKustomization
    ? [execFileSync(path.join(TOOLS_BIN, "kustomize"), ["build", dir], { encoding: "utf8" })]
    : readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => readFileSync(path.join(dir, f), "utf8"));
  return texts.flatMap((t) =>
    parseAllDocuments(t)
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null)
      .map(groupKind),
  );
}

/** "<group>/<Kind>" of every kind the API server serves. */
async function servedKinds(): Promise<Set<string>> {
  const out = await cluster.plane.kubectl.ok(["api-resources", "--no-headers", "-o", "wide"]);
  const kinds = new Set<string>();
  for (const line of out.split("\n").filter(Boolean)) {
    const cols = line.trim().split(/\s+/);
    // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND VERBS...
    const namespacedAt = cols.findIndex((c) => c === "true" || c === "false");
    const apiVersion = cols[namespacedAt - 1];
    const kind = cols[namespacedAt + 1];
    kinds.add(`${apiVersion.includes("/") ? apiVersion.split("/")[0] : ""}/${kind}`);
  }
  return kinds;
}
