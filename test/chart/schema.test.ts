// Bad values fail `helm template` with a message naming the key (values.schema.json and the
// chart's own checks), so a typo never deploys silently.
import { describe, expect, it } from "vitest";
import { HelmError, helmTemplate, type HelmSets } from "../harness/helm";
import { APPSET_PARAMS, CHART_DIR, EXAMPLE_VALUES, SERVICE, WRAPPER_DIR, minimalSets, renderExample } from "./render";

function renderError(render: () => unknown): string {
  try {
    render();
  } catch (error) {
    if (error instanceof HelmError) return error.stderr;
    throw error;
  }
  throw new Error("expected helm to reject the values, but it rendered");
}

const hs = (key: string, value: unknown): HelmSets => ({ [`holodeck-service.${key}`]: value });

// [case, extra values on top of the documented example, text the error must contain]
const BAD_VALUES: Array<[string, HelmSets, string[]]> = [
  ["storage as a word", hs("postgres.storage", "ten"), ["at '/postgres/storage': got string, want integer"]],
  ["negative storage", hs("postgres.storage", -5), ["at '/postgres/storage'", "minimum"]],
  ["zero storage", hs("postgres.storage", 0), ["at '/postgres/storage'", "minimum"]],
  ["storage above the XRD's maximum", hs("postgres.storage", 20000), ["at '/postgres/storage'", "maximum"]],
  ["unknown key under holodeck-service", hs("postgress", { enabled: true }), ["additional properties 'postgress' not allowed"]],
  ["misspelt nested key", hs("ingress.rewite", true), ["at '/ingress'", "additional properties 'rewite' not allowed"]],
  ["envVars value not an object", hs("envVars.SENTRY_DSN", "https://sentry"), ["at '/envVars/SENTRY_DSN': got string, want object"]],
  ["envVars entry without value", hs("envVars.SENTRY_DSN", { valu: "x" }), ["at '/envVars/SENTRY_DSN'", "'valu' not allowed"]],
  ["envVars value not a string", hs("envVars.WORKERS", { value: 4 }), ["at '/envVars/WORKERS/value': got number, want string"]],
  ["envVars overriding a chart variable", hs("envVars.DATABASE_URL", { value: "x" }), ["invalid propertyName 'DATABASE_URL'"]],
  ["NATS password from Vault (the platform's)", hs("secrets.envVarsFromVault.NATS_PASSWORD", "app-password"), ["invalid propertyName 'NATS_PASSWORD'"]],
  ["the retired shared NATS user", hs("nats.user", "app"), ["at '/nats': additional properties 'user' not allowed"]],
  ["unsupported Postgres version", hs("postgres.engineVersion", "15"), ["at '/postgres/engineVersion'", "'16'", "'17'"]],
  ["image tag as a number", hs("image.tag", 1.5), ["at '/image/tag': got number, want string"]],
  ["rewrite not a boolean", hs("ingress.rewrite", "yes"), ["at '/ingress/rewrite': got string, want boolean"]],
  ["migration command as one string", hs("migrate.command", "alembic upgrade head"), ["at '/migrate/command': got string, want array"]],
  ["sampler ratio above 1", hs("tracing.samplerRatio", 2), ["at '/tracing/samplerRatio'", "maximum"]],
  ["CronJob without schedule", hs("cronJobs.nightly", { command: ["report"] }), ["at '/cronJobs/nightly': missing property 'schedule'"]],
  ["worker with an invalid name", hs("workers.Bad_Name", { command: ["run"] }), ["invalid propertyName 'Bad_Name'"]],
  ["egress port out of range", hs("networkPolicy.internetEgressPorts", [70000]), ["at '/networkPolicy/internetEgressPorts/0'", "maximum"]],
  ["unknown environment", { "global.environment": "prod" }, ["at '/global/environment'", "'staging'", "'production'"]],
  ["service name not a DNS label", { "global.service": "Python_Example" }, ["at '/global/service'"]],
  [
    "domain outside docs/contracts.md section 8",
    { "global.domain": "marketing" },
    ["at '/global/domain'", "'services'", "'payments'", "'identity'", "'catalog'", "'data'"],
  ],
  ["VPC CIDR without a prefix length", { "global.vpcCidr": "10.20.0.0" }, ["at '/global/vpcCidr'"]],
  ["unknown global", { "global.servce": "x" }, ["at '/global': additional properties 'servce' not allowed"]],
  ["misspelt top-level key of the wrapper", { "holodeck-servce": { redis: { enabled: true } } }, ["additional properties 'holodeck-servce' not allowed"]],
  ["same variable from envVars and Vault", hs("envVars.WEATHER_API_KEY", { value: "x" }), ["WEATHER_API_KEY is in both envVars and secrets.envVarsFromVault"]],
  [
    "autoscaling min above max",
    hs("autoscaling", { enabled: true, minReplicas: 5, maxReplicas: 2, targetCPUUtilizationPercentage: 70 }),
    ["autoscaling.minReplicas (5) must be <= autoscaling.maxReplicas (2)"],
  ],
];

describe("values.schema.json and chart checks reject bad values with the key named", () => {
  it.each(BAD_VALUES)("%s", (_case, extra, expected) => {
    const message = renderError(() => renderExample(extra));
    for (const text of expected) expect(message).toContain(text);
  });

  // A service on grafana.<clusterDomain> etc. would take over a platform UI's host.
  it.each(["grafana", "kiali", "vault", "argocd", "jaeger"])("rejects the platform UI host %s as global.domain", (host) => {
    expect(renderError(() => renderExample({ "global.domain": host }))).toContain("at '/global/domain'");
  });

  it("needs the VPC CIDR (the only destination of the Postgres egress) only when Postgres is enabled", () => {
    const withoutCidr = Object.fromEntries(Object.entries(APPSET_PARAMS).filter(([key]) => key !== "global.vpcCidr"));
    const options = { releaseName: SERVICE, namespace: SERVICE };
    // The documented example enables Postgres.
    const message = renderError(() => helmTemplate(WRAPPER_DIR, [EXAMPLE_VALUES], withoutCidr, options));
    expect(message).toContain("at '/global': missing property 'vpcCidr'");
    const minimal = Object.fromEntries(Object.entries(minimalSets()).filter(([key]) => key !== "global.vpcCidr"));
    expect(helmTemplate(CHART_DIR, [], minimal, options).some((o) => o.kind === "Deployment")).toBe(true);
  });

  it("requires the image tag the services ApplicationSet sets", () => {
    // null removes the key, as if the ApplicationSet had not set it.
    const message = renderError(() => renderExample({ "holodeck-service.image.tag": null }));
    expect(message).toContain("at '/image/tag': got null, want string");
  });

  it("requires the cluster domain the services ApplicationSet sets", () => {
    const message = renderError(() => renderExample({ "global.clusterDomain": null }));
    expect(message).toContain("at '/global/clusterDomain': got null, want string");
  });
});
