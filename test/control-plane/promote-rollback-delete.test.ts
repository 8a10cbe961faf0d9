// Promote, rollback and delete on real control planes (issue 13, scenario 3). Staging and
// production are separate clusters, as in the platform: each stack's cluster runs its own
// `services` ApplicationSet (recorded by its stack's program) over its own services-root.
// - staging: removing the service's file prunes what the Application deployed (the
//   ApplicationSet has preserveResourcesOnDeletion false), except the database, which the
//   chart marks Delete=false;
// - production: `holodeck services promote` creates the Application at staging's commit, a
//   second promote moves it, `rollback` returns it to the earlier commit, and removing the
//   file deletes the Application but keeps every resource (preserveResourcesOnDeletion).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OciRegistry } from "../chart/oci-registry";
import {
  commitValuesChange,
  deploy,
  generateService,
  promote,
  publishChart,
  removeEntry,
  rollback,
  SEED_SERVICE,
  type ServiceRepo,
} from "./fixtures/service-repos";
import { recordedParameter, startServiceCluster, syncedHealthy, waitForApp, waitForAppGone, type ServiceCluster } from "./fixtures/story";
import { deploymentAvailable } from "./fixtures/timeline";
import { waitFor, type Application } from "./harness";
import type { KubeObject } from "./stand-ins/kube-rest";

const NS = SEED_SERVICE;
const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";
const SYNC_TIMEOUT_MS = 240_000;
const timings: Record<string, number> = {};

/** What the chart deploys for the seed's service and Argo CD tracks (API path below the namespace). */
const TRACKED = [
  `/apis/apps/v1/namespaces/${NS}/deployments/${SEED_SERVICE}`,
  `/apis/apps/v1/namespaces/${NS}/deployments/${SEED_SERVICE}-redis`,
  `/api/v1/namespaces/${NS}/services/${SEED_SERVICE}`,
  `/api/v1/namespaces/${NS}/serviceaccounts/${SEED_SERVICE}`,
  `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/httproutes/${SEED_SERVICE}`,
  `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/${SEED_SERVICE}-default-deny`,
  `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/${SEED_SERVICE}`,
  `/apis/external-secrets.io/v1/namespaces/${NS}/externalsecrets/${SEED_SERVICE}-vault`,
  `/apis/monitoring.coreos.com/v1/namespaces/${NS}/servicemonitors/${SEED_SERVICE}`,
  `/apis/monitoring.coreos.com/v1/namespaces/${NS}/prometheusrules/${SEED_SERVICE}`,
  `/api/v1/namespaces/${NS}/configmaps/${SEED_SERVICE}-dashboard`,
];
const DATABASE = `/apis/platform.holodeck.dev/v1alpha1/namespaces/${NS}/postgresinstances/${SEED_SERVICE}`;
const DATABASE_SECRET = `/api/v1/namespaces/${NS}/secrets/${SEED_SERVICE}-postgres`;

async function existing(sc: ServiceCluster, paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const p of paths) if (await sc.kube.get(p)) found.push(p);
  return found;
}

/** The app container's image and env names of the running Deployment. */
async function appContainer(sc: ServiceCluster): Promise<{ image: string; env: string[] }> {
  const deployment = await sc.kube.get(TRACKED[0]);
  const container = (deployment?.spec as { template: { spec: { containers: Array<{ image: string; env?: Array<{ name: string }> }> } } }).template.spec
    .containers[0];
  return { image: container.image, env: (container.env ?? []).map((e) => e.name) };
}

let registry: OciRegistry;
beforeAll(async () => {
  registry = await publishChart();
});
afterAll(async () => {
  await registry?.close();
  console.log(`promote/rollback/delete timings (ms): ${JSON.stringify(timings)}`);
});

describe("staging: removing the service's file prunes its resources", () => {
  let sc: ServiceCluster;
  let service: ServiceRepo;
  let uids: Map<string, string>;
  let deployed: Application;

  beforeAll(async () => {
    const started = Date.now();
    sc = await startServiceCluster("staging-eu-west-1", registry);
    service = generateService(sc.cluster.git, registry.host);
    await deploy(sc.cluster.git, "staging", SEED_SERVICE, service.commits[0]);
    await sc.refreshServices();
    deployed = await waitForApp(sc, SEED_SERVICE, `Synced and Healthy at ${service.commits[0]}`, syncedHealthy(service.commits[0]), SYNC_TIMEOUT_MS);
    uids = new Map();
    for (const p of [DATABASE, DATABASE_SECRET]) uids.set(p, (await sc.kube.get(p))?.metadata.uid ?? "");
    removeEntry(sc.cluster.git, "staging", SEED_SERVICE);
    await sc.refreshServices();
    await waitForAppGone(sc, SEED_SERVICE, SYNC_TIMEOUT_MS);
    await waitFor("the pruned resources to be gone", async () => ((await existing(sc, TRACKED)).length === 0 ? true : undefined), 60_000).catch(
      async (error: Error) => {
        throw new Error(`${error.message}; still there: ${(await existing(sc, TRACKED)).join(", ")}`);
      },
    );
    timings.stagingMs = Date.now() - started;
  }, 480_000);

  afterAll(async () => {
    await sc?.stop();
  });

  it("generated the staging Application with Argo CD's resources finalizer, so deleting it prunes", () => {
    expect(deployed.metadata.finalizers).toEqual([RESOURCES_FINALIZER]);
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

describe("production: promote, promote again, rollback, remove", () => {
  let sc: ServiceCluster;
  let service: ServiceRepo;
  const apps: Record<string, Application> = {};
  const containers: Record<string, { image: string; env: string[] }> = {};
  let imageRegistry: string;
  let kept: Map<string, string>;
  let afterRemoval: Map<string, KubeObject | undefined>;

  beforeAll(async () => {
    const started = Date.now();
    sc = await startServiceCluster("production-eu-west-1", registry);
    imageRegistry = recordedParameter(sc, "global.imageRegistry");
    service = generateService(sc.cluster.git, registry.host);
    const [first] = service.commits;
    await deploy(sc.cluster.git, "staging", SEED_SERVICE, first);
    await promote(sc.cluster.git, SEED_SERVICE, first);
    await sc.refreshServices();
    apps.promoted = await waitForApp(sc, SEED_SERVICE, `Synced and Healthy at ${first}`, syncedHealthy(first), SYNC_TIMEOUT_MS);
    containers.promoted = await appContainer(sc);

    const second = commitValuesChange(
      sc.cluster.git,
      service,
      (v) => v.replace("envVars: {}", 'envVars:\n    FEATURE_X:\n      value: "on"'),
      "turn FEATURE_X on",
    );
    await deploy(sc.cluster.git, "staging", SEED_SERVICE, second);
    await promote(sc.cluster.git, SEED_SERVICE, second);
    await sc.refreshServices();
    apps.promotedAgain = await waitForApp(sc, SEED_SERVICE, `Synced and Healthy at ${second}`, syncedHealthy(second), SYNC_TIMEOUT_MS);
    containers.promotedAgain = await appContainer(sc);

    await rollback(sc.cluster.git, "production", SEED_SERVICE);
    await sc.refreshServices();
    apps.rolledBack = await waitForApp(sc, SEED_SERVICE, `rolled back, Synced and Healthy at ${first}`, syncedHealthy(first), SYNC_TIMEOUT_MS);
    await waitFor(
      "the rolled-back Deployment to be available",
      async () => {
        const d = await sc.kube.get(TRACKED[0]);
        return d && deploymentAvailable(d) ? true : undefined;
      },
      60_000,
    );
    containers.rolledBack = await appContainer(sc);

    kept = new Map();
    for (const p of TRACKED) kept.set(p, (await sc.kube.get(p))?.metadata.uid ?? "");
    removeEntry(sc.cluster.git, "production", SEED_SERVICE);
    await sc.refreshServices();
    await waitForAppGone(sc, SEED_SERVICE, SYNC_TIMEOUT_MS);
    // Give the garbage collector and Argo CD time to act, were anything to cascade.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    afterRemoval = new Map();
    for (const p of TRACKED) afterRemoval.set(p, await sc.kube.get(p));
    timings.productionMs = Date.now() - started;
  }, 600_000);

  afterAll(async () => {
    await sc?.stop();
  });

  it("promote created the production Application from the production ApplicationSet at staging's commit", () => {
    const app = apps.promoted;
    expect(app.metadata.labels).toEqual({ "holodeck.dev/service": SEED_SERVICE, "holodeck.dev/cluster": "production" });
    expect(app.spec.source?.targetRevision).toBe(service.commits[0]);
    expect(app.spec.source?.helm?.parameters?.find((p) => p.name === "global.environment")?.value).toBe("production");
    expect(app.status?.sync?.revision).toBe(service.commits[0]);
    expect(containers.promoted.image).toBe(`${imageRegistry}/${SEED_SERVICE}:${service.commits[0]}`);
    expect(containers.promoted.env).not.toContain("FEATURE_X");
  });

  it("generated the production Application without the resources finalizer, so deleting it cannot cascade", () => {
    // Argo CD's preserveResourcesOnDeletion only withholds the finalizer the controller would add;
    // a finalizer written in the ApplicationSet template is kept, and deleting the Application prunes.
    expect(apps.promoted.metadata.finalizers ?? []).toEqual([]);
  });

  it("a second promote moved production to the new commit", () => {
    expect(apps.promotedAgain.spec.source?.targetRevision).toBe(service.commits[1]);
    expect(apps.promotedAgain.status?.sync?.revision).toBe(service.commits[1]);
    expect(containers.promotedAgain.image).toBe(`${imageRegistry}/${SEED_SERVICE}:${service.commits[1]}`);
    expect(containers.promotedAgain.env).toContain("FEATURE_X");
  });

  it("rollback returned the Application's source and synced revision to the earlier commit", () => {
    expect(apps.rolledBack.spec.source?.targetRevision).toBe(service.commits[0]);
    expect(apps.rolledBack.status?.sync?.revision).toBe(service.commits[0]);
    expect(containers.rolledBack.image).toBe(`${imageRegistry}/${SEED_SERVICE}:${service.commits[0]}`);
    expect(containers.rolledBack.env).not.toContain("FEATURE_X");
  });

  it("removing the production file deleted the Application but kept every resource (preserveResourcesOnDeletion)", async () => {
    expect(await sc.cluster.argocd.application(SEED_SERVICE)).toBeUndefined();
    for (const p of TRACKED) {
      const object = afterRemoval.get(p);
      expect(object?.metadata.uid, p).toBe(kept.get(p));
      expect(object?.metadata.deletionTimestamp, p).toBeUndefined();
    }
    const deployment = await sc.kube.get(TRACKED[0]);
    expect(deployment && deploymentAvailable(deployment)).toBe(true);
    expect(sc.standInErrors()).toEqual([]);
  });
});
