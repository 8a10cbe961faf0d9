// Every tunable value reaches the manifest it is meant for (one render with each value
// moved off its default); the on/off switches are in options.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { findObject, type K8sObject } from "../harness/helm";
import { SERVICE, at, container, envOf, podSpec, renderMinimal } from "./render";
import { REDIS_DIGEST, TUNED } from "./cases";

let objects: K8sObject[];
const get = (kind: string, name = SERVICE): K8sObject => findObject(objects, kind, name);

beforeAll(() => {
  objects = renderMinimal(TUNED);
});

describe("tuned values", () => {
  it("shape the app container", () => {
    const app = get("Deployment");
    expect(at(app, "spec.replicas")).toBe(4);
    expect(container(app)).toMatchObject({
      command: ["uvicorn"],
      args: ["app:app", "--port", "8000"],
      imagePullPolicy: "Always",
      resources: {
        requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "256Mi" },
        limits: { cpu: 2, memory: "1Gi", "ephemeral-storage": "1Gi" },
      },
      ports: [
        { name: "http", containerPort: 8000, protocol: "TCP" },
        { name: "metrics", containerPort: 9100, protocol: "TCP" },
      ],
      readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 7, failureThreshold: 2 },
    });
    expect(podSpec(app).securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 2000, fsGroup: 3000 });
    expect(podSpec(app).topologySpreadConstraints?.[0].whenUnsatisfiable).toBe("DoNotSchedule");
    const env = envOf(app);
    expect([env.get("PORT")?.value, env.get("METRICS_PORT")?.value, env.get("OTEL_TRACES_SAMPLER_ARG")?.value]).toEqual(["8000", "9100", "0.1"]);
  });

  it("keep the platform's ingress annotations over the developer's", () => {
    expect(get("Ingress").metadata.annotations).toMatchObject({
      "nginx.ingress.kubernetes.io/proxy-body-size": "10m",
      "nginx.ingress.kubernetes.io/ssl-redirect": "true",
    });
  });

  it("reach the ExternalSecret, the migration Job, Redis and the PDB", () => {
    const es = get("ExternalSecret", "python-example-vault");
    expect(at(es, "spec.refreshInterval")).toBe("15m");
    expect(at(es, "spec.data")).toEqual([{ secretKey: "API_TOKEN", remoteRef: { key: "services/python-example", property: "api_token" } }]);
    expect(at(get("Job", "python-example-migrate"), "spec")).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 1800 });
    const redis = container(get("Deployment", "python-example-redis"));
    expect(redis.image).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/redis:7.4.2-alpine@${REDIS_DIGEST}`);
    expect(redis.args).toEqual([
      "redis-server",
      "/etc/redis/redis.conf",
      "--save",
      "",
      "--appendonly",
      "no",
      "--maxmemory",
      "256mb",
      "--maxmemory-policy",
      "allkeys-lru",
    ]);
    // Helm merges the given resources into the defaults: Redis' own ephemeral-storage stays.
    expect(redis.resources).toEqual({
      requests: { cpu: "100m", memory: "300Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "500m", memory: "320Mi", "ephemeral-storage": "640Mi" },
    });
    expect(podSpec(get("Deployment", "python-example-redis")).securityContext).toMatchObject({ runAsUser: 20000, runAsGroup: 20000, fsGroup: 20000 });
    expect(at(get("PodDisruptionBudget"), "spec.maxUnavailable")).toBe(2);
  });

  it("reach the ServiceMonitor, the alerts and the network policies", () => {
    expect(at(get("ServiceMonitor"), "spec.endpoints.0")).toMatchObject({ port: "metrics", path: "/prometheus", interval: "15s" });
    const rules = at(get("PrometheusRule"), "spec.groups.0.rules") as Array<{ expr: string; annotations: Record<string, string> }>;
    expect(rules[0].expr).toMatch(/> 0\.01$/);
    expect(rules[1].expr).toMatch(/> 0\.5$/);
    expect(rules[2].expr).toMatch(/> 5$/);
    expect(rules[0].annotations.runbook_url).toBe("https://wiki.example.com/runbooks#servicehigherrorrate");
    const egress = at(get("NetworkPolicy", "python-example-egress"), "spec.egress") as Array<{ to?: Array<{ ipBlock?: unknown }> }>;
    expect(egress.some((rule) => rule.to?.some((peer) => peer.ipBlock))).toBe(false);
    const ingress = at(get("NetworkPolicy", "python-example-ingress"), "spec.ingress") as Array<{ ports: unknown[] }>;
    expect(ingress.map((rule) => rule.ports)).toEqual([
      [{ protocol: "TCP", port: 8000 }],
      [
        { protocol: "TCP", port: 9100 },
        { protocol: "TCP", port: 15020 },
      ],
    ]);
  });
});
