// IRSA: the add-ons that call AWS run under exactly the service accounts whose IAM roles
// bootstrap creates (bootstrap/platform-identities/platform-identities.ts), with the role ARNs from the cluster Secret.
import { beforeAll, describe, expect, it } from "vitest";
import { CROSSPLANE_PROVIDER_ACCOUNT, LOKI_ACCOUNT } from "../../bootstrap/platform-identities/platform-identities";
import { applicationsFor, isPlatformRepo, manifestsOf, type Application, type Doc } from "./platform";
import { at, chartSource, helmValues } from "./values";

let apps: Application[] = [];
const app = (name: string): Application => {
  const found = apps.find((a) => a.metadata.name === name);
  if (!found) throw new Error(`no Application ${name}`);
  return found;
};

beforeAll(() => {
  apps = applicationsFor("production");
});

describe("IRSA service accounts", () => {
  it("the RDS provider runs as the Crossplane role's service account, annotated with its ARN", () => {
    const docs = app("crossplane-packages")
      .spec.sources.filter(isPlatformRepo)
      .flatMap((s) => manifestsOf(s, "crossplane-packages"));
    const runtime = docs.find((d) => d.kind === "DeploymentRuntimeConfig") as { metadata: Doc; spec: Doc };
    const provider = docs.find((d) => d.kind === "Provider") as { spec: { runtimeConfigRef: { name: string } } };
    expect(provider.spec.runtimeConfigRef.name).toBe(runtime.metadata.name);
    expect(app("crossplane-packages").spec.destination.namespace).toBe(CROSSPLANE_PROVIDER_ACCOUNT.namespace);
    expect(at(runtime.spec, "serviceAccountTemplate", "metadata")).toEqual({
      name: CROSSPLANE_PROVIDER_ACCOUNT.serviceAccount,
      annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/holodeck-production-eu-central-1-crossplane" },
    });
  });

  it("Loki runs as the Loki role's service account (chart default name = release name)", () => {
    const values = helmValues(app("loki"));
    expect(app("loki").spec.destination.namespace).toBe(LOKI_ACCOUNT.namespace);
    expect(chartSource(app("loki")).helm?.releaseName).toBe(LOKI_ACCOUNT.serviceAccount);
    expect([at(values, "serviceAccount", "create"), at(values, "serviceAccount", "name"), at(values, "fullnameOverride")]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(at(values, "serviceAccount", "annotations")).toEqual({
      "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/holodeck-production-eu-central-1-loki",
    });
  });
});
