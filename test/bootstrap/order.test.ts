// Create order (and so the reversed destroy order): a CRD-bearing release before its CRs,
// Vault before its configuration, Argo CD and every controller its apps need before the
// handoff objects, the load balancer controller before (and outliving) the NLB Service.
import { beforeAll, describe, expect, it } from "vitest";
import { type RecordedResource, type StackRecording } from "../harness/stacks";
import { EDGE_CHART, STACK_EDGES, stackOnEdge } from "./edges";
import { input, kubernetesObjects, release, waitsFor } from "./helpers";

describe.each(STACK_EDGES)("%s dependency order (%s edge)", (stack, edge) => {
  let rec: StackRecording;
  beforeAll(() => {
    rec = stackOnEdge(stack, edge);
  });
  const controller = EDGE_CHART[edge];
  // Each edge's certificate and NLB keep their own names (bootstrap/ingress/edges.ts).
  const endpoint = edge === "gateway" ? "-gateway" : "-ingress";
  const ofGroup = (group: string): RecordedResource[] => kubernetesObjects(rec).filter((r) => String(r.inputs.apiVersion).startsWith(`${group}/`));
  const expectWaits = (dependents: RecordedResource[], dependency: RecordedResource): void => {
    expect(dependents.length).toBeGreaterThan(0);
    for (const dependent of dependents) expect([dependent.name, waitsFor(rec, dependent, dependency)]).toEqual([dependent.name, true]);
  };

  it("installs the charts side by side: only Argo CD and a publicly reachable Vault wait, for ingress-nginx's admission webhook", () => {
    const charts = ["aws-load-balancer-controller", "cert-manager", controller, "vault", "argo-cd"];
    const vaultIngress = input<boolean>(release(rec, "vault"), "values.server.ingress.enabled");
    const waits = charts.flatMap((chart) =>
      charts.filter((other) => other !== chart && waitsFor(rec, release(rec, chart), release(rec, other))).map((other) => `${chart} -> ${other}`),
    );
    // Vault's listener Certificate is a cert-manager CR, so the vault release follows cert-manager.
    // The gateway edge has no admission webhook: nothing waits for Envoy Gateway.
    const admission = edge === "ingress-nginx" ? [...(vaultIngress ? ["vault -> ingress-nginx"] : []), "argo-cd -> ingress-nginx"] : [];
    expect(waits).toEqual(["vault -> cert-manager", ...admission]);
  });

  it("lets the other charts' Services and Ingresses through while the load balancer controller starts", () => {
    const lbc = release(rec, "aws-load-balancer-controller");
    expect(input(lbc, "values.serviceMutatorWebhookConfig")).toEqual({ failurePolicy: "Ignore" });
    expect(input(lbc, "values.webhookConfig")).toEqual({ disableIngressValidation: true });
  });

  it("installs the edge's controller without waiting for the wildcard certificate (it serves the Secret when written)", () => {
    const certificate = rec.one("kubernetes:cert-manager.io/v1:Certificate", "-wildcard-cert");
    expect(waitsFor(rec, release(rec, controller), certificate)).toBe(false);
    expect(waitsFor(rec, certificate, rec.one("kubernetes:cert-manager.io/v1:ClusterIssuer", "-issuers-letsencrypt-prod"))).toBe(true);
    expect(waitsFor(rec, certificate, rec.one("kubernetes:cert-manager.io/v1:ClusterIssuer", "-issuers-internal-ca"))).toBe(false);
  });

  it("creates every cert-manager object after the cert-manager release (its CRDs)", () => {
    const crs = ofGroup("cert-manager.io");
    expect(crs.map((r) => `${String(r.inputs.kind)}/${String((r.inputs.metadata as { name: string }).name)}`).sort()).toEqual([
      "Certificate/holodeck-internal-ca",
      "Certificate/vault-tls",
      "Certificate/wildcard-tls",
      "ClusterIssuer/holodeck-internal-ca",
      "ClusterIssuer/holodeck-selfsigned",
      "ClusterIssuer/letsencrypt-prod",
      "ClusterIssuer/letsencrypt-staging",
    ]);
    expectWaits(crs, release(rec, "cert-manager"));
  });

  it("issues Vault's certificate from the internal CA issuer before Vault starts", () => {
    const vaultTls = rec.one("kubernetes:cert-manager.io/v1:Certificate", "-vault-tls");
    expect(waitsFor(rec, vaultTls, rec.one("kubernetes:cert-manager.io/v1:ClusterIssuer", "-issuers-internal-ca"))).toBe(true);
    expect(waitsFor(rec, release(rec, "vault"), vaultTls)).toBe(true);
  });

  it("creates every Argo CD object after the argo-cd release (its CRDs) and the cluster Secret before the roots", () => {
    const argo = ofGroup("argoproj.io");
    expect(argo.map((r) => String(r.inputs.kind)).sort()).toEqual(["AppProject", "Application", "ApplicationSet", "ApplicationSet"]);
    expectWaits(argo, release(rec, "argo-cd"));
    const clusterSecret = rec.one("kubernetes:core/v1:Secret", "-handoff-cluster-secret");
    expectWaits(
      argo.filter((r) => r.inputs.kind !== "AppProject"),
      clusterSecret,
    );
    expect(waitsFor(rec, clusterSecret, release(rec, "argo-cd"))).toBe(true);
  });

  it("makes Pulumi wait until each Certificate and the CA issuer are Ready, not just accepted", () => {
    const gated = ofGroup("cert-manager.io").filter(
      (r) => r.inputs.kind === "Certificate" || (r.inputs.metadata as { name: string }).name === "holodeck-internal-ca",
    );
    expect(gated).toHaveLength(4);
    for (const r of gated)
      expect([r.name, (r.inputs.metadata as { annotations?: Record<string, string> }).annotations]).toEqual([
        r.name,
        { "pulumi.com/waitFor": "condition=Ready" },
      ]);
  });

  it("configures Vault through its public name only once the record and the wildcard certificate exist", () => {
    const provider = rec.byType("pulumi:providers:vault")[0];
    expect(waitsFor(rec, provider, rec.one("aws:route53/record:Record", "-ingress-wildcard-dns"))).toBe(true);
    expect(waitsFor(rec, provider, rec.one("kubernetes:cert-manager.io/v1:Certificate", `${endpoint}-wildcard-cert`))).toBe(true);
  });

  it("configures Vault only after the init Job, and snapshots and team sync only after the configuration", () => {
    const job = rec.one("kubernetes:batch/v1:Job", "-vault-init-job");
    expect(waitsFor(rec, job, release(rec, "vault"))).toBe(true);
    const vaultObjects = rec.resources.filter((r) => r.type.startsWith("vault:"));
    expect(vaultObjects.map((r) => r.type).sort()).toEqual([
      "vault:identity/group:Group",
      "vault:identity/groupAlias:GroupAlias",
      "vault:index/audit:Audit",
      "vault:index/authBackend:AuthBackend",
      "vault:index/mount:Mount",
      "vault:index/policy:Policy",
      "vault:index/policy:Policy",
      "vault:index/policy:Policy",
      "vault:index/policy:Policy",
      "vault:jwt/authBackend:AuthBackend",
      "vault:jwt/authBackendRole:AuthBackendRole",
      "vault:kubernetes/authBackendConfig:AuthBackendConfig",
      "vault:kubernetes/authBackendRole:AuthBackendRole",
      "vault:kubernetes/authBackendRole:AuthBackendRole",
      "vault:kubernetes/authBackendRole:AuthBackendRole",
      "vault:kv/secretV2:SecretV2",
      "vault:kv/secretV2:SecretV2",
    ]);
    expectWaits(vaultObjects, job);
    expectWaits(vaultObjects, release(rec, "vault"));
    const cronJob = rec.one("kubernetes:batch/v1:CronJob", "-vault-snapshots-cronjob");
    expect(waitsFor(rec, cronJob, rec.one("vault:kubernetes/authBackendRole:AuthBackendRole", "-raft-snapshot-role"))).toBe(true);
    const teamSync = rec.one("kubernetes:batch/v1:CronJob", "-team-sync-cronjob");
    expect(waitsFor(rec, teamSync, rec.one("vault:kubernetes/authBackendRole:AuthBackendRole", "-team-sync-role"))).toBe(true);
  });

  it("keeps the load balancer controller until the NLB Service is gone, and Argo CD's dependencies until the roots are gone", () => {
    const nlb = rec.one("kubernetes:core/v1:Service", `${endpoint}-nlb`);
    const lbc = release(rec, "aws-load-balancer-controller");
    expect(waitsFor(rec, nlb, lbc)).toBe(true);
    expect(nlb.inputs.spec).toMatchObject({ type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb" });
    const roots = ofGroup("argoproj.io").filter((r) => r.inputs.kind === "Application" || r.inputs.kind === "ApplicationSet");
    // Destroy runs in reverse: these are deleted (and Argo CD's cascade awaited) first.
    for (const needed of [lbc, nlb, release(rec, "argo-cd"), release(rec, "cert-manager"), release(rec, controller)]) expectWaits(roots, needed);
    const crossplaneRole = rec.resources.find((r) => r.type === "aws:iam/role:Role" && r.name.includes("-crossplane-irsa-"));
    if (!crossplaneRole) throw new Error("no crossplane role");
    expectWaits(roots, crossplaneRole);
  });

  it("creates every in-cluster object after the EKS cluster (and so deletes it before the cluster and the VPC)", () => {
    const cluster = rec.byType("aws:eks/cluster:Cluster")[0];
    const vpc = rec.byType("aws:ec2/vpc:Vpc")[0];
    const inCluster = [...kubernetesObjects(rec), ...rec.byType("kubernetes:helm.sh/v3:Release")].filter((r) => r.name.includes("-bootstrap-"));
    expect(inCluster.length).toBeGreaterThan(20);
    const providerUrn = (r: RecordedResource): string => String(r.provider).split("::").slice(0, -1).join("::");
    const k8sProvider = rec.resources.find((r) => r.type === "pulumi:providers:kubernetes");
    if (!k8sProvider) throw new Error("no kubernetes provider");
    for (const r of inCluster) expect([r.name, providerUrn(r)]).toEqual([r.name, k8sProvider.urn]);
    expect(waitsFor(rec, k8sProvider, cluster)).toBe(true);
    expect(waitsFor(rec, cluster, vpc)).toBe(true);
  });
});
