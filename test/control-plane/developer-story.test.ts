// The seed's developer story on a real control plane (issue 13, scenario 2): the copier
// template's service with the seed's answers is pushed to the local git server, the real CLI
// commits its staging entry to services-root, the real ApplicationSet controller creates the
// Application, the real repo-server renders helm/ with the holodeck-service chart pulled from
// an OCI registry, and the real application controller runs the sync waves, gated by the
// stack's Lua health checks on what the stand-ins (stand-ins/) report after a delay. Then the
// staging delete (issue 13, scenario 3; production's promote, rollback and delete are in
// promote-rollback-delete.test.ts, a cluster of its own as in the platform): removing the
// service's file from services-root prunes what the Application deployed (the staging
// ApplicationSet has preserveResourcesOnDeletion false), except the database, which the chart
// marks Delete=false.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OciRegistry } from "../chart/oci-registry";
import { waitFor, type Application } from "./harness";
import { deploymentAvailable, Timeline } from "./fixtures/timeline";
import { deploy, generateService, publishChart, removeEntry, SEED_SERVICE, type ServiceRepo } from "./fixtures/service-repos";
import {
  recordedParameter,
  SEED_TEAM,
  seedApplicationLabels,
  STAND_IN_DELAYS,
  startServiceCluster,
  syncedHealthy,
  waitForApp,
  waitForAppGone,
  type ServiceCluster,
} from "./fixtures/story";
import { DATABASE, DATABASE_SECRET, existing, RESOURCES_FINALIZER, TRACKED } from "./fixtures/tracked";
import { ENVOY_GATEWAY_CONTROLLER } from "./stand-ins/envoy-gateway";
import { STAND_IN_LOAD_BALANCER } from "./stand-ins/ingress-nginx";
import { conditionOf, type KubeObject } from "./stand-ins/kube-rest";

const STACK = "staging-eu-west-1";
const NS = SEED_SERVICE;
const timings: Record<string, number> = {};

describe(`the seed's developer story on ${STACK}`, () => {
  let registry: OciRegistry;
  let sc: ServiceCluster;
  let service: ServiceRepo;
  let timeline: Timeline;
  let app: Application;
  /** The service's route kind on the stack's edge (services ApplicationSet `global.edge`). */
  const routeKind = (): "HTTPRoute" | "Ingress" => (recordedParameter(sc, "global.edge") === "gateway" ? "HTTPRoute" : "Ingress");

  beforeAll(async () => {
    const started = Date.now();
    registry = await publishChart();
    sc = await startServiceCluster(STACK, registry);
    timings.controlPlaneMs = Date.now() - started;
    service = generateService(sc.cluster.git, registry.host);
    timeline = new Timeline(sc.kube, NS);
    const deployed = Date.now();
    await deploy(sc.cluster.git, "staging", SEED_SERVICE, service.commits[0]);
    await sc.refreshServices();
    app = await waitForApp(sc, SEED_SERVICE, `Synced and Healthy at ${service.commits[0]}`, syncedHealthy(service.commits[0]), 240_000);
    timings.deployToHealthyMs = Date.now() - deployed;
    timeline.stop();
  }, 420_000);

  afterAll(async () => {
    timeline?.stop();
    await sc?.stop();
    await registry?.close();
    console.log(`developer story timings (ms): ${JSON.stringify(timings)}`);
  });

  it("the ApplicationSet made the Application the stack's template describes, from the local repositories", () => {
    const repoPrefix = sc.cluster.git.url("services").replace(/\.git$/, "");
    expect(app.metadata.labels).toEqual(seedApplicationLabels("staging"));
    expect(app.spec.project).toBe(`team-${SEED_TEAM.team}`);
    expect(app.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: SEED_SERVICE });
    expect(app.spec.source?.repoURL).toBe(`${repoPrefix}/${SEED_SERVICE}.git`);
    expect(app.spec.source?.targetRevision).toBe(service.commits[0]);
    expect(app.spec.source?.path).toBe("helm");
    expect(app.spec.source?.helm?.parameters?.find((p) => p.name === "holodeck-service.image.tag")?.value).toBe(service.commits[0]);
  });

  it("ends Synced and Healthy at the deployed commit, every resource Healthy", () => {
    expect(app.status?.sync).toMatchObject({ status: "Synced", revision: service.commits[0] });
    expect(app.status?.health?.status).toBe("Healthy");
    const notHealthy = (app.status?.resources ?? []).filter((r) => r.health && r.health.status !== "Healthy");
    expect(notHealthy).toEqual([]);
    expect(sc.standInErrors()).toEqual([]);
  });

  it("created the namespace with Pod Security restricted enforced", async () => {
    const namespace = await sc.kube.get(`/api/v1/namespaces/${NS}`);
    expect(namespace?.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });

  it("waited for the database before the secrets (wave -2 gated by the PostgresInstance Lua health check)", () => {
    const database = timeline.one("PostgresInstance", SEED_SERVICE);
    const databaseReady = timeline.readyAt("PostgresInstance", SEED_SERVICE);
    expect(databaseReady - database.created).toBeGreaterThanOrEqual(STAND_IN_DELAYS.databaseReadyMs - 500);
    expect(timeline.one("ExternalSecret", `${SEED_SERVICE}-vault`).created).toBeGreaterThanOrEqual(databaseReady);
    // Redis (also wave -2) was available before wave -1 started.
    expect(timeline.readyAt("Deployment", `${SEED_SERVICE}-redis`)).toBeLessThanOrEqual(timeline.one("ExternalSecret", `${SEED_SERVICE}-vault`).created);
  });

  it("ran the migration Job only once the Vault secret existed (wave -1 gated by the ExternalSecret health check)", () => {
    const secretReady = timeline.readyAt("ExternalSecret", `${SEED_SERVICE}-vault`);
    expect(timeline.one("Secret", `${SEED_SERVICE}-vault`).created).toBeLessThanOrEqual(secretReady);
    expect(timeline.one("Secret", `${SEED_SERVICE}-postgres`).created).toBeLessThanOrEqual(timeline.readyAt("PostgresInstance", SEED_SERVICE));
    expect(timeline.one("Job", `${SEED_SERVICE}-migrate`).created).toBeGreaterThanOrEqual(secretReady);
  });

  it("completed the migration before any app pod was created, and the app rolled out after it", () => {
    const migrated = timeline.readyAt("Job", `${SEED_SERVICE}-migrate`);
    const appPods = timeline.all("Pod").filter((p) => p.labels["app.kubernetes.io/component"] === "app");
    const migrationPods = timeline.all("Pod").filter((p) => p.labels["app.kubernetes.io/component"] === "migrate");
    expect(migrationPods).toHaveLength(1);
    expect(migrationPods[0].ready).toBeLessThanOrEqual(migrated);
    expect(appPods).toHaveLength(2);
    for (const pod of appPods) expect(pod.created).toBeGreaterThanOrEqual(migrated);
    expect(timeline.one("Deployment", SEED_SERVICE).created).toBeGreaterThanOrEqual(migrated);
  });

  it("created the monitors only after the app was available and its route accepted (wave 1 gated by Deployment and route health)", () => {
    const wave1Ready = Math.max(timeline.readyAt("Deployment", SEED_SERVICE), timeline.readyAt(routeKind(), SEED_SERVICE));
    for (const [kind, name] of [
      ["ServiceMonitor", SEED_SERVICE],
      ["PrometheusRule", SEED_SERVICE],
      ["ConfigMap", `${SEED_SERVICE}-dashboard`],
    ]) {
      expect(timeline.one(kind, name).created, `${kind} ${name}\n${timeline.describe()}`).toBeGreaterThanOrEqual(wave1Ready);
    }
  });

  it("left the objects in the state their controllers report", async () => {
    const job = await sc.kube.get(`/apis/batch/v1/namespaces/${NS}/jobs/${SEED_SERVICE}-migrate`);
    expect(conditionOf(job, "Complete")?.status).toBe("True");
    expect((job?.status as { succeeded?: number }).succeeded).toBe(1);
    const deployment = await sc.kube.get(`/apis/apps/v1/namespaces/${NS}/deployments/${SEED_SERVICE}`);
    expect(deployment && deploymentAvailable(deployment)).toBe(true);
    const image = (deployment?.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0].image;
    expect(image).toBe(`${recordedParameter(sc, "global.imageRegistry")}/${SEED_SERVICE}:${service.commits[0]}`);
    if (routeKind() === "HTTPRoute") {
      const route = await sc.kube.get(`/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/httproutes/${SEED_SERVICE}`);
      const parents = (route?.status as { parents: Array<{ controllerName: string; parentRef: { name: string; namespace: string } }> }).parents;
      expect(parents.map((p) => [p.controllerName, p.parentRef.namespace, p.parentRef.name])).toEqual([
        [ENVOY_GATEWAY_CONTROLLER, recordedParameter(sc, "global.gateway.namespace"), recordedParameter(sc, "global.gateway.name")],
      ]);
      expect(await sc.kube.get(`/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/${SEED_SERVICE}`)).toBeUndefined();
    } else {
      const ingress = await sc.kube.get(`/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/${SEED_SERVICE}`);
      expect((ingress?.status as { loadBalancer: { ingress: unknown[] } }).loadBalancer.ingress).toEqual([{ hostname: STAND_IN_LOAD_BALANCER }]);
    }
    const pods = await sc.kube.list<KubeObject>(`/api/v1/namespaces/${NS}/pods?labelSelector=app.kubernetes.io/component%3Dapp`);
    expect(pods.map((p) => (p.spec as { nodeName?: string }).nodeName).every((node) => typeof node === "string" && node.length > 0)).toBe(true);
  });

  describe("then removing the service's file prunes its resources", () => {
    let uids: Map<string, string>;

    beforeAll(async () => {
      const started = Date.now();
      uids = new Map();
      for (const p of [DATABASE, DATABASE_SECRET]) uids.set(p, (await sc.kube.get(p))?.metadata.uid ?? "");
      await removeEntry(sc.cluster.git, "staging", SEED_SERVICE);
      await sc.refreshServices();
      await waitForAppGone(sc, SEED_SERVICE, 240_000);
      await waitFor("the pruned resources to be gone", async () => ((await existing(sc, TRACKED)).length === 0 ? true : undefined), 60_000).catch(
        async (error: Error) => {
          throw new Error(`${error.message}; still there: ${(await existing(sc, TRACKED)).join(", ")}`);
        },
      );
      timings.removeToPrunedMs = Date.now() - started;
    }, 360_000);

    it("the staging Application carried Argo CD's resources finalizer, so deleting it prunes", () => {
      expect(app.metadata.finalizers).toEqual([RESOURCES_FINALIZER]);
    });

    it("deleted the Application and every resource it deployed", async () => {
      expect(await sc.cluster.argocd.application(SEED_SERVICE)).toBeUndefined();
      expect(await existing(sc, TRACKED)).toEqual([]);
    });

    it("kept the database and its connection Secret (the chart's Prune=false,Delete=false)", async () => {
      const database = await sc.kube.get(DATABASE);
      expect(database?.metadata.uid).toBe(uids.get(DATABASE));
      expect(database?.metadata.deletionTimestamp).toBeUndefined();
      expect((await sc.kube.get(DATABASE_SECRET))?.metadata.uid).toBe(uids.get(DATABASE_SECRET));
      expect(sc.standInErrors()).toEqual([]);
    });
  });
});
