// Workers, CronJobs, Redis and secret rollout as they behave on a real cluster (issues 15, 16):
// liveness (and readiness where a port exists) on workers, PDBs for replicated workers,
// startingDeadlineSeconds on CronJobs, Redis by digest with a password generated once by
// External Secrets, REDIS_URL carrying it, Reloader on the Deployments that read Secrets, and
// HPAs on resource metrics only (what metrics-server serves).
import { beforeAll, describe, expect, it } from "vitest";
import { findObject, type K8sObject } from "../harness/helm";
import { ALL_ON, REDIS_DIGEST } from "./cases";
import { SERVICE, at, container, names, podSpec, renderMinimal } from "./render";

const WORKERS = {
  consumer: { command: ["faststream", "run", "app:app"], replicas: 2, healthPort: 8081 },
  scheduler: { command: ["python", "-m", "scheduler"], livenessCommand: ["python", "-m", "scheduler.alive"] },
};
const RELOADER = "reloader.stakater.com/auto";

let objects: K8sObject[];
const get = (kind: string, name = SERVICE): K8sObject => findObject(objects, kind, name);

beforeAll(() => {
  objects = renderMinimal({
    "redis.enabled": true,
    workers: WORKERS,
    cronJobs: { nightly: { schedule: "@daily", command: ["python", "-m", "report"] } },
  });
});

describe("workers", () => {
  it("with healthPort: HTTP liveness and readiness on it, from the probes' paths and timings", () => {
    const worker = container(get("Deployment", `${SERVICE}-consumer`));
    expect(worker.ports).toEqual([{ name: "health", containerPort: 8081, protocol: "TCP" }]);
    expect(worker.livenessProbe).toEqual({ httpGet: { path: "/livez", port: "health" }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 });
    expect(worker.readinessProbe).toEqual({ httpGet: { path: "/readyz", port: "health" }, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 2 });
  });

  it("with livenessCommand: an exec liveness probe and no port", () => {
    const worker = container(get("Deployment", `${SERVICE}-scheduler`));
    expect(worker.livenessProbe).toEqual({ exec: { command: ["python", "-m", "scheduler.alive"] }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 });
    expect(worker.ports).toBeUndefined();
    expect(worker.readinessProbe).toBeUndefined();
  });

  it("gets a PodDisruptionBudget only with more than one replica", () => {
    expect(names(objects.filter((o) => o.kind === "PodDisruptionBudget"))).toEqual([
      `PodDisruptionBudget/${SERVICE}`,
      `PodDisruptionBudget/${SERVICE}-consumer`,
    ]);
    expect(at(get("PodDisruptionBudget", `${SERVICE}-consumer`), "spec")).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/instance": SERVICE, "app.kubernetes.io/component": "worker-consumer" } },
    });
    const noPdb = renderMinimal({ workers: WORKERS, "pdb.enabled": false });
    expect(noPdb.filter((o) => o.kind === "PodDisruptionBudget")).toEqual([]);
  });

  it("refuses a worker with neither healthPort nor livenessCommand, naming it", () => {
    expect(() => renderMinimal({ workers: { consumer: { command: ["faststream", "run", "app:app"] } } })).toThrow(
      "holodeck-service: workers.consumer needs healthPort (HTTP liveness /livez and readiness /readyz on that port) or livenessCommand (an exec liveness probe, e.g. a heartbeat-file check); a stuck worker is otherwise never restarted",
    );
  });
});

describe("CronJobs", () => {
  it("skip a run not started within 300 s by default", () => {
    expect(at(get("CronJob", `${SERVICE}-nightly`), "spec.startingDeadlineSeconds")).toBe(300);
  });
});

describe("Redis", () => {
  it("runs the digest-pinned image as a non-root high UID with its generated configuration", () => {
    const redis = get("Deployment", `${SERVICE}-redis`);
    expect(container(redis).image).toBe(`public.ecr.aws/docker/library/redis:7.4.2-alpine@${REDIS_DIGEST}`);
    expect(podSpec(redis).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container(redis).args?.slice(0, 2)).toEqual(["redis-server", "/etc/redis/redis.conf"]);
    expect(podSpec(redis).volumes?.find((v) => v.name === "config")).toEqual({
      name: "config",
      secret: { secretName: `${SERVICE}-redis-auth`, items: [{ key: "redis.conf", path: "redis.conf" }], defaultMode: 0o440 },
    });
    expect(container(redis).env).toEqual([{ name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: `${SERVICE}-redis-auth`, key: "password" } } }]);
    expect(container(redis).readinessProbe?.exec?.command).toEqual(["sh", "-c", "redis-cli ping | grep -q PONG"]);
  });

  it("gets its password from an External Secrets Password generator, created once (works under helm template)", () => {
    expect(at(get("Password", `${SERVICE}-redis-auth`), "spec")).toEqual({ length: 32, digits: 8, symbols: 0, noUpper: false, allowRepeat: true });
    expect(at(get("ExternalSecret", `${SERVICE}-redis-auth`), "spec")).toEqual({
      refreshPolicy: "CreatedOnce",
      dataFrom: [{ sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "Password", name: `${SERVICE}-redis-auth` } } }],
      target: {
        name: `${SERVICE}-redis-auth`,
        creationPolicy: "Owner",
        template: { engineVersion: "v2", data: { password: "{{ .password }}", "redis.conf": "requirepass {{ .password }}\n" } },
      },
    });
    // Rendering twice gives the same objects: nothing random in the chart, no drift in Argo CD.
    const again = renderMinimal({ "redis.enabled": true });
    expect(findObject(again, "ExternalSecret", `${SERVICE}-redis-auth`)).toEqual(get("ExternalSecret", `${SERVICE}-redis-auth`));
  });

  it("refuses an image without a digest (schema)", () => {
    expect(() =>
      renderMinimal({ "redis.enabled": true, "redis.image": { repository: "public.ecr.aws/docker/library/redis", tag: "7.4.2-alpine", digest: null } }),
    ).toThrow(/missing property 'digest'/);
    expect(() => renderMinimal({ "redis.image.digest": "7.4.2-alpine" })).toThrow(/redis\/image\/digest/);
    expect(() => renderMinimal({ "redis.runAsUser": 999 })).toThrow(/redis\/runAsUser/);
  });
});

describe("secret rollout (Reloader)", () => {
  it("annotates every Deployment whose pods read a Secret, and no CronJob (it would run out of schedule)", () => {
    const annotated = objects.filter((o) => o.metadata.annotations?.[RELOADER] === "true");
    expect(names(annotated)).toEqual([
      `Deployment/${SERVICE}`,
      `Deployment/${SERVICE}-consumer`,
      `Deployment/${SERVICE}-redis`,
      `Deployment/${SERVICE}-scheduler`,
    ]);
    expect(get("CronJob", `${SERVICE}-nightly`).metadata.annotations?.[RELOADER]).toBeUndefined();
  });

  it("leaves a Deployment that reads no Secret alone", () => {
    expect(findObject(renderMinimal(), "Deployment", SERVICE).metadata.annotations?.[RELOADER]).toBeUndefined();
  });
});

describe("HorizontalPodAutoscaler", () => {
  it("scales on resource metrics only (served by metrics-server)", () => {
    const hpa = findObject(renderMinimal(ALL_ON), "HorizontalPodAutoscaler", SERVICE);
    const metrics = at(hpa, "spec.metrics") as Array<{ type: string }>;
    expect(metrics.map((m) => m.type)).toEqual(["Resource"]);
  });
});
