// The gitops-bridge contract (docs/contracts.md sections 2-3) from platform-apps' side:
// what the ApplicationSets read from the cluster Secret is exactly what bootstrap writes,
// every repoURL is allowed by the `platform` AppProject, charts are pinned exactly, and the
// root Application's folder holds only ApplicationSets.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_SECRET_ANNOTATIONS, CLUSTER_SECRET_LABELS, PLATFORM_CHART_REPOS, PLATFORM_ROOT_PATH } from "../../bootstrap/handoff/gitops-bridge";
import { actionsIn, renderForCluster, type Reads } from "./template";
import { at, chartSource, valueFilesPassed } from "./values";
import { ENVIRONMENTS } from "../../model/environment";
import { EDGES } from "../../model";
import { ARGOCD_NAMESPACE } from "../../bootstrap/argocd/argocd";
import {
  APPSETS_DIR,
  appSetFiles,
  applicationsFor,
  clusterSecret,
  isPlatformRepo,
  loadAppSets,
  readDocs,
  REPO_ROOT,
  ROOT_KUSTOMIZATION,
  SHARED_PATCH,
  yamlFiles,
  type Application,
  type Doc,
} from "./platform";

/**
 * Annotations bootstrap writes for its own roots, not for platform-apps (contract 2 lists
 * them for the whole cluster Secret): the services ApplicationSet reads services_repo_url,
 * and aws_vpc_id is for the AWS Load Balancer Controller. Nothing under platform-apps/
 * needs them.
 */
const NOT_READ_BY_PLATFORM_APPS = ["aws_vpc_id", "services_repo_url"];

const EXACT_VERSION = /^\d+\.\d+\.\d+$/;

/** The key path of every non-map value under `node` (lists count as values: a patch replaces them whole). */
function leafPaths(node: Doc, prefix: string[]): string[][] {
  return Object.entries(node).flatMap(([key, value]) =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? leafPaths(value as Doc, [...prefix, key]) : [[...prefix, key]],
  );
}

describe("cluster Secret keys (contract 2)", () => {
  const reads: Reads = { labels: new Set(), annotations: new Set() };

  beforeAll(() => {
    for (const environment of ENVIRONMENTS) applicationsFor(environment, reads);
  });

  it("every label read or selected on is one bootstrap writes", () => {
    expect([...reads.labels].filter((key) => !(CLUSTER_SECRET_LABELS as readonly string[]).includes(key))).toEqual([]);
  });

  it("every label bootstrap writes is read (one enable_<addon> selector per add-on)", () => {
    expect([...CLUSTER_SECRET_LABELS].filter((key) => !reads.labels.has(key))).toEqual([]);
  });

  it("every annotation read is one bootstrap writes", () => {
    expect([...reads.annotations].filter((key) => !(CLUSTER_SECRET_ANNOTATIONS as readonly string[]).includes(key))).toEqual([]);
  });

  it("every annotation bootstrap writes is read, except the documented ones for bootstrap's own roots", () => {
    expect([...CLUSTER_SECRET_ANNOTATIONS].filter((key) => !reads.annotations.has(key)).sort()).toEqual(NOT_READ_BY_PLATFORM_APPS);
  });

  it("templates use plain field references of the cluster generator only", () => {
    for (const file of fs.readdirSync(APPSETS_DIR)) {
      for (const action of actionsIn(fs.readFileSync(path.join(APPSETS_DIR, file), "utf8"))) {
        expect(action, file).toMatch(/^\.(server|name|metadata\.(labels|annotations)\.[a-z_]+)$/);
      }
    }
  });
});

describe("ApplicationSets", () => {
  const appsets = loadAppSets();

  it("the root folder holds its kustomization, the shared patch and the ApplicationSet files it lists", () => {
    expect(path.join(REPO_ROOT, PLATFORM_ROOT_PATH)).toBe(APPSETS_DIR);
    const entries = fs.readdirSync(APPSETS_DIR, { withFileTypes: true });
    expect(entries.filter((e) => !e.isFile() || !e.name.endsWith(".yaml")).map((e) => e.name)).toEqual([]);
    const kustomization = readDocs(ROOT_KUSTOMIZATION)[0] as { resources: string[]; patches: Array<{ path: string }> };
    const files = appSetFiles();
    expect([...kustomization.resources].sort()).toEqual(files.map(({ file }) => path.basename(file)).sort());
    expect(kustomization.patches.map((p) => p.path)).toEqual([path.basename(SHARED_PATCH)]);
    expect(files.every(({ appset }) => appset.kind === "ApplicationSet")).toBe(true);
    expect(appsets.map(({ appset }) => appset.kind)).toEqual(files.map(() => "ApplicationSet"));
    expect(appsets.map(({ appset }) => (appset.metadata as { namespace: string }).namespace)).toEqual(files.map(() => ARGOCD_NAMESPACE));
  });

  it("no ApplicationSet file sets a field of the shared patch (the patch would silently win)", () => {
    const shared = leafPaths((readDocs(SHARED_PATCH)[0] as { spec: Doc }).spec, ["spec"]);
    expect(shared).toContainEqual(["spec", "template", "spec", "syncPolicy", "retry", "limit"]);
    for (const { file, appset } of appSetFiles()) {
      expect(
        shared.filter((keys) => at(appset, ...keys) !== undefined),
        file,
      ).toEqual([]);
      expect((appset.metadata as Doc).namespace, file).toBeUndefined();
    }
  });

  it("an add-on whose enable_ label is absent gets no Application", () => {
    const cluster = clusterSecret("staging");
    delete cluster.metadata.labels.enable_crossplane;
    delete cluster.metadata.labels.enable_nats;
    const names = renderForCluster(
      appsets.map(({ appset }) => appset),
      cluster,
    )
      .flat()
      .map((app) => (app as Application).metadata.name);
    expect(names.filter((n) => n.startsWith("crossplane") || n === "nats")).toEqual([]);
    expect(names.length).toBe(12);
  });

  it("a missing annotation fails rendering (missingkey=error)", () => {
    const cluster = clusterSecret("production");
    delete cluster.metadata.annotations.loki_bucket_name;
    expect(() =>
      renderForCluster(
        appsets.map(({ appset }) => appset),
        cluster,
      ),
    ).toThrow(/ApplicationSet loki: .*loki_bucket_name/s);
  });

  it("never cascade-delete what they created (stateful volumes, CRDs and their resources)", () => {
    for (const { file, appset } of appsets) {
      const spec = appset.spec as { syncPolicy?: { preserveResourcesOnDeletion?: boolean }; template: { metadata: { finalizers?: string[] } } };
      expect(spec.syncPolicy?.preserveResourcesOnDeletion, file).toBe(true);
      expect(spec.template.metadata.finalizers, file).toBeUndefined();
    }
  });

  it("use goTemplate with missingkey=error and the cluster generator", () => {
    for (const { file, appset } of appsets) {
      const spec = appset.spec as { goTemplate: boolean; goTemplateOptions: string[]; generators: Array<Record<string, unknown>> };
      expect(spec.goTemplate, file).toBe(true);
      expect(spec.goTemplateOptions, file).toEqual(["missingkey=error"]);
      expect(
        spec.generators.map((g) => Object.keys(g)),
        file,
      ).toEqual([["clusters"]]);
    }
  });
});

describe.each(ENVIRONMENTS)("Applications in %s", (environment) => {
  let apps: Application[] = [];
  beforeAll(() => {
    apps = applicationsFor(environment);
  });

  it("are in project platform, target the in-cluster server, sync automatically with retries", () => {
    for (const app of apps) {
      expect(app.spec.project, app.metadata.name).toBe("platform");
      expect(app.spec.destination.server, app.metadata.name).toBe("https://kubernetes.default.svc");
      expect(app.spec.syncPolicy.automated, app.metadata.name).toEqual({ prune: true, selfHeal: true });
      expect(app.spec.syncPolicy.retry, app.metadata.name).toEqual({ limit: 10, backoff: { duration: "15s", factor: 2, maxDuration: "10m" } });
    }
  });

  it("every repoURL is the platform repo or one of PLATFORM_CHART_REPOS, and every listed repo is used", () => {
    const sources = apps.flatMap((app) => app.spec.sources);
    const charts = sources.filter((s) => !isPlatformRepo(s));
    expect(charts.filter((s) => !PLATFORM_CHART_REPOS.includes(s.repoURL)).map((s) => s.repoURL)).toEqual([]);
    expect([...new Set(charts.map((s) => s.repoURL))].sort()).toEqual([...PLATFORM_CHART_REPOS].sort());
    for (const source of sources.filter(isPlatformRepo)) expect(source.targetRevision).toBe("main");
  });

  it("every chart is pinned to an exact version", () => {
    const charts = apps.flatMap((app) => app.spec.sources).filter((s) => s.chart !== undefined);
    expect(charts.length).toBe(14);
    for (const source of charts) expect(source.targetRevision, `${source.chart}`).toMatch(EXACT_VERSION);
  });

  it("apps whose webhooks get CA bundles injected at runtime ignore (and keep) them", () => {
    const injected = apps.filter((app) => app.spec.ignoreDifferences !== undefined).map((app) => app.metadata.name);
    expect(injected.sort()).toEqual(["external-secrets", "istio-base", "istiod", "kube-prometheus-stack"]);
    for (const app of apps.filter((a) => injected.includes(a.metadata.name))) {
      expect(app.spec.syncPolicy.syncOptions, app.metadata.name).toContain("RespectIgnoreDifferences=true");
      const webhooks = (app.spec.ignoreDifferences ?? []).filter((d) => d.group === "admissionregistration.k8s.io");
      expect(
        webhooks.map((d) => d.kind),
        app.metadata.name,
      ).toEqual(["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]);
      for (const rule of webhooks) expect(rule.jqPathExpressions, app.metadata.name).toContain(".webhooks[]?.clientConfig.caBundle");
    }
  });

  it("every chart reads values/<app>/common.yaml, then <environment>.yaml where that environment differs (a platform UI then its edges' files)", () => {
    const uis = ["grafana", "kiali"];
    for (const app of apps.filter((a) => a.spec.sources.some((s) => s.helm))) {
      const helm = chartSource(app).helm ?? {};
      const dir = path.posix.dirname(helm.valueFiles?.[0] ?? "");
      // The edge annotations of the cluster Secret (gateway, no standby): docs/edge.md.
      const edges = uis.includes(app.metadata.name) ? [`${dir}/edge-gateway.yaml`, `${dir}/edge-none.yaml`] : [];
      expect(helm.valueFiles, app.metadata.name).toEqual([`${dir}/common.yaml`, `${dir}/${environment}.yaml`, ...edges]);
      expect(helm.ignoreMissingValueFiles, app.metadata.name).toBe(true);
      // ignoreMissingValueFiles would also hide a misspelt common.yaml: it must be passed.
      expect(valueFilesPassed(app)[0], app.metadata.name).toBe(`${dir.replace(/^\$values\//, "")}/common.yaml`);
      expect(
        app.spec.sources.some((s) => s.ref === "values"),
        app.metadata.name,
      ).toBe(true);
    }
  });
});

describe("values files", () => {
  const valuesDir = path.join(REPO_ROOT, "platform-apps", "values");
  const files = yamlFiles(valuesDir).map((file) => path.relative(REPO_ROOT, file));

  it("each says something (no empty, comment-only or {} file: a missing one is skipped)", () => {
    expect(files.length).toBeGreaterThan(20);
    const saysNothing = files.filter((file) => {
      const values = readDocs(path.join(REPO_ROOT, file))[0];
      return values === undefined || Object.keys(values).length === 0;
    });
    expect(saysNothing).toEqual([]);
  });

  it("each is passed to Helm by an Application of some environment (none orphaned by a typo)", () => {
    const passed = new Set(
      ENVIRONMENTS.flatMap((environment) =>
        EDGES.flatMap((edge) =>
          applicationsFor(environment, undefined, edge).flatMap((app) => app.spec.sources.filter((s) => s.helm).flatMap((s) => valueFilesPassed(app, s))),
        ),
      ),
    );
    expect(files.filter((file) => !passed.has(file))).toEqual([]);
  });
});
