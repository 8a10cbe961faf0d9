// Every bootstrap Helm release per stack: chart, repository, exact version and the
// security- and availability-relevant values (checked against each chart version's
// values.yaml when written; a misspelled key would be silently ignored by Helm).
import { beforeAll, describe, expect, it } from "vitest";
import { recordedStack, type StackRecording } from "../harness/stacks";
import type { Edge } from "../../model";
import { chartsOn, edgeOf, stackOnEdge } from "./edges";
import { FACTS, STACKS, at, input, release } from "./helpers";

/** chart, repository, version of every pin a stack on `edge` installs. */
const pins = (edge: Edge): [string, string, string][] => chartsOn(edge).map((pin) => [pin.chart, pin.repo, pin.version]);

function expectPinnedCharts(rec: StackRecording, edge: Edge): void {
  expect(
    rec
      .byType("kubernetes:helm.sh/v3:Release")
      .map((r) => r.inputs.chart)
      .sort(),
  ).toEqual(
    pins(edge)
      .map(([chart]) => chart)
      .sort(),
  );
  for (const [chart, repo, version] of pins(edge)) {
    const r = release(rec, chart);
    // An OCI chart (oci://... in `chart`) has no repository.
    expect(r.inputs.repositoryOpts).toEqual(repo ? { repo } : undefined);
    expect(input(r, "version")).toBe(version);
    expect(input(r, "createNamespace")).toBe(false);
  }
}

describe.each(STACKS)("%s releases", (stack) => {
  const facts = FACTS[stack];
  const production = facts.environment === "production";
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });

  it("installs exactly the pinned charts of its edge from their repositories", () => {
    expectPinnedCharts(rec, edgeOf(stack));
  });

  it("waits (atomic) for every release except Vault, whose pods need the init Job", () => {
    for (const [chart] of pins(edgeOf(stack))) {
      const r = release(rec, chart);
      expect([chart, input(r, "skipAwait"), input(r, "atomic")]).toEqual(chart === "vault" ? [chart, true, false] : [chart, false, true]);
    }
  });

  it("AWS Load Balancer Controller: this cluster, 2 replicas with PDB, no WAF/Shield calls", () => {
    const v = input<Record<string, unknown>>(release(rec, "aws-load-balancer-controller"), "values");
    expect(v.clusterName).toBe(facts.clusterName);
    expect(v.region).toBe(facts.region);
    expect(v.vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(v.replicaCount).toBe(2);
    expect(v.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    expect([v.enableShield, v.enableWaf, v.enableWafv2]).toEqual([false, false, false]);
    expect(input(release(rec, "aws-load-balancer-controller"), "values.serviceAccount.name")).toBe("aws-load-balancer-controller");
    expect(input(release(rec, "aws-load-balancer-controller"), "namespace")).toBe("kube-system");
  });

  it("cert-manager: CRDs installed and kept by the chart, HA in production", () => {
    const v = input<Record<string, unknown>>(release(rec, "cert-manager"), "values");
    expect(v.crds).toEqual({ enabled: true, keep: true });
    const replicas = production ? 2 : 1;
    expect([v.replicaCount, at(v, "webhook.replicaCount"), at(v, "cainjector.replicaCount")]).toEqual([replicas, replicas, replicas]);
    expect(v.podDisruptionBudget).toEqual({ enabled: production });
    expect(input(release(rec, "cert-manager"), "values.serviceAccount.name")).toBe("cert-manager");
  });

  it("Vault: HA raft with 3 replicas, TLS on, injector off, no Ingress on the gateway edge (its HTTPRoute), zone anti-affinity", () => {
    const r = release(rec, "vault");
    expect(input(r, "values.global.tlsDisable")).toBe(false);
    expect(input(r, "values.injector.enabled")).toBe(false);
    expect(input(r, "values.ui.enabled")).toBe(true);
    expect(input(r, "values.server.ha.enabled")).toBe(true);
    expect(input(r, "values.server.ha.replicas")).toBe(3);
    expect(input(r, "values.server.ha.raft.enabled")).toBe(true);
    expect(input(r, "values.server.ha.raft.setNodeId")).toBe(true);
    expect(input(r, "values.server.persistentVolumeClaimRetentionPolicy")).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(input(r, "values.server.extraVolumes")).toEqual([{ type: "secret", name: "vault-tls" }]);
    expect(input(r, "values.server.ingress")).toEqual({ enabled: false });
    expect(rec.one("kubernetes:core/v1:Namespace", "-vault-ns").retainOnDelete).toBe(true);
    const antiAffinity = input<Record<string, { topologyKey: string }[]>>(r, "values.server.affinity.podAntiAffinity");
    const required = antiAffinity.requiredDuringSchedulingIgnoredDuringExecution.map((t) => t.topologyKey);
    expect(required).toEqual(production ? ["topology.kubernetes.io/zone", "kubernetes.io/hostname"] : ["kubernetes.io/hostname"]);
  });

  it("Vault config: TLS listener, raft retry_join over all 3 pods, awskms seal with the stack's key", () => {
    const hcl = input<string>(release(rec, "vault"), "values.server.ha.raft.config");
    expect(hcl).toContain('tls_cert_file   = "/vault/userconfig/vault-tls/tls.crt"');
    expect(hcl).not.toContain("tls_disable");
    for (const pod of [0, 1, 2]) expect(hcl).toContain(`leader_api_addr     = "https://vault-${pod}.vault-internal:8200"`);
    expect(hcl).toMatch(new RegExp(`seal "awskms" \\{\\n  region     = "${facts.region}"\\n  kms_key_id = "[0-9a-f-]{36}"\\n\\}`));
    const unsealKey = rec.resources.find((r) => r.type === "aws:kms/key:Key" && r.name.endsWith("-vault-unseal-key"));
    expect(unsealKey?.protect).toBe(true);
  });

  it("Argo CD: admin off and HA in production, OIDC, annotation tracking, health checks", () => {
    const r = release(rec, "argo-cd");
    const cm = input<Record<string, unknown>>(r, "values.configs.cm");
    expect(cm["admin.enabled"]).toBe(!production);
    expect(cm["application.resourceTrackingMethod"]).toBe("annotation");
    expect(cm["exec.enabled"]).toBe(false);
    expect(cm["oidc.config"]).toContain("clientSecret: $argocd-oidc:clientSecret");
    expect(cm["oidc.config"]).toContain("issuer: https://sso.holodeck.dev/realms/holodeck");
    expect(
      Object.keys(cm)
        .filter((k) => k.startsWith("resource.customizations.health."))
        .sort(),
    ).toEqual(["resource.customizations.health.external-secrets.io_ExternalSecret", "resource.customizations.health.platform.holodeck.dev_PostgresInstance"]);
    expect(input(r, "values.redis-ha.enabled")).toBe(production);
    const ha = (n: number): number => (production ? n : 1);
    expect(input(r, "values.controller.replicas")).toBe(ha(2));
    expect(input(r, "values.server.replicas")).toBe(ha(3));
    expect(input(r, "values.repoServer.replicas")).toBe(ha(2));
    expect(input(r, "values.applicationSet.replicas")).toBe(ha(2));
    expect(input(r, "values.server.pdb")).toEqual({ enabled: production });
    expect(input(r, "values.dex.enabled")).toBe(false);
    expect(input(r, "values.global.domain")).toBe(`argocd.${facts.domain}`);
    // Every shipped stack runs the gateway edge: its HTTPRoute serves argocd-server, no Ingress.
    expect(edgeOf(stack)).toBe("gateway");
    expect(input(r, "values.server.ingress")).toEqual({ enabled: false });
    // Argo CD 3.6.2 on the chart of 3.4 (test/bootstrap/argocd-version.test.ts: its CRDs and RBAC).
    expect(input(r, "values.global.image")).toEqual({ tag: "v3.6.2" });
    // No default role: SSO users see only what their team's AppProject role grants (test/self-service/argocd-rbac.test.ts).
    expect(input(r, "values.configs.rbac")).toEqual({
      "policy.default": "",
      "policy.csv": "g, holodeck-platform-admins, role:admin\n",
      scopes: "[groups]",
    });
  });
});

describe.each(STACKS)("%s releases on the ingress-nginx edge", (stack) => {
  const production = FACTS[stack].environment === "production";
  let rec: StackRecording;
  beforeAll(() => {
    rec = stackOnEdge(stack, "ingress-nginx");
  });

  it("installs exactly the pinned charts of its edge from their repositories", () => {
    expectPinnedCharts(rec, "ingress-nginx");
  });

  it("ingress-nginx: replicas and PDB by environment, metrics and admission webhook on, wildcard default certificate", () => {
    const c = input<Record<string, unknown>>(release(rec, "ingress-nginx"), "values.controller");
    expect(c.replicaCount).toBe(production ? 3 : 1);
    expect(c.minAvailable).toBe(production ? 2 : 1);
    expect((c.topologySpreadConstraints as unknown[]).length).toBe(production ? 1 : 0);
    expect(at(c, "admissionWebhooks.enabled")).toBe(true);
    expect(c.metrics).toEqual({ enabled: true, serviceMonitor: { enabled: false } });
    expect(c.allowSnippetAnnotations).toBe(false);
    expect(c.ingressClassResource).toEqual({ name: "nginx", enabled: true, default: true });
    expect(c.service).toEqual({ enabled: false });
    expect(c.extraArgs).toEqual({
      "default-ssl-certificate": "ingress-nginx/wildcard-tls",
      "publish-service": "ingress-nginx/ingress-nginx-controller",
    });
  });

  it("Argo CD: argocd-server's Ingress on ingress-nginx, TLS from the wildcard certificate", () => {
    const host = `argocd.${FACTS[stack].domain}`;
    expect(input(release(rec, "argo-cd"), "values.server.ingress")).toEqual({
      enabled: true,
      ingressClassName: "nginx",
      hostname: host,
      extraTls: [{ hosts: [host] }],
    });
  });
});
