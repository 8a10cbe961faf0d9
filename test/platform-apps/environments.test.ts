// Per-environment behaviour of the platform apps, read from the merged Helm values and the
// raw manifests each environment's Applications apply (exact values, not snapshots).
import { beforeAll, describe, expect, it } from "vitest";
import { type Environment } from "../../model/environment";
import { applicationsFor, isPlatformRepo, manifestsOf, type Application, type Doc } from "./platform";
import { at, helmValues } from "./values";
import { CERT_MANAGER_NAMESPACE } from "../../bootstrap/cert-manager/cert-manager";
import { INTERNAL_CA_ISSUER } from "../../bootstrap/cert-manager/cluster-issuers";
import { EXTERNAL_SECRETS_ROLE, EXTERNAL_SECRETS_SERVICE_ACCOUNT, KUBERNETES_AUTH_PATH, KV_MOUNT, VAULT_TOKEN_AUDIENCE } from "../../bootstrap/vault/constants";
import { NATS_ACCOUNTS_KEY, NATS_ACCOUNTS_SECRET, NATS_STORE_BYTES } from "../../bootstrap/vault/nats-accounts";
import { SSO_KUBERNETES_CLIENT_ID } from "../../components/cluster-access";

type Stack = { apps: Application[]; values: (app: string) => Doc; manifests: (app: string) => Doc[] };

function stack(environment: Environment): Stack {
  const apps = applicationsFor(environment);
  const app = (name: string): Application => {
    const found = apps.find((a) => a.metadata.name === name);
    if (!found) throw new Error(`no Application ${name}`);
    return found;
  };
  return {
    apps,
    values: (name) => helmValues(app(name)),
    manifests: (name) =>
      app(name)
        .spec.sources.filter(isPlatformRepo)
        .flatMap((s) => manifestsOf(s, name)),
  };
}

const named = (docs: Doc[], kind: string, name: string): Doc => {
  const doc = docs.find((d) => d.kind === kind && (d.metadata as { name: string }).name === name);
  if (!doc) throw new Error(`no ${kind}/${name}`);
  return doc;
};

let staging: Stack;
let production: Stack;
beforeAll(() => {
  staging = stack("staging");
  production = stack("production");
});

describe("kube-prometheus-stack", () => {
  it("selects every ServiceMonitor/PodMonitor/PrometheusRule/Probe/ScrapeConfig in the cluster", () => {
    const spec = at(production.values("kube-prometheus-stack"), "prometheus", "prometheusSpec") as Doc;
    for (const kind of ["serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"]) {
      expect(spec[`${kind}SelectorNilUsesHelmValues`], kind).toBe(false);
    }
  });

  it("is HA and persistent in production, small in staging, retention per environment", () => {
    const prod = at(production.values("kube-prometheus-stack"), "prometheus", "prometheusSpec") as Doc;
    const stag = at(staging.values("kube-prometheus-stack"), "prometheus", "prometheusSpec") as Doc;
    expect([prod.replicas, prod.retention, prod.podAntiAffinity]).toEqual([2, "30d", "hard"]);
    expect(at(prod, "storageSpec", "volumeClaimTemplate", "spec", "resources", "requests", "storage")).toBe("200Gi");
    expect([stag.replicas, stag.retention]).toEqual([1, "7d"]);
    expect(at(production.values("kube-prometheus-stack"), "alertmanager", "alertmanagerSpec", "replicas")).toBe(3);
  });

  it("does not scrape the EKS-managed control plane or localhost-bound kube-proxy", () => {
    const values = production.values("kube-prometheus-stack");
    expect(
      ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy", "kubeApiServer", "kubelet", "coreDns"].map(
        (c) => at(values, c, "enabled") ?? "default",
      ),
    ).toEqual([false, false, false, false, "default", "default", "default"]);
  });

  it("issues the operator's webhook certificate with cert-manager (no Helm-hook Jobs)", () => {
    expect(at(staging.values("kube-prometheus-stack"), "prometheusOperator", "admissionWebhooks")).toEqual({ enabled: true, certManager: { enabled: true } });
  });

  it("labels metrics with the stack from the cluster Secret", () => {
    expect(at(production.values("kube-prometheus-stack"), "prometheus", "prometheusSpec", "externalLabels")).toEqual({
      cluster: "holodeck-production-eu-central-1",
      region: "eu-central-1",
      environment: "production",
      aws_account_id: "123456789012",
    });
  });

  it("reads Alertmanager's config from the Secret that External Secrets fills from Vault", () => {
    const spec = at(production.values("kube-prometheus-stack"), "alertmanager", "alertmanagerSpec") as Doc;
    expect([spec.useExistingSecret, spec.configSecret]).toEqual([true, "alertmanager-config"]);
    const external = named(production.manifests("platform-monitoring"), "ExternalSecret", "alertmanager-config") as { spec: Doc };
    expect(at(external.spec, "target", "name")).toBe("alertmanager-config");
    expect(at(external.spec, "data")).toEqual([{ secretKey: "alertmanager.yaml", remoteRef: { key: "platform/monitoring/alertmanager", property: "config" } }]);
  });
});

describe("Grafana", () => {
  it('loads dashboards labelled grafana_dashboard: "1" from every namespace', () => {
    expect(at(production.values("grafana"), "sidecar", "dashboards")).toMatchObject({
      enabled: true,
      label: "grafana_dashboard",
      labelValue: "1",
      searchNamespace: "ALL",
    });
    const dashboard = named(production.manifests("platform-monitoring"), "ConfigMap", "dashboard-holodeck-platform");
    expect((dashboard.metadata as { labels: Doc }).labels).toEqual({ grafana_dashboard: "1" });
  });

  it("has the Prometheus, Loki and Jaeger datasources at their in-cluster services", () => {
    const sources = at(production.values("grafana"), "datasources", "datasources.yaml", "datasources") as Array<{ type: string; url: string }>;
    expect(sources.map((s) => [s.type, s.url])).toEqual([
      ["prometheus", "http://kube-prometheus-stack-prometheus.monitoring.svc:9090"],
      ["loki", "http://loki-gateway.loki.svc"],
      ["jaeger", "http://jaeger-collector.observability.svc:16686"],
    ]);
  });

  it("keeps its database (the teams' organisations) on a volume in every environment (Recreate: the volume is ReadWriteOnce)", () => {
    const pick = (v: Doc) => [at(v, "replicas"), at(v, "persistence", "enabled"), at(v, "persistence", "size"), at(v, "deploymentStrategy", "type")];
    expect(pick(staging.values("grafana"))).toEqual([1, true, "10Gi", "Recreate"]);
    expect(pick(production.values("grafana"))).toEqual([1, true, "10Gi", "Recreate"]);
  });

  it("logs in with OIDC and is served at grafana.<domain> with TLS from the stack's issuer", () => {
    const values = staging.values("grafana");
    expect(at(values, "grafana.ini", "auth.generic_oauth", "enabled")).toBe(true);
    expect(at(values, "envFromSecret")).toBe("grafana-oidc");
    expect(at(values, "ingress", "hosts")).toEqual(["grafana.staging.eu-west-1.holodeck.dev"]);
    expect(at(values, "ingress", "annotations")).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt-prod" });
    expect(at(values, "grafana.ini", "server", "root_url")).toBe("https://grafana.staging.eu-west-1.holodeck.dev");
  });
});

describe("Loki and Alloy", () => {
  it("Loki stores on the stack's S3 bucket through IRSA (service account loki:loki, as the role trusts)", () => {
    const values = production.values("loki");
    expect(production.apps.find((a) => a.metadata.name === "loki")?.spec.destination.namespace).toBe("loki");
    expect(at(values, "loki", "storage", "bucketNames")).toEqual({
      chunks: "holodeck-production-eu-central-1-loki",
      ruler: "holodeck-production-eu-central-1-loki",
    });
    expect(at(values, "loki", "storage", "s3", "region")).toBe("eu-central-1");
    expect(at(values, "serviceAccount", "annotations", "eks.amazonaws.com/role-arn")).toBe(
      "arn:aws:iam::123456789012:role/holodeck-production-eu-central-1-loki",
    );
  });

  it("keeps logs 7 days on one replica in staging, 30 days on three in production", () => {
    const pick = (v: Doc) => [
      at(v, "loki", "limits_config", "retention_period"),
      at(v, "singleBinary", "replicas"),
      at(v, "loki", "commonConfig", "replication_factor"),
    ];
    expect(pick(staging.values("loki"))).toEqual(["168h", 1, 1]);
    expect(pick(production.values("loki"))).toEqual(["720h", 3, 3]);
  });

  it("Alloy ships pod logs to the Loki gateway with the cluster's labels", () => {
    const values = staging.values("alloy");
    expect(at(values, "controller", "type")).toBe("daemonset");
    expect(String(at(values, "alloy", "configMap", "content"))).toContain('url = "http://loki-gateway.loki.svc.cluster.local/loki/api/v1/push"');
    expect((at(values, "alloy", "extraEnv") as Array<{ name: string; value?: string }>).map((e) => [e.name, e.value])).toEqual([
      ["NODE_NAME", undefined],
      ["CLUSTER_NAME", "holodeck-staging-eu-west-1"],
      ["ENVIRONMENT", "staging"],
    ]);
  });
});

describe("Istio and Jaeger", () => {
  it("sidecar injection is opt-in and mTLS is STRICT mesh-wide", () => {
    expect(at(production.values("istiod"), "sidecarInjectorWebhook", "enableNamespacesByDefault")).toBe(false);
    const policy = named(production.manifests("istiod"), "PeerAuthentication", "default") as { metadata: Doc; spec: Doc };
    expect([policy.metadata.namespace, at(policy.spec, "mtls", "mode")]).toEqual(["istio-system", "STRICT"]);
  });

  it("istiod: one replica without PDB in staging, 2-5 with the chart's PDB in production", () => {
    const pick = (v: Doc) => [
      at(v, "autoscaleEnabled"),
      at(v, "autoscaleMin"),
      at(v, "replicaCount"),
      at(v, "global", "defaultPodDisruptionBudget", "enabled") ?? "chart default (on)",
    ];
    expect(pick(staging.values("istiod"))).toEqual([false, undefined, 1, false]);
    expect(pick(production.values("istiod"))).toEqual([true, 2, 2, "chart default (on)"]);
  });

  it("traces go over OTLP to jaeger-collector.observability:4317 (contract 5)", () => {
    const providers = at(production.values("istiod"), "meshConfig", "extensionProviders") as Array<{ name: string; opentelemetry: Doc }>;
    const telemetry = named(production.manifests("istiod"), "Telemetry", "mesh-default") as { spec: Doc };
    const used = (at(telemetry.spec, "tracing") as Array<{ providers: Array<{ name: string }> }>)[0].providers[0].name;
    expect(providers.find((p) => p.name === used)?.opentelemetry).toEqual({ service: "jaeger-collector.observability.svc.cluster.local", port: 4317 });
    expect(at(production.values("jaeger"), "fullnameOverride")).toBe("jaeger-collector");
    expect(at(production.values("jaeger"), "userconfig", "receivers", "otlp", "protocols")).toEqual({
      grpc: { endpoint: "0.0.0.0:4317" },
      http: { endpoint: "0.0.0.0:4318" },
    });
  });

  it("Jaeger keeps traces in memory in staging and on a Badger volume in production", () => {
    const backend = (s: Stack) => at(s.values("jaeger"), "userconfig", "extensions", "jaeger_storage", "backends", "primary_store") as Doc;
    expect(backend(staging)).toEqual({ memory: { max_traces: 100000 } });
    expect(Object.keys(backend(production))).toEqual(["badger"]);
    expect(at(production.values("jaeger"), "jaeger", "extraVolumes")).toEqual([{ name: "badger", persistentVolumeClaim: { claimName: "jaeger-badger" } }]);
    expect(
      production
        .manifests("jaeger")
        .filter((d) => d.kind === "PersistentVolumeClaim")
        .map((d) => (d.metadata as { name: string }).name),
    ).toEqual(["jaeger-badger"]);
    expect(staging.manifests("jaeger").filter((d) => d.kind === "PersistentVolumeClaim")).toEqual([]);
  });
});

describe("NATS", () => {
  it("runs JetStream on 3 clustered replicas in production, one server in staging", () => {
    const pick = (v: Doc) => [
      at(v, "config", "cluster", "enabled"),
      at(v, "config", "cluster", "replicas"),
      at(v, "config", "jetstream", "enabled"),
      at(v, "config", "jetstream", "fileStore", "pvc", "size"),
    ];
    expect(pick(production.values("nats"))).toEqual([true, 3, true, "50Gi"]);
    expect(pick(staging.values("nats"))).toEqual([false, undefined, true, "5Gi"]);
  });

  it("the team sync sizes the teams' JetStream for exactly these stores (NATS_STORE_BYTES = the PVC size)", () => {
    const bytes = (size: unknown): number => Number(/^(\d+)Gi$/.exec(String(size))?.[1]) * 1024 ** 3;
    expect(bytes(at(staging.values("nats"), "config", "jetstream", "fileStore", "pvc", "size"))).toBe(NATS_STORE_BYTES.staging);
    expect(bytes(at(production.values("nats"), "config", "jetstream", "fileStore", "pvc", "size"))).toBe(NATS_STORE_BYTES.production);
    expect(at(production.values("nats"), "config", "jetstream", "memoryStore")).toBeUndefined();
  });

  it("has no anonymous access: SYS's password from the Vault-synced Secret, the teams' accounts included from theirs", () => {
    const values = production.values("nats");
    const accounts = at(values, "config", "merge", "accounts") as Record<string, unknown>;
    expect(accounts).toEqual({ SYS: { users: [{ user: "SYS", password: "<< $NATS_SYS_PASSWORD >>" }] }, $include: `../nats-accounts/${NATS_ACCOUNTS_KEY}` });
    expect(at(values, "config", "merge", "no_auth_user")).toBeUndefined();
    expect(at(values, "container", "env")).toEqual({ NATS_SYS_PASSWORD: { valueFrom: { secretKeyRef: { name: "nats-auth", key: "sys-password" } } } });
    const auth = named(production.manifests("nats"), "ExternalSecret", "nats-auth") as { spec: { data: Doc[] } };
    expect(auth.spec.data).toEqual([{ secretKey: "sys-password", remoteRef: { key: "platform/nats/auth", property: "sys-password" } }]);
    // The included file: the Secret nats-accounts mounted beside the chart's /etc/nats-config.
    expect(at(values, "container", "patch")).toEqual([
      { op: "add", path: "/volumeMounts/-", value: { name: "nats-accounts", mountPath: "/etc/nats-accounts", readOnly: true } },
    ]);
    expect(at(values, "podTemplate", "patch")).toEqual([
      { op: "add", path: "/spec/volumes/-", value: { name: "nats-accounts", secret: { secretName: "nats-accounts" } } },
    ]);
    const generated = named(production.manifests("nats"), "ExternalSecret", "nats-accounts") as { spec: Doc };
    expect(generated.spec).toEqual({
      refreshInterval: "1m",
      secretStoreRef: { kind: "ClusterSecretStore", name: "vault" },
      target: { name: "nats-accounts", creationPolicy: "Owner", deletionPolicy: "Retain" },
      data: [{ secretKey: NATS_ACCOUNTS_KEY, remoteRef: { key: NATS_ACCOUNTS_SECRET, property: NATS_ACCOUNTS_KEY } }],
    });
    expect([at(values, "promExporter", "enabled"), at(values, "promExporter", "podMonitor", "enabled")]).toEqual([true, true]);
  });
});

describe("External Secrets and Kiali", () => {
  it("the ClusterSecretStore vault uses Kubernetes auth with referent service accounts at the stack's Vault", () => {
    const store = named(staging.manifests("external-secrets"), "ClusterSecretStore", "vault") as { spec: Doc };
    // Names from bootstrap's Vault configuration and internal CA, not copies of them.
    expect(at(store.spec, "provider", "vault")).toEqual({
      server: "https://vault.vault.svc:8200",
      path: KV_MOUNT,
      version: "v2",
      caProvider: { type: "Secret", name: INTERNAL_CA_ISSUER, namespace: CERT_MANAGER_NAMESPACE, key: "ca.crt" },
      auth: {
        kubernetes: {
          mountPath: KUBERNETES_AUTH_PATH,
          role: EXTERNAL_SECRETS_ROLE,
          serviceAccountRef: { name: EXTERNAL_SECRETS_SERVICE_ACCOUNT, audiences: [VAULT_TOKEN_AUDIENCE] },
        },
      },
    });
  });

  it("Kiali uses Prometheus, Grafana and Jaeger, logs in with OpenID at the stack's issuer", () => {
    const spec = at(production.values("kiali"), "cr", "spec") as Doc;
    expect(at(spec, "auth", "strategy")).toBe("openid");
    expect(at(spec, "auth", "openid", "issuer_uri")).toBe("https://sso.holodeck.dev/realms/platform");
    expect(at(spec, "external_services", "prometheus", "url")).toBe("http://kube-prometheus-stack-prometheus.monitoring.svc:9090");
    expect(at(spec, "external_services", "grafana", "external_url")).toBe("https://grafana.production.eu-central-1.holodeck.dev");
    expect(at(spec, "external_services", "tracing")).toMatchObject({
      enabled: true,
      provider: "jaeger",
      internal_url: "http://jaeger-collector.observability.svc:16685",
    });
    expect(at(spec, "deployment", "replicas")).toBe(2);
  });

  it("Kiali uses each person's own Kubernetes RBAC (OpenID, RBAC on, groups claim requested) and stays read-only", () => {
    for (const env of [production, staging]) {
      const spec = at(env.values("kiali"), "cr", "spec") as Doc;
      expect(at(spec, "auth", "openid", "disable_rbac")).toBe(false);
      expect(at(spec, "auth", "openid", "client_id")).toBe(SSO_KUBERNETES_CLIENT_ID);
      expect(at(spec, "auth", "openid", "username_claim")).toBe("email");
      expect(at(spec, "auth", "openid", "scopes")).toEqual(["openid", "email", "profile", "groups"]);
      expect(at(spec, "deployment", "view_only_mode")).toBe(true);
    }
  });
});
