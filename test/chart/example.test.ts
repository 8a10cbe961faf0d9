// The acceptance case (docs/contracts.md §5): the documented helm/values.yaml, verbatim,
// through a wrapper chart, with the parameters the services ApplicationSet adds.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findObject, helmLint, type K8sObject } from "../harness/helm";
import { APPSET_PARAMS, CLUSTER_DOMAIN, EXAMPLE_VALUES, REGISTRY, SERVICE, WRAPPER_DIR, at, container, envOf, names, renderExample, wave } from "./render";

let objects: K8sObject[];
const get = (kind: string, name = SERVICE): K8sObject => findObject(objects, kind, name);

beforeAll(() => {
  objects = renderExample();
});

describe("documented example values", () => {
  it("is kept verbatim in docs/chart.md", () => {
    const doc = fs.readFileSync(path.resolve(__dirname, "..", "..", "docs", "chart.md"), "utf8");
    const example = fs.readFileSync(EXAMPLE_VALUES, "utf8");
    expect(doc).toContain("```yaml\n" + example + "```");
  });

  it("passes helm lint --strict through the wrapper chart", () => {
    expect(helmLint(WRAPPER_DIR, [EXAMPLE_VALUES], APPSET_PARAMS)).toContain("0 chart(s) failed");
  });

  it("renders exactly these objects", () => {
    expect(names(objects)).toEqual([
      "ConfigMap/python-example-dashboard",
      "Deployment/python-example",
      "Deployment/python-example-redis",
      "ExternalSecret/python-example-redis-auth",
      "ExternalSecret/python-example-vault",
      "Ingress/python-example",
      "Job/python-example-migrate",
      "NetworkPolicy/python-example-default-deny",
      "NetworkPolicy/python-example-egress",
      "NetworkPolicy/python-example-ingress",
      "NetworkPolicy/python-example-redis",
      "Password/python-example-redis-auth",
      "PeerAuthentication/python-example",
      "PodDisruptionBudget/python-example",
      "PostgresInstance/python-example",
      "PrometheusRule/python-example",
      "Service/python-example",
      "Service/python-example-redis",
      "ServiceAccount/python-example",
      "ServiceAccount/vault-secrets",
      "ServiceMonitor/python-example",
    ]);
  });

  it("orders the rollout with sync waves: database/Redis → secrets → migration → app → monitors", () => {
    const waves = Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, wave(o)]));
    expect(waves).toEqual({
      "ConfigMap/python-example-dashboard": 2,
      "Deployment/python-example": 1,
      "Deployment/python-example-redis": -2,
      "ExternalSecret/python-example-redis-auth": -2,
      "ExternalSecret/python-example-vault": -1,
      "Ingress/python-example": 1,
      "Job/python-example-migrate": 0,
      "NetworkPolicy/python-example-default-deny": -2,
      "NetworkPolicy/python-example-egress": -2,
      "NetworkPolicy/python-example-ingress": -2,
      "NetworkPolicy/python-example-redis": -2,
      "Password/python-example-redis-auth": -2,
      "PeerAuthentication/python-example": -2,
      "PodDisruptionBudget/python-example": 1,
      "PostgresInstance/python-example": -2,
      "PrometheusRule/python-example": 2,
      "Service/python-example": 1,
      "Service/python-example-redis": -2,
      "ServiceAccount/python-example": -2,
      "ServiceAccount/vault-secrets": -2,
      "ServiceMonitor/python-example": 2,
    });
  });

  it("uses no Helm hooks, only the Argo CD Sync hook on the migration Job", () => {
    for (const o of objects) expect(o.metadata.annotations?.["helm.sh/hook"], `${o.kind}/${o.metadata.name}`).toBeUndefined();
    const hooks = objects.filter((o) => o.metadata.annotations?.["argocd.argoproj.io/hook"]);
    expect(names(hooks)).toEqual(["Job/python-example-migrate"]);
    expect(hooks[0].metadata.annotations?.["argocd.argoproj.io/hook"]).toBe("Sync");
    expect(hooks[0].metadata.annotations?.["argocd.argoproj.io/hook-delete-policy"]).toBe("BeforeHookCreation");
  });

  it("runs the service image from the platform registry with the ApplicationSet's tag", () => {
    expect(container(get("Deployment")).image).toBe(`${REGISTRY}/python-example:1.4.2`);
    expect(container(get("Job", "python-example-migrate")).image).toBe(`${REGISTRY}/python-example:1.4.2`);
  });

  it("reads the Vault keys through an ExternalSecret from ClusterSecretStore vault at <domain>/<service>", () => {
    const es = get("ExternalSecret", "python-example-vault");
    expect(at(es, "spec.secretStoreRef")).toEqual({ kind: "ClusterSecretStore", name: "vault" });
    expect(at(es, "spec.target.name")).toBe("python-example-vault");
    expect(at(es, "spec.data")).toEqual([
      { secretKey: "FASTSTREAM_CREDS", remoteRef: { key: "services/python-example", property: "FASTSTREAM_CREDS" } },
      { secretKey: "WEATHER_API_KEY", remoteRef: { key: "services/python-example", property: "WEATHER_API_KEY" } },
    ]);
  });

  it("creates the vault-secrets ServiceAccount External Secrets logs in to Vault with (contracts §5)", () => {
    const account = get("ServiceAccount", "vault-secrets");
    expect(account.automountServiceAccountToken).toBe(false);
    expect(wave(account)).toBeLessThan(wave(get("ExternalSecret", "python-example-vault")));
  });

  it("injects plain env vars, Vault secret refs, DATABASE_URL and REDIS_URL", () => {
    const env = envOf(get("Deployment"));
    expect(env.get("SENTRY_DSN")).toEqual({ name: "SENTRY_DSN", value: "" });
    expect(env.get("WEATHER_BASE_URL")).toEqual({ name: "WEATHER_BASE_URL", value: "https://api.openweathermap.org" });
    for (const key of ["WEATHER_API_KEY", "FASTSTREAM_CREDS"]) {
      expect(env.get(key)?.valueFrom).toEqual({ secretKeyRef: { name: "python-example-vault", key } });
    }
    const parts = { DATABASE_USER: "username", DATABASE_PASSWORD: "password", DATABASE_HOST: "host", DATABASE_PORT: "port", DATABASE_NAME: "database" };
    for (const [name, key] of Object.entries(parts)) {
      expect(env.get(name)?.valueFrom).toEqual({ secretKeyRef: { name: "python-example-postgres", key } });
    }
    expect(env.get("DATABASE_URL")?.value).toBe("postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@$(DATABASE_HOST):$(DATABASE_PORT)/$(DATABASE_NAME)");
    // $(VAR) only expands variables defined earlier in the list.
    const order = [...env.keys()];
    for (const name of Object.keys(parts)) expect(order.indexOf(name)).toBeLessThan(order.indexOf("DATABASE_URL"));
    expect(env.get("REDIS_PASSWORD")?.valueFrom).toEqual({ secretKeyRef: { name: "python-example-redis-auth", key: "password" } });
    expect(env.get("REDIS_URL")?.value).toBe("redis://:$(REDIS_PASSWORD)@python-example-redis:6379/0");
    expect(order.indexOf("REDIS_PASSWORD")).toBeLessThan(order.indexOf("REDIS_URL"));
    expect(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")?.value).toBe("http://jaeger-collector.observability.svc:4317");
    expect(env.get("OTEL_SERVICE_NAME")?.value).toBe("python-example");
    expect(env.get("LOG_FORMAT")?.value).toBe("json");
  });

  it("claims a 10 GiB PostgresInstance whose connection Secret feeds the env", () => {
    const db = get("PostgresInstance");
    expect(db.apiVersion).toBe("platform.holodeck.dev/v1alpha1");
    expect(at(db, "spec")).toEqual({
      storageGB: 10,
      engineVersion: "17",
      databaseName: "python_example",
      connectionSecretName: "python-example-postgres",
    });
    expect(db.metadata.annotations?.["argocd.argoproj.io/sync-options"]).toBe("Prune=false,Delete=false");
  });

  it("runs the migration command with the app's image and environment", () => {
    const job = get("Job", "python-example-migrate");
    expect(container(job).command).toEqual(["alembic", "upgrade", "head"]);
    expect(container(job).env).toEqual(container(get("Deployment")).env);
  });

  it("exposes https://<domain>.<clusterDomain>/<service>/ with the prefix stripped", () => {
    const ingress = get("Ingress");
    const host = `services.${CLUSTER_DOMAIN}`;
    expect(ingress.metadata.annotations).toMatchObject({
      "nginx.ingress.kubernetes.io/rewrite-target": "/$2",
      "nginx.ingress.kubernetes.io/use-regex": "true",
      "nginx.ingress.kubernetes.io/x-forwarded-prefix": "/python-example",
    });
    expect(at(ingress, "spec.ingressClassName")).toBe("nginx");
    // No secretName: ingress-nginx's default certificate (the platform's wildcard) serves the host.
    expect(at(ingress, "spec.tls")).toEqual([{ hosts: [host] }]);
    expect(at(ingress, "spec.rules")).toEqual([
      {
        host,
        http: {
          paths: [
            {
              path: "/python-example(/|$)(.*)",
              pathType: "ImplementationSpecific",
              backend: { service: { name: "python-example", port: { name: "http" } } },
            },
          ],
        },
      },
    ]);
  });

  it("runs Redis from the image on ECR Public pinned by digest", () => {
    expect(container(get("Deployment", "python-example-redis")).image).toBe(
      "public.ecr.aws/docker/library/redis:7.4.2-alpine@sha256:02419de7eddf55aa5bcf49efb74e88fa8d931b4d77c07eff8a6b2144472b6952",
    );
  });

  it("gives Redis its own Service on 6379 reachable only from the service's pods", () => {
    expect(at(get("Service", "python-example-redis"), "spec.ports")).toEqual([{ name: "redis", port: 6379, targetPort: "redis", protocol: "TCP" }]);
    const policy = get("NetworkPolicy", "python-example-redis");
    expect(at(policy, "spec.podSelector.matchLabels")).toEqual({ "app.kubernetes.io/instance": SERVICE, "app.kubernetes.io/component": "redis" });
    expect(at(policy, "spec.ingress")).toEqual([
      {
        from: [
          {
            podSelector: {
              matchExpressions: [
                { key: "app.kubernetes.io/instance", operator: "In", values: [SERVICE] },
                { key: "app.kubernetes.io/component", operator: "NotIn", values: ["redis"] },
              ],
            },
          },
        ],
        ports: [{ protocol: "TCP", port: 6379 }],
      },
    ]);
  });
});
