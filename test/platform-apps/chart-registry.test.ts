// Argo CD's credentials for the holodeck-service chart (contracts §8): External Secrets mints
// an ECR token from the IRSA role in the cluster Secret and writes an Argo CD repository
// Secret for oci://<registry of record>/charts, refreshed well inside the token's 12 hours.
import { beforeAll, describe, expect, it } from "vitest";
import { CHART_PULL_ACCOUNT, CHART_REPOSITORY_PREFIX } from "../../bootstrap/platform-identities/platform-identities";
import { validateManifest } from "../harness/k8s-schema";
import { ENVIRONMENTS } from "../../model/environment";
import { applicationsFor, clusterSecret, isPlatformRepo, manifestsOf, type Doc } from "./platform";

const meta = (doc: Doc): { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> } =>
  doc.metadata as { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };

describe.each(ENVIRONMENTS)("chart registry credentials in %s", (environment) => {
  const annotations = clusterSecret(environment).metadata.annotations;
  let docs: Doc[] = [];
  const one = (kind: string): Doc => {
    const found = docs.filter((d) => d.kind === kind && meta(d).namespace === "argocd");
    if (found.length !== 1) throw new Error(`expected one ${kind} in argocd, found ${found.length}`);
    return found[0];
  };
  beforeAll(() => {
    const app = applicationsFor(environment).find((a) => a.metadata.name === "external-secrets");
    if (!app) throw new Error("no external-secrets Application");
    docs = app.spec.sources.filter(isPlatformRepo).flatMap((source) => manifestsOf(source, app.metadata.name));
  });

  it("runs the token generator as the IRSA service account bootstrap trusts, with the role from the cluster Secret", () => {
    const account = one("ServiceAccount");
    expect([meta(account).namespace, meta(account).name]).toEqual([CHART_PULL_ACCOUNT.namespace, CHART_PULL_ACCOUNT.serviceAccount]);
    expect(meta(account).annotations?.["eks.amazonaws.com/role-arn"]).toBe(annotations.chart_pull_role_arn);
    const generator = one("ECRAuthorizationToken");
    expect(generator.apiVersion).toBe("generators.external-secrets.io/v1alpha1");
    expect(generator.spec).toEqual({
      region: annotations.chart_registry_region,
      auth: { jwt: { serviceAccountRef: { name: CHART_PULL_ACCOUNT.serviceAccount } } },
    });
    expect(() => validateManifest(generator, "chart-registry generator")).not.toThrow();
  });

  it("writes an Argo CD helm OCI repository Secret for <registry host>/charts, refreshed every 6 hours", () => {
    const secret = one("ExternalSecret");
    const spec = secret.spec as {
      refreshInterval: string;
      dataFrom: unknown[];
      target: { template: { metadata: { labels: Record<string, string> }; data: Record<string, string> } };
    };
    expect(spec.refreshInterval).toBe("6h");
    expect(spec.dataFrom).toEqual([
      { sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "ECRAuthorizationToken", name: "chart-registry" } } },
    ]);
    expect(spec.target.template.metadata.labels).toEqual({ "argocd.argoproj.io/secret-type": "repository" });
    expect(spec.target.template.data).toEqual({
      name: "holodeck-charts",
      type: "helm",
      enableOCI: "true",
      url: `${annotations.chart_registry_host}/${CHART_REPOSITORY_PREFIX}`,
      username: "{{ .username }}",
      password: "{{ .password }}",
    });
    expect(() => validateManifest(secret, "chart-registry ExternalSecret")).not.toThrow();
  });
});
