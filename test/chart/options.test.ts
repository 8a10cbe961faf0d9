// Every option on and off: renders with the defaults, every optional feature on, every
// on-by-default feature off (cases.ts); schema validation of all of them is validate.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { NATS_CREDENTIALS_PREFIX } from "../../bootstrap/vault/nats-accounts";
import { findObject, helmLint, type K8sObject } from "../harness/helm";
import { promqlErrors } from "./promql";
import { ALL_OFF, ALL_ON } from "./cases";
import { CHART_DIR, SERVICE, VPC_CIDR, at, container, envOf, names, minimalSets, podLabels, podSpec, renderMinimal, wave } from "./render";

let defaults: K8sObject[];
let on: K8sObject[];
let off: K8sObject[];

beforeAll(() => {
  defaults = renderMinimal();
  on = renderMinimal(ALL_ON);
  off = renderMinimal(ALL_OFF);
});

describe("defaults (only the required globals)", () => {
  it("renders the app with monitoring, policies and no optional backing services", () => {
    expect(names(defaults)).toEqual([
      "ConfigMap/python-example-dashboard",
      "Deployment/python-example",
      "Ingress/python-example",
      "NetworkPolicy/python-example-default-deny",
      "NetworkPolicy/python-example-egress",
      "NetworkPolicy/python-example-ingress",
      "PeerAuthentication/python-example",
      "PodDisruptionBudget/python-example",
      "PrometheusRule/python-example",
      "Service/python-example",
      "ServiceAccount/python-example",
      "ServiceMonitor/python-example",
    ]);
  });

  it("lets ingress-nginx and Prometheus (outside the mesh) reach the sidecar in plaintext, only on their ports", () => {
    const peer = findObject(defaults, "PeerAuthentication", SERVICE);
    expect(at(peer, "spec")).toEqual({
      selector: { matchLabels: { "app.kubernetes.io/instance": SERVICE, "app.kubernetes.io/component": "app" } },
      mtls: { mode: "STRICT" },
      portLevelMtls: { 8080: { mode: "PERMISSIVE" }, 9090: { mode: "PERMISSIVE" } },
    });
    expect(at(findObject(on, "PeerAuthentication", SERVICE), "spec.portLevelMtls")).toEqual({ 8080: { mode: "PERMISSIVE" } });
  });

  it("runs 2 replicas spread over zones and nodes, with probes and the Istio sidecar", () => {
    const app = findObject(defaults, "Deployment", SERVICE);
    expect(at(app, "spec.replicas")).toBe(2);
    expect(podSpec(app).topologySpreadConstraints?.map((c) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ["topology.kubernetes.io/zone", "ScheduleAnyway"],
      ["kubernetes.io/hostname", "ScheduleAnyway"],
    ]);
    expect(container(app).readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container(app).livenessProbe?.httpGet).toEqual({ path: "/livez", port: "http" });
    expect(container(app).startupProbe?.failureThreshold).toBe(60);
    expect(podLabels(app)["sidecar.istio.io/inject"]).toBe("true");
  });

  it("does not rewrite the path without ingress.rewrite", () => {
    const ingress = findObject(defaults, "Ingress", SERVICE);
    expect(ingress.metadata.annotations?.["nginx.ingress.kubernetes.io/rewrite-target"]).toBeUndefined();
    expect(at(ingress, "spec.rules.0.http.paths.0.path")).toBe("/python-example");
    expect(at(ingress, "spec.rules.0.http.paths.0.pathType")).toBe("Prefix");
  });

  it("scrapes the metrics port and alerts on errors, latency, restarts, crash loops and readiness", () => {
    const monitor = findObject(defaults, "ServiceMonitor", SERVICE);
    expect(at(monitor, "spec.endpoints")).toEqual([{ port: "metrics", path: "/metrics", interval: "30s", scrapeTimeout: "10s" }]);
    const rules = at(findObject(defaults, "PrometheusRule", SERVICE), "spec.groups.0.rules") as Array<Record<string, unknown>>;
    expect(rules.map((r) => r.alert)).toEqual([
      "ServiceHighErrorRate",
      "ServiceHighLatency",
      "ServiceFrequentRestarts",
      "ServiceCrashLooping",
      "ServicePodNotReady",
    ]);
    for (const rule of rules) {
      expect(at(rule, "annotations.runbook_url")).toBe(`https://gitlab.com/holodeck/holodeck/-/blob/main/docs/chart.md#${String(rule.alert).toLowerCase()}`);
      expect(String(rule.expr)).toContain(`namespace="${SERVICE}"`);
    }
    expect(rules[0].expr).toContain("> 0.05");
    // Completed Job pods are never ready: only Pending/Running pods may fire the alert.
    expect(rules[4].expr).toContain('phase=~"Pending|Running"');
    expect(promqlErrors(rules.map((r) => String(r.expr)))).toEqual([]);
  });

  it("checks PromQL with Prometheus' parser, which rejects a broken expression", () => {
    expect(promqlErrors(["sum(rate(http_requests_total[5m])"])).toEqual(["sum(rate(http_requests_total[5m]): 1:34: parse error: unclosed left parenthesis"]);
  });

  it("opens DNS, tracing, istiod and public HTTPS egress; ingress-nginx and Prometheus ingress", () => {
    const egress = at(findObject(defaults, "NetworkPolicy", "python-example-egress"), "spec.egress") as Array<Record<string, unknown>>;
    expect(egress.map((rule) => at(rule, "ports"))).toEqual([
      [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
      [
        { protocol: "TCP", port: 4317 },
        { protocol: "TCP", port: 4318 },
      ],
      [{ protocol: "TCP", port: 15012 }],
      [{ protocol: "TCP", port: 443 }],
    ]);
    const ingress = at(findObject(defaults, "NetworkPolicy", "python-example-ingress"), "spec.ingress") as Array<Record<string, unknown>>;
    expect(ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        ports: [
          { protocol: "TCP", port: 9090 },
          { protocol: "TCP", port: 15020 },
        ],
      },
    ]);
  });
});

describe("every optional feature on", () => {
  it("scales with an HPA instead of a fixed replica count", () => {
    expect(at(findObject(on, "Deployment", SERVICE), "spec.replicas")).toBeUndefined();
    expect(at(findObject(on, "HorizontalPodAutoscaler", SERVICE), "spec")).toMatchObject({
      minReplicas: 3,
      maxReplicas: 12,
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: SERVICE },
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }],
    });
  });

  it("adds the service's own NATS login and opens NATS, Postgres and the extra namespaces and ports", () => {
    const env = envOf(findObject(on, "Deployment", SERVICE));
    expect([env.get("NATS_URL")?.value, env.get("NATS_USER")?.value]).toEqual(["nats://nats.nats.svc:4222", SERVICE]);
    expect(env.get("NATS_PASSWORD")?.valueFrom).toEqual({ secretKeyRef: { name: `${SERVICE}-nats`, key: "password" } });
    const login = findObject(on, "ExternalSecret", `${SERVICE}-nats`);
    expect(at(login, "spec.data")).toEqual([{ secretKey: "password", remoteRef: { key: `${NATS_CREDENTIALS_PREFIX}/${SERVICE}`, property: "password" } }]);
    expect(at(login, "spec.target")).toEqual({ name: `${SERVICE}-nats`, creationPolicy: "Owner", deletionPolicy: "Retain" });
    expect(at(findObject(on, "Deployment", SERVICE), "metadata.annotations")).toMatchObject({ "reloader.stakater.com/auto": "true" });
    expect(envOf(findObject(defaults, "Deployment", SERVICE)).has("NATS_URL")).toBe(false);
    const egress = at(findObject(on, "NetworkPolicy", "python-example-egress"), "spec.egress") as Array<Record<string, unknown>>;
    expect(egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "nats" } } }],
      ports: [{ protocol: "TCP", port: 4222 }],
    });
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: VPC_CIDR } }], ports: [{ protocol: "TCP", port: 5432 }] });
    expect(egress.filter((rule) => rule.to === undefined)).toEqual([]);
    expect(egress).toContainEqual({ to: ["billing", "weather"].map((ns) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } })) });
    expect(at(egress[egress.length - 1], "ports")).toEqual([
      { protocol: "TCP", port: 443 },
      { protocol: "TCP", port: 8443 },
    ]);
    const from = at(findObject(on, "NetworkPolicy", "python-example-ingress"), "spec.ingress.0.from");
    expect(from).toContainEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "frontend" } } });
  });

  it("passes the database options and drops deletion protection when asked", () => {
    const db = findObject(on, "PostgresInstance", SERVICE);
    expect(at(db, "spec")).toEqual({ storageGB: 50, engineVersion: "16", databaseName: "weather", connectionSecretName: "python-example-postgres" });
    expect(db.metadata.annotations?.["argocd.argoproj.io/sync-options"]).toBeUndefined();
  });

  it("runs workers and CronJobs from the service image with the service env", () => {
    const worker = findObject(on, "Deployment", "python-example-consumer");
    expect(at(worker, "spec.replicas")).toBe(3);
    expect(container(worker).command).toEqual(["faststream", "run", "app:app"]);
    expect(container(worker).image).toBe("registry.example.com/team/python-example:1.4.2");
    expect(podLabels(worker)["sidecar.istio.io/inject"]).toBe("true");
    const cron = findObject(on, "CronJob", "python-example-nightly");
    expect(at(cron, "spec.schedule")).toBe("0 3 * * *");
    expect(at(cron, "spec.concurrencyPolicy")).toBe("Forbid");
    expect(at(cron, "spec.startingDeadlineSeconds")).toBe(120);
    expect(container(cron).command).toEqual(["python", "-m", "report"]);
    expect(container(cron).env).toEqual(container(worker).env);
    expect(podLabels(cron)["sidecar.istio.io/inject"]).toBe("false");
  });

  it("mounts the service-account token and sets IRSA annotations only when asked", () => {
    const account = findObject(on, "ServiceAccount", SERVICE);
    expect(account.automountServiceAccountToken).toBe(true);
    expect(account.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toBe("arn:aws:iam::123456789012:role/python-example");
    expect(podSpec(findObject(on, "Deployment", SERVICE)).automountServiceAccountToken).toBe(true);
  });

  it("uses production globals, the chosen log format and tracing protocol", () => {
    const env = envOf(findObject(on, "Deployment", SERVICE));
    expect(env.get("ENVIRONMENT")?.value).toBe("production");
    expect([env.get("LOG_FORMAT")?.value, env.get("LOG_LEVEL")?.value]).toEqual(["text", "debug"]);
    expect(env.get("OTEL_EXPORTER_OTLP_PROTOCOL")?.value).toBe("http/protobuf");
  });

  it("scrapes the app port when metrics share it", () => {
    expect(at(findObject(on, "ServiceMonitor", SERVICE), "spec.endpoints.0.port")).toBe("http");
    expect(at(findObject(on, "Service", SERVICE), "spec.ports")).toEqual([{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }]);
  });

  it("passes helm lint --strict", () => {
    expect(helmLint(CHART_DIR, [], minimalSets(ALL_ON), { namespace: SERVICE })).toContain("0 chart(s) failed");
  });

  it("puts workers, CronJobs and the HPA in wave 1", () => {
    expect(wave(findObject(on, "CronJob", "python-example-nightly"))).toBe(1);
    expect(wave(findObject(on, "HorizontalPodAutoscaler", SERVICE))).toBe(1);
  });
});

describe("every on-by-default feature off", () => {
  it("renders only the workload, its Service and ServiceAccount", () => {
    expect(names(off)).toEqual(["Deployment/python-example", "Service/python-example", "ServiceAccount/python-example"]);
  });

  it("disables tracing, metrics env, topology spread and the sidecar", () => {
    const app = findObject(off, "Deployment", SERVICE);
    const env = envOf(app);
    expect(env.get("OTEL_SDK_DISABLED")?.value).toBe("true");
    expect(env.has("OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(false);
    expect(env.has("METRICS_PORT")).toBe(false);
    expect(podSpec(app).topologySpreadConstraints).toBeUndefined();
    expect(podLabels(app)["sidecar.istio.io/inject"]).toBe("false");
    expect(container(app).ports?.map((p) => p.name)).toEqual(["http"]);
  });
});
