// The Crossplane IAM provider that makes the per-service ECR push roles (issue 14, docs/tenancy.md):
// ApplicationSet crossplane-push-roles, only on the registry of record's cluster, runs the provider
// under its own IRSA service account (not the RDS provider's), the same provider family and version
// as the RDS provider, and activates exactly the two managed resources the team chart renders.
import { describe, expect, it } from "vitest";
import { CROSSPLANE_IAM_PROVIDER_ACCOUNT, CROSSPLANE_PROVIDER_ACCOUNT } from "../../bootstrap/platform-identities/platform-identities";
import { clusterSecret, isPlatformRepo, loadAppSets, manifestsOf, type Application, type Doc } from "./platform";
import { renderForCluster } from "./template";

const APPSET = "crossplane-push-roles";
const ROLE_ARN = "arn:aws:iam::123456789012:role/holodeck-production-eu-west-1-crossplane-iam";

/** The Applications the ApplicationSet makes for a production cluster Secret with this push-roles label. */
function appsFor(pushRolesLabel: string): Application[] {
  const cluster = clusterSecret("production");
  cluster.metadata.labels.enable_ecr_push_roles = pushRolesLabel;
  cluster.metadata.annotations.crossplane_provider_aws_iam_role_arn = pushRolesLabel === "true" ? ROLE_ARN : "";
  const appset = loadAppSets().find(({ appset: a }) => (a.metadata as { name: string }).name === APPSET)?.appset;
  if (!appset) throw new Error(`no ApplicationSet ${APPSET} in platform-apps/applicationsets/kustomization.yaml`);
  return renderForCluster([appset], cluster).flat() as Application[];
}

const docsOf = (app: Application, name: string): Doc[] => app.spec.sources.filter(isPlatformRepo).flatMap((s) => manifestsOf(s, name));
const specOf = <T>(doc: Doc): T => (doc as unknown as { spec: T }).spec;
const nameOf = (doc: Doc): string => (doc.metadata as { name: string }).name;

describe("ApplicationSet crossplane-push-roles", () => {
  it('makes an Application only where enable_ecr_push_roles is "true" (the registry of record\'s cluster)', () => {
    expect(appsFor("true").map((a) => a.metadata.name)).toEqual([APPSET]);
    expect(appsFor("false")).toEqual([]);
  });

  it("runs the IAM provider as its own service account, annotated with the IAM provider's role (not the RDS provider's)", () => {
    const [app] = appsFor("true");
    expect(app.spec.destination.namespace).toBe(CROSSPLANE_IAM_PROVIDER_ACCOUNT.namespace);
    const docs = docsOf(app, APPSET);
    const runtime = docs.find((d) => d.kind === "DeploymentRuntimeConfig");
    if (!runtime) throw new Error("no DeploymentRuntimeConfig");
    expect(nameOf(runtime)).toBe("aws-iam-irsa");
    expect(specOf<{ serviceAccountTemplate: unknown }>(runtime).serviceAccountTemplate).toEqual({
      metadata: { name: CROSSPLANE_IAM_PROVIDER_ACCOUNT.serviceAccount, annotations: { "eks.amazonaws.com/role-arn": ROLE_ARN } },
    });
    expect(CROSSPLANE_IAM_PROVIDER_ACCOUNT.serviceAccount).not.toBe(CROSSPLANE_PROVIDER_ACCOUNT.serviceAccount);
    const provider = docs.find((d) => d.kind === "Provider");
    if (!provider) throw new Error("no Provider");
    expect(specOf<{ runtimeConfigRef: unknown }>(provider).runtimeConfigRef).toEqual({
      apiVersion: "pkg.crossplane.io/v1beta1",
      kind: "DeploymentRuntimeConfig",
      name: "aws-iam-irsa",
    });
  });

  it("pins provider-aws-iam at the version of provider-aws-rds (one provider family, one family provider)", () => {
    const packageOf = (app: Application, name: string): string => {
      const provider = docsOf(app, name).find((d) => d.kind === "Provider");
      return specOf<{ package: string }>(provider as Doc).package;
    };
    const cluster = clusterSecret("production");
    cluster.metadata.labels.enable_ecr_push_roles = "true";
    const packages = renderForCluster(
      loadAppSets()
        .map(({ appset }) => appset)
        .filter((a) => (a.metadata as { name: string }).name === "crossplane-packages"),
      cluster,
    ).flat() as Application[];
    const rds = packageOf(packages[0], "crossplane-packages");
    const iam = packageOf(appsFor("true")[0], APPSET);
    expect(iam).toBe(rds.replace("/provider-aws-rds:", "/provider-aws-iam:"));
    expect(iam).toMatch(/^xpkg\.upbound\.io\/upbound\/provider-aws-iam:v\d+\.\d+\.\d+$/);
  });

  it("activates exactly the managed resources the team chart renders (Role, RolePolicy of iam.aws.m.upbound.io)", () => {
    const activation = docsOf(appsFor("true")[0], APPSET).find((d) => d.kind === "ManagedResourceActivationPolicy");
    expect(specOf<{ activate: string[] }>(activation as Doc).activate).toEqual(["roles.iam.aws.m.upbound.io", "rolepolicies.iam.aws.m.upbound.io"]);
  });
});
