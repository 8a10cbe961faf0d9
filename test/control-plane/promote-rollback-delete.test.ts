// Promote, rollback and delete on production on a real control plane (issue 13, scenario 3;
// the staging delete ends developer-story.test.ts: staging and production are separate
// clusters, as in the platform, each running its own stack's `services` ApplicationSet over its
// own services-root): `holodeck services promote` creates the production Application at
// staging's commit, a second promote moves it, `rollback` returns it to the earlier commit, and
// removing the file deletes the Application but keeps every resource (preserveResourcesOnDeletion).
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
import {
  recordedParameter,
  SEED_TEAM,
  seedApplicationLabels,
  startServiceCluster,
  syncedHealthy,
  waitForApp,
  waitForAppGone,
  type ServiceCluster,
} from "./fixtures/story";
import { deploymentAvailable } from "./fixtures/timeline";
import { appContainer, TRACKED } from "./fixtures/tracked";
import { waitFor, type Application } from "./harness";
import type { KubeObject } from "./stand-ins/kube-rest";

const SYNC_TIMEOUT_MS = 240_000;
const timings: Record<string, number> = {};

let registry: OciRegistry;
beforeAll(async () => {
  registry = await publishChart();
});
afterAll(async () => {
  await registry?.close();
  console.log(`production promote/rollback/delete timings (ms): ${JSON.stringify(timings)}`);
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
    timings.controlPlaneMs = Date.now() - started;
    imageRegistry = recordedParameter(sc, "global.imageRegistry");
    service = generateService(sc.cluster.git, registry.host);
    const [first] = service.commits;
    await deploy(sc.cluster.git, "staging", SEED_SERVICE, first);
    await promote(sc.cluster.git, SEED_SERVICE, first);
    await sc.refreshServices();
    apps.promoted = await waitForApp(sc, SEED_SERVICE, `Synced and Healthy at ${first}`, syncedHealthy(first), SYNC_TIMEOUT_MS);
    containers.promoted = await appContainer(sc);
    timings.promotedMs = Date.now() - started;

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
    timings.promotedAgainMs = Date.now() - started;

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
    timings.rolledBackMs = Date.now() - started;

    kept = new Map();
    for (const p of TRACKED) kept.set(p, (await sc.kube.get(p))?.metadata.uid ?? "");
    await removeEntry(sc.cluster.git, "production", SEED_SERVICE);
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
    expect(app.metadata.labels).toEqual(seedApplicationLabels("production"));
    expect(app.spec.project).toBe(`team-${SEED_TEAM.team}`);
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
