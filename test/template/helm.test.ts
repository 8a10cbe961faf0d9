// The generated helm/ folder rendered by the real helm against this repository's
// holodeck-service chart (the OCI dependency replaced by file://), with the parameters the
// services ApplicationSet adds: it passes the chart's schema, every object validates against
// real schemas, and what it wires matches what the generated app reads.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { copierCopy } from "../harness/copier";
import { findObject, helmLint, helmTemplate, HelmError, type HelmSets, type K8sObject } from "../harness/helm";
import { validateManifests } from "../harness/k8s-schema";
import { at, container, envOf, names, wave } from "../chart/render";
import { registerPlatformXrds } from "../chart/xrd";
import { COMBOS, FULL, NATS_ONLY, type Combo } from "./combos";

const CHART_DIR = path.resolve(__dirname, "..", "..", "charts", "holodeck-service");
const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const SHA = "a2a7d76d9f6af65f96fd46cc92bcee7f065d8514";
const APPSET_PARAMS: HelmSets = {
  "holodeck-service.image.tag": SHA,
  "global.clusterDomain": "staging.eu-west-1.holodeck.dev",
  "global.environment": "staging",
  "global.imageRegistry": REGISTRY,
  "global.vpcCidr": "10.20.0.0/16",
  // The ingress-nginx edge: these tests check the Ingress (test/chart/gateway-route.test.ts the HTTPRoute).
  "global.edge": "ingress-nginx",
};

const helmDir = (project: string): string => path.join(project, "helm");
const service = (combo: Combo): string => String(combo.answers.service_name);

function render(project: string, combo: Combo, valuesFiles = [path.join(helmDir(project), "values.yaml")]): K8sObject[] {
  return helmTemplate(helmDir(project), valuesFiles, APPSET_PARAMS, {
    releaseName: service(combo),
    namespace: service(combo),
    dependencies: { "holodeck-service": CHART_DIR },
  });
}

const projects = new Map<Combo, string>();
beforeAll(() => {
  registerPlatformXrds();
  for (const combo of COMBOS) projects.set(combo, copierCopy(combo.answers));
});

describe("generated helm/ with every option on", () => {
  let objects: K8sObject[];
  const name = service(FULL);
  beforeAll(() => {
    objects = render(projects.get(FULL) ?? "", FULL);
  });

  it("wraps the pinned holodeck-service chart from the platform's OCI registry", () => {
    const chart = parse(fs.readFileSync(path.join(helmDir(projects.get(FULL) ?? ""), "Chart.yaml"), "utf8")) as Record<string, unknown>;
    const chartVersion = (parse(fs.readFileSync(path.join(CHART_DIR, "Chart.yaml"), "utf8")) as { version: string }).version;
    expect(chart.dependencies).toEqual([{ name: "holodeck-service", version: chartVersion, repository: `oci://${REGISTRY}/charts` }]);
    expect(chart.name).toBe(name);
    expect(chart.annotations).toEqual({ "holodeck.dev/owner-team": "team-weather", "holodeck.dev/domain": FULL.answers.domain });
  });

  it("passes helm lint --strict", () => {
    const lint = helmLint(helmDir(projects.get(FULL) ?? ""), [path.join(helmDir(projects.get(FULL) ?? ""), "values.yaml")], APPSET_PARAMS, {
      namespace: name,
      dependencies: { "holodeck-service": CHART_DIR },
    });
    expect(lint).toContain("0 chart(s) failed");
  });

  it("renders the database, Redis, Vault secret, migration and monitoring objects", () => {
    expect(names(objects)).toEqual([
      `ConfigMap/${name}-dashboard`,
      `Deployment/${name}`,
      `Deployment/${name}-redis`,
      `ExternalSecret/${name}-nats`,
      `ExternalSecret/${name}-redis-auth`,
      `ExternalSecret/${name}-vault`,
      `Ingress/${name}`,
      `Job/${name}-migrate`,
      `NetworkPolicy/${name}-default-deny`,
      `NetworkPolicy/${name}-egress`,
      `NetworkPolicy/${name}-ingress`,
      `NetworkPolicy/${name}-redis`,
      `Password/${name}-redis-auth`,
      `PeerAuthentication/${name}`,
      `PodDisruptionBudget/${name}`,
      `PostgresInstance/${name}`,
      `PrometheusRule/${name}`,
      `Service/${name}`,
      `Service/${name}-redis`,
      `ServiceAccount/${name}`,
      "ServiceAccount/vault-secrets",
      `ServiceMonitor/${name}`,
    ]);
  });

  it("validates every object against the real schemas", () => {
    expect(() => validateManifests(objects, `generated ${name} helm/`)).not.toThrow();
  });

  it("runs the commit's image and migrates with alembic before the app (sync waves)", () => {
    const app = findObject(objects, "Deployment", name);
    const migrate = findObject(objects, "Job", `${name}-migrate`);
    expect(container(app).image).toBe(`${REGISTRY}/${name}:${SHA}`);
    expect(container(migrate).image).toBe(`${REGISTRY}/${name}:${SHA}`);
    expect(container(migrate).command).toEqual(["alembic", "upgrade", "head"]);
    expect(wave(migrate)).toBeLessThan(wave(app));
    expect(at(findObject(objects, "PostgresInstance", name), "spec.storageGB")).toBe(20);
  });

  it("injects every variable the generated Settings reads", () => {
    const env = envOf(findObject(objects, "Deployment", name));
    expect(env.get("DATABASE_URL")?.value).toBe("postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@$(DATABASE_HOST):$(DATABASE_PORT)/$(DATABASE_NAME)");
    expect(env.get("REDIS_URL")?.value).toBe(`redis://:$(REDIS_PASSWORD)@${name}-redis:6379/0`);
    expect(env.get("NATS_URL")?.value).toBe("nats://nats.nats.svc:4222");
    expect(env.get("NATS_USER")?.value).toBe(name);
    expect(env.get("NATS_PASSWORD")?.valueFrom?.secretKeyRef).toEqual({ name: `${name}-nats`, key: "password" });
    expect(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")?.value).toBe("http://jaeger-collector.observability.svc:4317");
    expect(env.get("METRICS_PORT")?.value).toBe("9090");
    expect(FULL.vaultSecrets).toEqual(["WEATHER_API_KEY", "FASTSTREAM_CREDS"]);
    for (const secret of FULL.vaultSecrets) {
      expect(env.get(secret)?.valueFrom?.secretKeyRef).toEqual({ name: `${name}-vault`, key: secret });
    }
    const settings = fs.readFileSync(path.join(projects.get(FULL) ?? "", "app", "settings.py"), "utf8");
    const read = ["DATABASE_URL", "REDIS_URL", "NATS_URL", "NATS_USER", "NATS_PASSWORD", "METRICS_PORT", "OTEL_EXPORTER_OTLP_ENDPOINT", ...FULL.vaultSecrets];
    for (const variable of read) {
      expect(settings, variable).toMatch(new RegExp(`^    ${variable.toLowerCase()}: `, "m"));
    }
  });

  it("accepts every log level and format the chart's schema allows", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(CHART_DIR, "values.schema.json"), "utf8")) as {
      properties: { logging: { properties: Record<"level" | "format", { enum: string[] }> } };
    };
    const settings = fs.readFileSync(path.join(projects.get(FULL) ?? "", "app", "settings.py"), "utf8");
    for (const key of ["level", "format"] as const) {
      const literal = settings.match(new RegExp(`^    log_${key}: Literal\\[([^\\]]+)\\]`, "m"))?.[1] ?? "";
      const accepted = literal.split(",").map((v) => v.trim().replace(/"/g, ""));
      expect(accepted, `log_${key}`).toEqual(expect.arrayContaining(schema.properties.logging.properties[key].enum));
    }
  });

  it("probes and scrapes paths the generated app serves", () => {
    const app = container(findObject(objects, "Deployment", name));
    const routes = [...fs.readFileSync(path.join(projects.get(FULL) ?? "", "app", "main.py"), "utf8").matchAll(/@app\.get\("([^"]+)"/g)].map((m) => m[1]);
    for (const probe of [app.livenessProbe, app.readinessProbe, app.startupProbe]) expect(routes).toContain(probe?.httpGet?.path);
    expect(at(findObject(objects, "ServiceMonitor", name), "spec.endpoints.0.path")).toBe("/metrics");
  });

  it("strips the /<service> prefix at the ingress (rewrite: true)", () => {
    const annotations = findObject(objects, "Ingress", name).metadata.annotations ?? {};
    expect(annotations["nginx.ingress.kubernetes.io/rewrite-target"]).toBe("/$2");
  });

  it("fails the schema on a misspelt key, at the top level or inside holodeck-service", () => {
    const project = projects.get(FULL) ?? "";
    for (const [file, content, key] of [
      ["top.yaml", "holodek-service:\n  replicas: 3\n", "holodek-service"],
      ["inner.yaml", "holodeck-service:\n  postgres:\n    storrage: 10\n", "storrage"],
    ]) {
      const values = path.join(project, file);
      fs.writeFileSync(values, content);
      try {
        render(project, FULL, [path.join(helmDir(project), "values.yaml"), values]);
        expect.unreachable(`${file} rendered`);
      } catch (error) {
        expect(error).toBeInstanceOf(HelmError);
        expect((error as HelmError).stderr).toContain(key);
      }
    }
  });
});

describe.each(COMBOS)("generated helm/ with $label", (combo) => {
  it("renders exactly the chosen backing services, all schema-valid", () => {
    const objects = render(projects.get(combo) ?? "", combo);
    const name = service(combo);
    const kinds = names(objects);
    expect(kinds.includes(`PostgresInstance/${name}`) && kinds.includes(`Job/${name}-migrate`)).toBe(combo.postgres);
    expect(kinds.includes(`Deployment/${name}-redis`)).toBe(combo.redis);
    expect(kinds.includes(`ExternalSecret/${name}-vault`)).toBe(combo.vaultSecrets.length > 0);
    expect(kinds.includes(`ExternalSecret/${name}-nats`)).toBe(combo.nats);
    const env = envOf(findObject(objects, "Deployment", name));
    expect(env.has("DATABASE_URL")).toBe(combo.postgres);
    expect(env.has("REDIS_URL")).toBe(combo.redis);
    expect(["NATS_URL", "NATS_USER", "NATS_PASSWORD"].map((variable) => env.has(variable))).toEqual([combo.nats, combo.nats, combo.nats]);
    expect(findObject(objects, "Ingress", name).metadata.annotations?.["nginx.ingress.kubernetes.io/rewrite-target"]).toBe("/$2");
    expect(() => validateManifests(objects, `generated ${name} helm/`)).not.toThrow();
  });
});

describe("generated helm/ of a NATS-only service", () => {
  let objects: K8sObject[];
  const name = service(NATS_ONLY);
  beforeAll(() => {
    objects = render(projects.get(NATS_ONLY) ?? "", NATS_ONLY);
  });

  it("reads nothing from the service's Vault path: its NATS password is the platform's secret/nats/<service>", () => {
    const kinds = names(objects);
    expect(kinds.filter((kind) => kind.startsWith("ExternalSecret/"))).toEqual([`ExternalSecret/${name}-nats`]);
    // External Secrets still logs in to Vault as the namespace's own ServiceAccount.
    expect(kinds).toContain("ServiceAccount/vault-secrets");
    const natsSecret = findObject(objects, "ExternalSecret", `${name}-nats`);
    expect(at(natsSecret, "spec.target.name")).toBe(`${name}-nats`);
    const data = at(natsSecret, "spec.data") as { secretKey: string; remoteRef: { key: string; property: string } }[];
    expect(data).toEqual([{ secretKey: "password", remoteRef: { key: `nats/${name}`, property: "password" } }]);
    const env = envOf(findObject(objects, "Deployment", name));
    expect(env.get("NATS_URL")?.value).toBe("nats://nats.nats.svc:4222");
    expect(env.get("NATS_USER")?.value).toBe(name);
    expect(env.get("NATS_PASSWORD")?.valueFrom?.secretKeyRef).toEqual({ name: `${name}-nats`, key: data[0].secretKey });
    expect(() => validateManifests(objects, `generated ${name} helm/`)).not.toThrow();
  });
});
