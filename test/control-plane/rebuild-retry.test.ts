// Issue 19 on a real Argo CD: after a rebuild, services-root already lists a service whose chart
// uses a kind whose CRD a platform app installs later (here ServiceMonitor, which
// kube-prometheus-stack brings; the CRD is applied by the test, standing in for that chart).
//
// Time-scaled: Argo CD's retry semantics are what matter here (each failure counted, the
// operation given up for good at the limit, no new attempt after a refresh of the same revision,
// convergence at the next retry once the CRD exists), not minutes of real backoff. So four
// services of one team (services-root teams/<team>.json: its namespaces, AppProject and deployer)
// run side by side, each from its own copy of the recorded services ApplicationSet over its own
// services-root folder:
// - `services` as recorded (retry-example): its Application's operation carries the recorded retry exactly
//   (limit 20, 15 s doubling, at most 5 m) and converges at its next real retry;
// - without `retry`: its operation carries Argo CD's default (limit 5; 5 s doubling, 3 m: retry
//   n waits 5 s x 2^n, ~310 s in all), which it is not waited out;
// - `default-scaled` (limit 5, factor 2 as Argo CD's default) and `recorded-scaled` (limit 20,
//   factor 2 as recorded), both with SHORT_BACKOFF durations: the default gives up after 5 retries
//   and stays failed after a refresh while the recorded limit is still retrying, then converges.
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { teamProject } from "../../model/team";
import { recordedStack } from "../harness/stacks";
import { recordedChartRepository, servicesHandoff } from "./fixtures/argocd-config";
import {
  applyHandoff,
  ARGOCD_NAMESPACE,
  crdsIn,
  installCrds,
  LOCAL_REPOS,
  PLATFORM_CRDS,
  startHolodeckCluster,
  type Application,
  type HolodeckCluster,
  type KubeObject,
  waitFor,
} from "./harness";

const STACK = "staging-eu-west-1";
const SERVICE = "retry-example";
const TEAM = "retry";
const DOMAIN = "services";
/** The AppProject the teams ApplicationSet makes for the team. */
const TEAM_PROJECT = teamProject(TEAM);
/** Argo CD's retry when an Application sets none (controller/appcontroller.go: RetryStrategy{Limit: 5}; 5 s doubling, at most 3 m). */
const DEFAULT_RETRY_LIMIT = 5;
const DEFAULT_RETRY_FACTOR = 2;
/** The recorded services ApplicationSet's retry (stacks' program, bootstrap/handoff). */
const RECORDED_RETRY = { limit: 20, backoff: { duration: "15s", factor: 2, maxDuration: "5m" } };
/** The scaled copies' durations: retry n waits min(1 s x 2^n, 4 s), so 5 retries take ~18 s instead of ~310 s. */
const SHORT_BACKOFF = { duration: "1s", maxDuration: "4s" };

interface Retry {
  limit: number;
  backoff?: { duration: string; factor: number; maxDuration: string };
}

interface ServicesAppSet extends KubeObject {
  spec: {
    generators: { git: { files: { path: string }[] } }[];
    template: {
      metadata: { name: string };
      spec: { destination: { namespace: string }; syncPolicy: { retry?: Retry } };
    };
  };
}

/** The four services (= Application and namespace names); each but the first comes from a copy named after it. */
const APPS = {
  recorded: SERVICE,
  noRetry: "retry-none",
  defaultScaled: "retry-default-scaled",
  recordedScaled: "retry-recorded-scaled",
};

let cluster: HolodeckCluster;
let recordedAppSet: ServicesAppSet;
let servicesRootHead: string;
/** Each service repository's head (same tree, but the SHA differs when the commits straddle a second). */
const serviceHeads: Record<string, string> = {};

/** The service's chart: a ConfigMap and a ServiceMonitor (the kind whose CRD is missing at first). */
const SERVICE_CHART: Record<string, string> = {
  "helm/Chart.yaml": `apiVersion: v2\nname: ${SERVICE}\nversion: 0.1.0\n`,
  "helm/templates/configmap.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${SERVICE}\ndata:\n  environment: {{ .Values.global.environment | quote }}\n`,
  "helm/templates/servicemonitor.yaml": `apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: ${SERVICE}\nspec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${SERVICE}\n  endpoints:\n  - port: http\n`,
};

/** The ApplicationSet that generates service `service`'s Application: the recorded one, or its copy. */
const appSetOf = (service: string): string => (service === SERVICE ? "services" : `services-${service}`);

/** A copy of the recorded ApplicationSet over services-root folder `<service>/` (its one entry), with `retry` (none: unset). */
function copyOf(service: string, retry: Retry | undefined): ServicesAppSet {
  const copy = structuredClone(recordedAppSet);
  copy.metadata.name = appSetOf(service);
  copy.spec.generators[0].git.files = [{ path: `${service}/*.json` }];
  if (retry) copy.spec.template.spec.syncPolicy.retry = retry;
  else delete copy.spec.template.spec.syncPolicy.retry;
  return copy;
}

/** A services-root entry as `holodeck services deploy` writes it. */
const entry = (cluster: string, service: string, sha: string): string =>
  `${JSON.stringify({ cluster, service, team: TEAM, domain: DOMAIN, imageTag: sha, targetRevision: sha }, null, 2)}\n`;

beforeAll(async () => {
  cluster = await startHolodeckCluster({ stack: STACK, recording: recordedStack(STACK) });
  const { git } = cluster;
  // The same chart in each service's repository, one commit each.
  for (const service of Object.values(APPS)) {
    const serviceRepo = `${LOCAL_REPOS.servicePrefix}/${service}`;
    git.create(serviceRepo);
    git.write(serviceRepo, SERVICE_CHART);
    serviceHeads[service] = git.commit(serviceRepo, "service chart");
  }
  recordedAppSet = cluster.handoffObjects.find((o) => o.kind === "ApplicationSet" && o.metadata.name === "services") as ServicesAppSet;
  // services-root lists the team and its services before Argo CD sees them, as after a rebuild.
  const environmentDir = path.dirname(recordedAppSet.spec.generators[0].git.files[0].path);
  const team = { team: TEAM, ssoGroups: [`holodeck-team-${TEAM}`], domains: [DOMAIN], services: Object.values(APPS).map((name) => ({ name, domain: DOMAIN })) };
  git.write(LOCAL_REPOS.servicesRoot, {
    [`teams/${TEAM}.json`]: `${JSON.stringify(team, null, 2)}\n`,
    [`${environmentDir}/${SERVICE}.json`]: entry(environmentDir, SERVICE, serviceHeads[SERVICE]),
    ...Object.fromEntries(
      [APPS.noRetry, APPS.defaultScaled, APPS.recordedScaled].map((service) => [
        `${service}/${service}.json`,
        entry(environmentDir, service, serviceHeads[service]),
      ]),
    ),
  });
  servicesRootHead = git.commit(LOCAL_REPOS.servicesRoot, `team ${TEAM}, deploy its services`);
  git.publishByHand(LOCAL_REPOS.servicesRoot);
  // The handoff without the platform root Application (the platform apps are not what this is
  // about); the teams ApplicationSet with the repository URLs inside its Helm values rewritten too.
  const isTeams = (o: KubeObject): boolean => o.kind === "ApplicationSet" && o.metadata.name === "teams";
  const isServices = (o: KubeObject): boolean => o.kind === "ApplicationSet" && o.metadata.name === "services";
  // The AlertmanagerConfig kind a team's chart may render (not the ServiceMonitor this is about).
  await installCrds(
    cluster.plane,
    crdsIn([path.join(PLATFORM_CRDS, "prometheus-operator")]).filter((c) => c.metadata.name === "alertmanagerconfigs.monitoring.coreos.com"),
  );
  await applyHandoff(cluster, (o) => o.kind !== "Application" && !isTeams(o) && !isServices(o));
  await cluster.plane.kubectl.apply(servicesHandoff(cluster, recordedChartRepository(cluster)).filter(isTeams));
  // The services ApplicationSets once the team's AppProject exists: before it, their first
  // generation fails on the unknown project and waits out a 3-minute requeue, which is generation,
  // not the retry semantics this is about.
  await waitFor(`AppProject ${TEAM_PROJECT}`, () => cluster.plane.kubectl.get("appproject", TEAM_PROJECT, ARGOCD_NAMESPACE), 180_000);
  await cluster.plane.kubectl.apply([
    recordedAppSet,
    copyOf(APPS.noRetry, undefined),
    copyOf(APPS.defaultScaled, { limit: DEFAULT_RETRY_LIMIT, backoff: { ...SHORT_BACKOFF, factor: DEFAULT_RETRY_FACTOR } }),
    copyOf(APPS.recordedScaled, { limit: RECORDED_RETRY.limit, backoff: { ...SHORT_BACKOFF, factor: RECORDED_RETRY.backoff.factor } }),
  ]);
}, 600_000);

afterAll(async () => {
  await cluster?.stop();
});

const phase = (a: Application): string | undefined => a.status?.operationState?.phase;
const retryCount = (a: Application | undefined): number => a?.status?.operationState?.retryCount ?? 0;
/** The retry strategy the application controller put on the Application's current operation. */
const operationRetry = (a: Application): unknown => (a.status?.operationState?.operation as { retry?: unknown } | undefined)?.retry;
const missingKind = /monitoring\.coreos\.com|ServiceMonitor/;
const failedOnMissingKind = (a: Application): boolean => missingKind.test(a.status?.operationState?.message ?? "");
const convergedAt =
  (revision: string) =>
  (a: Application): boolean =>
    // Synced and Healthy can show while the operation still runs (phase Running): wait for its end too.
    a.status?.sync?.status === "Synced" && a.status.sync.revision === revision && a.status.health?.status === "Healthy" && phase(a) === "Succeeded";

describe("services converge after a rebuild whose CRDs come late (issue 19)", () => {
  it("the recorded services ApplicationSet retries 20 times, 15 s doubling to at most 5 m", () => {
    expect(recordedAppSet.spec.template.spec.syncPolicy.retry).toEqual(RECORDED_RETRY);
  });

  it("Argo CD takes the recorded retry, or its default of 5 retries when none is set, for the automated sync", async () => {
    const { argocd } = cluster;
    // Should a generation still fail, the ApplicationSet is asked again as a push's webhook would,
    // instead of waiting out its 3-minute requeue.
    const recorded = await argocd.waitForApplication(
      APPS.recorded,
      "to fail its first sync on the missing kind",
      failedOnMissingKind,
      180_000,
      appSetOf(APPS.recorded),
    );
    expect(recorded.status?.operationState?.operation?.initiatedBy?.automated).toBe(true);
    expect(operationRetry(recorded)).toEqual(RECORDED_RETRY);
    const noRetry = await argocd.waitForApplication(
      APPS.noRetry,
      "to fail its first sync on the missing kind",
      failedOnMissingKind,
      180_000,
      appSetOf(APPS.noRetry),
    );
    expect(operationRetry(noRetry)).toEqual({ limit: DEFAULT_RETRY_LIMIT });
    expect(noRetry.status?.operationState?.message).toMatch(/Retrying attempt #1 at /);
  });

  it("the default limit gives up for good, the recorded limit keeps retrying and converges once the CRD exists, without a commit or a manual sync", async () => {
    const { argocd } = cluster;
    const gaveUp = await argocd.waitForApplication(
      APPS.defaultScaled,
      `to exhaust ${DEFAULT_RETRY_LIMIT} retries`,
      (a) => phase(a) === "Failed" && retryCount(a) === DEFAULT_RETRY_LIMIT,
      240_000,
      appSetOf(APPS.defaultScaled),
    );
    expect(gaveUp.status?.operationState?.message).toMatch(missingKind);
    expect(gaveUp.status?.operationState?.message).toContain(`(retried ${DEFAULT_RETRY_LIMIT} times)`);

    // With the same durations, the recorded limit retries past the default's and is still retrying.
    const stillTrying = await argocd.waitForApplication(
      APPS.recordedScaled,
      `to retry more than ${DEFAULT_RETRY_LIMIT} times`,
      (a) => retryCount(a) > DEFAULT_RETRY_LIMIT,
      180_000,
      appSetOf(APPS.recordedScaled),
    );
    expect(stillTrying.status?.sync?.status).toBe("OutOfSync");
    expect(phase(stillTrying)).toBe("Running");
    expect(retryCount(stillTrying)).toBeLessThan(RECORDED_RETRY.limit);

    // The platform installs the CRD (stand-in: the prometheus-operator CRD kube-prometheus-stack ships).
    await installCrds(
      cluster.plane,
      crdsIn([path.join(PLATFORM_CRDS, "prometheus-operator")]).filter((c) => c.metadata.name === "servicemonitors.monitoring.coreos.com"),
    );

    for (const name of [APPS.recordedScaled, APPS.recorded]) {
      // The recorded one at its real next retry: 30 s after its first failure, or 60 s after the second.
      // (Once synced, self-heal may run another automated operation: its retryCount starts again at 0.)
      const converged = await argocd.waitForApplication(name, "to converge to Synced and Healthy", convergedAt(serviceHeads[name]), 240_000);
      expect(converged.status?.operationState?.operation?.initiatedBy?.automated, name).toBe(true);
      const namespace = converged.spec.destination.namespace ?? "";
      expect((await cluster.plane.kubectl.get("servicemonitors.monitoring.coreos.com", SERVICE, namespace))?.metadata.name, name).toBe(SERVICE);
    }
    expect(cluster.git.head(LOCAL_REPOS.servicesRoot)).toBe(servicesRootHead);

    // The given-up copy stays failed even after a refresh: same revision, failed before, no new attempt.
    await argocd.refreshApplication(APPS.defaultScaled, "hard");
    const stuck = await argocd.waitForApplication(
      APPS.defaultScaled,
      "to be refreshed",
      (a) => a.metadata.annotations?.["argocd.argoproj.io/refresh"] === undefined,
      60_000,
    );
    expect(stuck.status?.sync?.status).toBe("OutOfSync");
    expect(phase(stuck)).toBe("Failed");
    expect(retryCount(stuck)).toBe(DEFAULT_RETRY_LIMIT);
    expect(stuck.status?.conditions?.find((c) => c.type === "SyncError")?.message).toContain("Failed last sync attempt");
  }, 600_000);
});
