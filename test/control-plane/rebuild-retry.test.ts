// Issue 19 on a real Argo CD: after a rebuild, services-root already lists a service whose chart
// uses a kind whose CRD a platform app installs later (here ServiceMonitor, which
// kube-prometheus-stack brings; the CRD is applied by the test, standing in for that chart).
// A copy of the services ApplicationSet without `retry` shows Argo CD's default (5 retries,
// 5 s doubling from 10 s, ~310 s) giving up for good; the recorded services ApplicationSet (its retry as
// the stack records it) keeps retrying and converges to Synced/Healthy once the CRD exists,
// without a commit or a manual sync.
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordedStack } from "../harness/stacks";
import {
  applyHandoff,
  crdsIn,
  installCrds,
  LOCAL_REPOS,
  PLATFORM_CRDS,
  startHolodeckCluster,
  type Application,
  type HolodeckCluster,
  type KubeObject,
} from "./harness";

const STACK = "staging-eu-west-1";
const SERVICE = "retry-example";
/**
 * Argo CD's retry when an Application sets none (controller/appcontroller.go: RetryStrategy{Limit: 5};
 * 5 s doubling, at most 3 min). Retry n waits duration x factor^n (measured here: 10, 20, 40, 80,
 * 160 s), so the default gives up about 310 s after the first failure.
 */
const DEFAULT_RETRY_LIMIT = 5;
const DEFAULT_RETRY_WINDOW_S = [1, 2, 3, 4, 5].reduce((total, n) => total + 5 * 2 ** n, 0);

interface ServicesAppSet extends KubeObject {
  spec: {
    generators: { git: { files: { path: string }[] } }[];
    template: {
      metadata: { name: string };
      spec: {
        destination: { namespace: string };
        syncPolicy: { retry?: { limit: number; backoff: { duration: string; factor: number; maxDuration: string } } };
      };
    };
  };
}

let cluster: HolodeckCluster;
let recordedAppSet: ServicesAppSet;
let servicesRootHead: string;
let serviceHead: string;

/** The service's chart: a ConfigMap and a ServiceMonitor (the kind whose CRD is missing at first). */
const SERVICE_CHART: Record<string, string> = {
  "helm/Chart.yaml": `apiVersion: v2\nname: ${SERVICE}\nversion: 0.1.0\n`,
  "helm/templates/configmap.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${SERVICE}\ndata:\n  environment: {{ .Values.global.environment | quote }}\n`,
  "helm/templates/servicemonitor.yaml": `apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: ${SERVICE}\nspec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${SERVICE}\n  endpoints:\n  - port: http\n`,
};

beforeAll(async () => {
  cluster = await startHolodeckCluster({ stack: STACK, recording: recordedStack(STACK) });
  const { git } = cluster;
  const serviceRepo = `${LOCAL_REPOS.servicePrefix}/${SERVICE}`;
  git.create(serviceRepo);
  git.write(serviceRepo, SERVICE_CHART);
  serviceHead = git.commit(serviceRepo, "service chart");
  recordedAppSet = cluster.handoffObjects.find((o) => o.kind === "ApplicationSet" && o.metadata.name === "services") as ServicesAppSet;
  // services-root lists the service before Argo CD sees it, as after a rebuild.
  const environmentDir = path.dirname(recordedAppSet.spec.generators[0].git.files[0].path);
  git.write(LOCAL_REPOS.servicesRoot, {
    [`${environmentDir}/${SERVICE}.json`]: JSON.stringify(
      { cluster: environmentDir, service: SERVICE, imageTag: serviceHead, targetRevision: serviceHead },
      null,
      2,
    ),
  });
  servicesRootHead = git.commit(LOCAL_REPOS.servicesRoot, `deploy ${SERVICE}`);
  // The handoff without the platform root Application (the platform apps are not what this is about).
  await applyHandoff(cluster, (o) => o.kind !== "Application");
  const withoutRetry = structuredClone(recordedAppSet);
  withoutRetry.metadata.name = "services-default-retry";
  withoutRetry.spec.template.metadata.name = `default-retry-{{.service}}`;
  withoutRetry.spec.template.spec.destination.namespace = `default-retry-{{.service}}`;
  delete withoutRetry.spec.template.spec.syncPolicy.retry;
  await cluster.plane.kubectl.apply([withoutRetry]);
}, 600_000);

afterAll(async () => {
  await cluster?.stop();
});

const phase = (a: Application): string | undefined => a.status?.operationState?.phase;
const missingKind = /monitoring\.coreos\.com|ServiceMonitor/;

describe("services converge after a rebuild whose CRDs come late (issue 19)", () => {
  it("Argo CD's default gives up after 5 retries; the recorded retry keeps trying and syncs once the CRD exists, without a commit or a manual sync", async () => {
    const { argocd } = cluster;
    const retry = recordedAppSet.spec.template.spec.syncPolicy.retry;
    expect(retry).toEqual({ limit: 20, backoff: { duration: "15s", factor: 2, maxDuration: "5m" } });

    // Both fail first: the kind does not exist.
    const firstFailure = await argocd.waitForApplication(
      SERVICE,
      "to fail its first sync on the missing kind",
      (a) => missingKind.test(a.status?.operationState?.message ?? ""),
      180_000,
    );
    expect(firstFailure.status?.operationState?.operation?.initiatedBy?.automated).toBe(true);

    // The default: 5 retries (~155 s), then "will not retry" for this revision.
    const gaveUp = await argocd.waitForApplication(
      `default-retry-${SERVICE}`,
      "to exhaust Argo CD's default retries",
      (a) => phase(a) === "Failed" && a.status?.operationState?.retryCount === DEFAULT_RETRY_LIMIT,
      (DEFAULT_RETRY_WINDOW_S + 240) * 1000,
    );
    expect(gaveUp.status?.operationState?.message).toMatch(missingKind);
    expect(gaveUp.status?.operationState?.message).toContain(`(retried ${DEFAULT_RETRY_LIMIT} times)`);

    // Later than the default window: the recorded policy is still retrying.
    const stillTrying = await argocd.application(SERVICE);
    expect(stillTrying?.status?.sync?.status).toBe("OutOfSync");
    expect(stillTrying?.status?.operationState?.retryCount ?? 0).toBeGreaterThanOrEqual(3);
    expect(stillTrying?.status?.operationState?.retryCount ?? 0).toBeLessThan(retry?.limit ?? 0);

    // The platform installs the CRD (stand-in: the prometheus-operator CRD kube-prometheus-stack ships).
    await installCrds(
      cluster.plane,
      crdsIn([path.join(PLATFORM_CRDS, "prometheus-operator")]).filter((c) => c.metadata.name === "servicemonitors.monitoring.coreos.com"),
    );

    const converged = await argocd.waitForApplication(
      SERVICE,
      "to converge to Synced and Healthy, its sync operation Succeeded",
      // Synced and Healthy can show while the operation still runs (phase Running): wait for its end too.
      (a) => a.status?.sync?.status === "Synced" && a.status?.health?.status === "Healthy" && phase(a) === "Succeeded",
      600_000,
    );
    expect(phase(converged)).toBe("Succeeded");
    expect(converged.status?.operationState?.operation?.initiatedBy?.automated).toBe(true);
    expect(converged.status?.sync?.revision).toBe(serviceHead);
    expect(cluster.git.head(LOCAL_REPOS.servicesRoot)).toBe(servicesRootHead);
    expect((await cluster.plane.kubectl.get("servicemonitors.monitoring.coreos.com", SERVICE, SERVICE))?.metadata.name).toBe(SERVICE);

    // The default-retry copy stays stuck even after a refresh: same revision, failed before, no new attempt.
    await cluster.plane.kubectl.ok([
      "annotate",
      "--overwrite",
      "-n",
      "argocd",
      `applications.argoproj.io/default-retry-${SERVICE}`,
      "argocd.argoproj.io/refresh=hard",
    ]);
    const stuck = await argocd.waitForApplication(
      `default-retry-${SERVICE}`,
      "to be refreshed",
      (a) => a.metadata.annotations?.["argocd.argoproj.io/refresh"] === undefined,
      60_000,
    );
    expect(stuck.status?.sync?.status).toBe("OutOfSync");
    expect(phase(stuck)).toBe("Failed");
    expect(stuck.status?.operationState?.retryCount).toBe(DEFAULT_RETRY_LIMIT);
    expect(stuck.status?.conditions?.find((c) => c.type === "SyncError")?.message).toContain("Failed last sync attempt");
  }, 1_500_000);
});
