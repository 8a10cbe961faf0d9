// Sync order and namespaces. The waves put every custom resource after the app that brings its
// CRD (ApplicationSet/Application wave first, then the resource's own wave inside the app), but
// Argo CD does NOT enforce that across Applications: the root app's waves order the
// ApplicationSets, which have no health, so the generated Applications sync concurrently. An
// app using another app's CRD therefore carries SkipDryRunOnMissingResource=true (its dry run
// does not fail on the missing kind) and converges through its retries once the CRD exists.
// Every namespace something lands in is created by an Application (CreateNamespace) or is
// one bootstrap owns.
import { beforeAll, describe, expect, it } from "vitest";
import { EXTERNAL_SECRETS_SERVICE_ACCOUNT } from "../../bootstrap/vault/constants";
import { ENVIRONMENTS } from "../../model/environment";
import { applicationsFor, isPlatformRepo, loadAppSets, manifestsOf, type Application, type Doc } from "./platform";
import { enablesPrometheusMonitors, helmValues } from "./values";

/** The Application whose chart or manifests bring each API group's CRDs. */
const CRD_OWNER: Record<string, { app: string; kind?: string }> = {
  "monitoring.coreos.com": { app: "kube-prometheus-stack" },
  "external-secrets.io": { app: "external-secrets" },
  "generators.external-secrets.io": { app: "external-secrets" },
  "security.istio.io": { app: "istio-base" },
  "telemetry.istio.io": { app: "istio-base" },
  "networking.istio.io": { app: "istio-base" },
  "pkg.crossplane.io": { app: "crossplane" },
  "apiextensions.crossplane.io": { app: "crossplane" },
  // Installed at runtime by the Provider package of crossplane-packages.
  "aws.m.upbound.io": { app: "crossplane-packages", kind: "Provider" },
};

/** Apps whose manifests or chart use a CRD another app installs (derived below, pinned here). */
const CROSS_APP_CRD_USERS = [
  "alloy",
  "crossplane-apis",
  "crossplane-packages",
  "crossplane-push-roles",
  "external-secrets",
  "grafana",
  "istiod",
  "jaeger",
  "kiali",
  "loki",
  "nats",
  "platform-monitoring",
];

/** Namespaces bootstrap creates (Argo CD itself, cert-manager's CA, Vault, the gateway edge). */
const BOOTSTRAP_NAMESPACES = ["argocd", "cert-manager", "vault", "envoy-gateway-system"];

/** API groups whose CRDs bootstrap installs before any Application exists (the gateway edge's, GatewayCrds). */
const BOOTSTRAP_CRD_GROUPS = ["gateway.networking.k8s.io"];

/** Kubernetes' own API groups with a dot in their name: served by the API server, no CRD to wait for. */
const BUILT_IN_DOTTED_GROUPS = ["rbac.authorization.k8s.io", "networking.k8s.io"];

type Position = [number, number];
const waveOf = (annotations: Record<string, string> | undefined): number => Number(annotations?.["argocd.argoproj.io/sync-wave"] ?? "0");
const before = (a: Position, b: Position): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
const groupOf = (doc: Doc): string => String(doc.apiVersion).split("/").slice(0, -1).join("/");
const meta = (doc: Doc): { name: string; namespace?: string; annotations?: Record<string, string> } =>
  doc.metadata as { name: string; namespace?: string; annotations?: Record<string, string> };

describe.each(ENVIRONMENTS)("sync order in %s", (environment) => {
  let apps: Application[] = [];
  const resources: Array<{ app: Application; doc: Doc }> = [];

  beforeAll(() => {
    apps = applicationsFor(environment);
    for (const app of apps) {
      for (const source of app.spec.sources.filter(isPlatformRepo)) {
        for (const doc of manifestsOf(source, app.metadata.name)) resources.push({ app, doc });
      }
    }
  });

  const appNamed = (name: string): Application => {
    const app = apps.find((a) => a.metadata.name === name);
    if (!app) throw new Error(`no Application ${name} in ${environment}`);
    return app;
  };

  /** Where the CRDs of a group become available: the owner app's wave, then its chart (0) or package resource. */
  const crdPosition = (group: string): Position => {
    if (BOOTSTRAP_CRD_GROUPS.includes(group)) return [-Infinity, 0];
    const owner = CRD_OWNER[group];
    if (!owner) throw new Error(`no CRD owner known for API group ${group}: add it to CRD_OWNER`);
    const app = appNamed(owner.app);
    const pkg = owner.kind ? resources.find((r) => r.app === app && r.doc.kind === owner.kind) : undefined;
    return [waveOf(app.metadata.annotations), pkg ? waveOf(meta(pkg.doc).annotations) : 0];
  };

  it("the Application waves equal their ApplicationSet waves", () => {
    for (const { appset } of loadAppSets()) {
      const name = (appset.metadata as { name: string }).name;
      expect(waveOf(appNamed(name).metadata.annotations), name).toBe(waveOf((appset.metadata as { annotations: Record<string, string> }).annotations));
    }
  });

  it("the intended order: every custom resource of a raw manifest is in a later wave than the app bringing its CRD", () => {
    const customResources = resources.filter(({ doc }) => groupOf(doc).includes(".") && !BUILT_IN_DOTTED_GROUPS.includes(groupOf(doc)));
    expect(customResources.length).toBeGreaterThan(20);
    for (const { app, doc } of customResources) {
      const position: Position = [waveOf(app.metadata.annotations), waveOf(meta(doc).annotations)];
      const owner = crdPosition(groupOf(doc));
      expect(
        before(owner, position),
        `${String(doc.kind)}/${meta(doc).name} in ${app.metadata.name} at ${position.join(",")} vs its CRD at ${owner.join(",")}`,
      ).toBe(true);
    }
  });

  it("charts that render ServiceMonitors/PodMonitors are in a later wave than kube-prometheus-stack", () => {
    const monitoring = crdPosition("monitoring.coreos.com");
    const users = apps.filter(
      (app) => app.metadata.name !== "kube-prometheus-stack" && app.spec.sources.some((s) => s.chart) && enablesPrometheusMonitors(helmValues(app)),
    );
    expect(users.map((a) => a.metadata.name).sort()).toEqual(["alloy", "external-secrets", "grafana", "loki", "nats"]);
    for (const app of users) expect(before(monitoring, [waveOf(app.metadata.annotations), 0]), app.metadata.name).toBe(true);
  });

  it("every app using a CRD of another app skips the dry run of missing kinds (waves do not wait across apps)", () => {
    const rawUsers = resources.filter(({ app, doc }) => groupOf(doc).includes(".") && CRD_OWNER[groupOf(doc)]?.app !== app.metadata.name).map(({ app }) => app);
    const monitorUsers = apps.filter(
      (app) => app.metadata.name !== "kube-prometheus-stack" && app.spec.sources.some((s) => s.chart) && enablesPrometheusMonitors(helmValues(app)),
    );
    const users = [...new Set([...rawUsers, ...monitorUsers].map((a) => a.metadata.name))].sort();
    expect(users).toEqual(CROSS_APP_CRD_USERS);
    for (const name of users) expect(appNamed(name).spec.syncPolicy.syncOptions ?? [], name).toContain("SkipDryRunOnMissingResource=true");
  });

  it("Crossplane: core, then provider + functions, then the platform API", () => {
    const wave = (name: string): number => waveOf(appNamed(name).metadata.annotations);
    expect([wave("crossplane"), wave("crossplane-packages"), wave("crossplane-apis")]).toEqual([-2, -1, 0]);
  });

  it("every namespace used is created by an Application or owned by bootstrap", () => {
    const created = new Set(apps.filter((a) => a.spec.syncPolicy.syncOptions?.includes("CreateNamespace=true")).map((a) => a.spec.destination.namespace));
    expect([...created].sort()).toEqual(["crossplane-system", "external-secrets", "istio-system", "loki", "monitoring", "nats", "observability", "reloader"]);
    const used = new Set<string>(apps.map((a) => a.spec.destination.namespace));
    for (const { doc } of resources) if (meta(doc).namespace) used.add(String(meta(doc).namespace));
    const store = resources.find(({ doc }) => doc.kind === "ClusterSecretStore")?.doc as {
      spec: { provider: { vault: { caProvider: { namespace: string } } } };
    };
    used.add(store.spec.provider.vault.caProvider.namespace);
    expect([...used].filter((ns) => !created.has(ns) && !BOOTSTRAP_NAMESPACES.includes(ns))).toEqual([]);
  });

  it("each namespace that reads Vault has the vault-secrets ServiceAccount (referent auth)", () => {
    // A generator-only ExternalSecret (Argo CD's ECR token in argocd) never logs in to Vault.
    const fromGenerators = (doc: Record<string, unknown>): boolean => {
      const spec = doc.spec as { data?: unknown[]; dataFrom?: Array<{ sourceRef?: { generatorRef?: unknown } }> };
      return !spec.data && (spec.dataFrom ?? []).length > 0 && (spec.dataFrom ?? []).every((d) => d.sourceRef?.generatorRef !== undefined);
    };
    const readers = new Set(resources.filter(({ doc }) => doc.kind === "ExternalSecret" && !fromGenerators(doc)).map(({ doc }) => String(meta(doc).namespace)));
    const accounts = new Set(
      resources
        .filter(({ doc }) => doc.kind === "ServiceAccount" && meta(doc).name === EXTERNAL_SECRETS_SERVICE_ACCOUNT)
        .map(({ doc }) => String(meta(doc).namespace)),
    );
    expect([...readers].sort()).toEqual(["istio-system", "monitoring", "nats", "observability"]);
    expect([...accounts].sort()).toEqual([...readers].sort());
  });

  it("no object is owned by two Applications", () => {
    const seen = new Map<string, string>();
    for (const { app, doc } of resources) {
      const key = `${String(doc.kind)}/${meta(doc).namespace ?? ""}/${meta(doc).name}`;
      expect(seen.get(key) ?? app.metadata.name, key).toBe(app.metadata.name);
      seen.set(key, app.metadata.name);
    }
  });
});
