// The platform alerts on Argo CD, Vault and cert-manager (platform-apps/manifests/monitoring)
// only fire if Prometheus scrapes the bootstrap's releases. The releases expose metrics
// Services but create no ServiceMonitor (that CRD arrives later, with kube-prometheus-stack);
// the ServiceMonitors are GitOps content. This checks both sides per stack: each release's
// values switch on the metrics Service, and a ServiceMonitor selects it (namespace, labels,
// port, TLS for Vault).
//
// `chartMetricsServices` models the Services the pinned charts render from these values
// (argo-cd 10.1.1 templates/*/metrics.yaml, cert-manager v1.21.2 templates/service.yaml,
// vault 0.34.1 templates/server-headless-service.yaml); the model was checked with
// `helm template` of those chart versions and the recorded values of every stack (cert-manager
// at v1.21.1: v1.21.2's deploy/charts is identical).
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { VAULT_TLS_SECRET } from "../../bootstrap/vault/constants";
import { INTERNAL_CA_ISSUER } from "../../bootstrap/cert-manager/cluster-issuers";
import { readDocs, yamlFiles } from "../platform-apps/platform";
import { recordedStack, REPO_ROOT, type StackRecording } from "../harness/stacks";
import { EDGE_CHART, edgeOf } from "./edges";
import { STACKS, at, input, k8sObject, release, type Json } from "./helpers";

interface MetricsService {
  /** Release and component that serve it. */
  source: string;
  namespace: string;
  labels: Record<string, string>;
  ports: string[];
}

interface Monitor {
  kind: string;
  metadata: { name: string; namespace: string };
  spec: { selector: { matchLabels: Record<string, string> }; endpoints: Json[] };
}

const monitors = yamlFiles(path.join(REPO_ROOT, "platform-apps", "manifests", "monitoring"))
  .flatMap(readDocs)
  .filter((d) => d.kind === "ServiceMonitor") as unknown as Monitor[];

/** Argo CD components with a metrics Service: values key, component label, name suffix. */
const ARGOCD_COMPONENTS: [string, string, string][] = [
  ["controller", "application-controller", "metrics"],
  ["applicationSet", "applicationset-controller", "metrics"],
  ["repoServer", "repo-server", "repo-server-metrics"],
  ["server", "server", "server-metrics"],
];

function chartMetricsServices(rec: StackRecording): MetricsService[] {
  const argocd = release(rec, "argo-cd");
  // The chart's own default nameOverride is "argocd"; the bootstrap does not change it.
  const argocdName = ((argocd.inputs.values as Json).nameOverride as string | undefined) ?? "argocd";
  const services: MetricsService[] = ARGOCD_COMPONENTS.map(([key, component, suffix]) => {
    expect(input(argocd, `values.${key}.metrics.enabled`), `argo-cd ${key}.metrics.enabled`).toBe(true);
    return {
      source: `argo-cd ${component}`,
      namespace: input<string>(argocd, "namespace"),
      // argo-cd.labels: name = <nameOverride "argocd">-<suffix>, instance = release name.
      labels: {
        "app.kubernetes.io/name": `${argocdName}-${suffix}`,
        "app.kubernetes.io/instance": input<string>(argocd, "name"),
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "argocd",
      },
      ports: ["http-metrics"],
    };
  });
  const certManager = release(rec, "cert-manager");
  expect(input(certManager, "values.prometheus.enabled")).toBe(true);
  services.push({
    source: "cert-manager controller",
    namespace: input<string>(certManager, "namespace"),
    labels: {
      app: "cert-manager",
      "app.kubernetes.io/name": "cert-manager",
      "app.kubernetes.io/instance": input<string>(certManager, "name"),
      "app.kubernetes.io/component": "controller",
    },
    ports: ["http-metrics"],
  });
  const vault = release(rec, "vault");
  // vault-internal: headless, publishNotReadyAddresses (sealed pods stay listed); port name = scheme.
  services.push({
    source: "vault server",
    namespace: input<string>(vault, "namespace"),
    labels: { "app.kubernetes.io/name": "vault", "app.kubernetes.io/instance": input<string>(vault, "name"), "vault-internal": "true" },
    ports: [input(vault, "values.global.tlsDisable") === false ? "https" : "http"],
  });
  return services;
}

const selects = (monitor: Monitor, service: MetricsService): boolean =>
  monitor.metadata.namespace === service.namespace &&
  Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => service.labels[key] === value) &&
  monitor.spec.endpoints.some((e) => service.ports.includes(String(e.port)));

/** Every `serviceMonitor`/`servicemonitor`/`podmonitor` switch set anywhere in a values tree. */
function monitorSwitches(values: unknown, where: string): string[] {
  if (values === null || typeof values !== "object") return [];
  return Object.entries(values as Json).flatMap(([key, value]) => {
    const here = `${where}.${key}`;
    if (/^(serviceMonitor|servicemonitor|podmonitor|podMonitor|serverTelemetry)$/.test(key)) return [`${here}=${JSON.stringify(value)}`];
    return monitorSwitches(value, here);
  });
}

describe.each(STACKS)("%s: Prometheus scrapes the bootstrap's releases", (stack) => {
  let rec: StackRecording;
  let services: MetricsService[];
  beforeAll(() => {
    rec = recordedStack(stack);
    services = chartMetricsServices(rec);
  });

  it("no release creates a ServiceMonitor (its CRD does not exist at bootstrap)", () => {
    const edge = edgeOf(stack);
    const switches = ["argo-cd", "cert-manager", "vault", EDGE_CHART[edge], "aws-load-balancer-controller"].flatMap((chart) =>
      monitorSwitches(release(rec, chart).inputs.values, chart),
    );
    expect(switches.sort()).toEqual([
      'argo-cd.applicationSet.metrics.serviceMonitor={"enabled":false}',
      'argo-cd.controller.metrics.serviceMonitor={"enabled":false}',
      'argo-cd.repoServer.metrics.serviceMonitor={"enabled":false}',
      'argo-cd.server.metrics.serviceMonitor={"enabled":false}',
      'cert-manager.prometheus.servicemonitor={"enabled":false}',
      // Envoy Gateway's chart has no monitor switch (and renders no monitor).
      ...(edge === "ingress-nginx" ? ['ingress-nginx.controller.metrics.serviceMonitor={"enabled":false}'] : []),
    ]);
  });

  it("each metrics Service is selected by exactly one ServiceMonitor, and each of those selects one Service", () => {
    for (const service of services) {
      expect(
        monitors.filter((m) => selects(m, service)).map((m) => `${m.metadata.namespace}/${m.metadata.name}`),
        service.source,
      ).toHaveLength(1);
    }
    expect(services).toHaveLength(6);
    for (const monitor of monitors.filter((m) => ["argocd", "cert-manager", "vault"].includes(m.metadata.namespace))) {
      expect(
        services.filter((s) => selects(monitor, s)),
        monitor.metadata.name,
      ).toHaveLength(1);
    }
  });

  it("the alerts' metric families come from the selected Services", () => {
    // argocd_app_info: application controller; vault_core_unsealed: every Vault server;
    // certmanager_certificate_*: cert-manager's controller.
    const by = (source: string): string => {
      const service = services.find((s) => s.source === source);
      if (!service) throw new Error(`no metrics Service of ${source}`);
      const monitor = monitors.find((m) => selects(m, service));
      return monitor ? `${monitor.metadata.namespace}/${monitor.metadata.name}` : "none";
    };
    expect([by("argo-cd application-controller"), by("vault server"), by("cert-manager controller")]).toEqual([
      "argocd/argocd-application-controller",
      "vault/vault",
      "cert-manager/cert-manager",
    ]);
  });

  it("Vault: telemetry on, unauthenticated metrics on the TLS listener, scraped over TLS trusting the internal CA", () => {
    const hcl = input<string>(release(rec, "vault"), "values.server.ha.raft.config");
    expect(hcl).toMatch(/listener "tcp" \{[^]*?telemetry \{\n {4}unauthenticated_metrics_access = true\n {2}\}\n\}/);
    expect(hcl).toContain('telemetry {\n  prometheus_retention_time = "30s"\n  disable_hostname          = true\n}');
    const monitor = monitors.find((m) => m.metadata.name === "vault" && m.metadata.namespace === "vault");
    if (!monitor) throw new Error("no ServiceMonitor vault/vault");
    expect(monitor.spec.endpoints).toEqual([
      {
        port: "https",
        scheme: "https",
        path: "/v1/sys/metrics",
        params: { format: ["prometheus"] },
        interval: "30s",
        tlsConfig: { serverName: "vault.vault.svc", ca: { secret: { name: VAULT_TLS_SECRET, key: "ca.crt" } } },
      },
    ]);
    // The CA secret is the bootstrap's Vault certificate (issued by the internal CA, which
    // writes its own certificate as ca.crt), and the checked name is one of its DNS names.
    const certificate = k8sObject(rec, "Certificate", VAULT_TLS_SECRET);
    expect(at(certificate.inputs, "metadata.namespace")).toBe(monitor.metadata.namespace);
    expect(at(certificate.inputs, "spec.secretName")).toBe(VAULT_TLS_SECRET);
    expect(at(certificate.inputs, "spec.issuerRef.name")).toBe(INTERNAL_CA_ISSUER);
    expect(at<string[]>(certificate.inputs, "spec.dnsNames")).toContain(at(monitor, "spec.endpoints.0.tlsConfig.serverName"));
  });
});
