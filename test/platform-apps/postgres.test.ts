// The platform's database API (contracts section 5): the XRD's schema accepts what the
// service chart requests for the documented example (`postgres: {enabled: true,
// storage: 10}`) and rejects bad sizes; the compositions give production and staging the
// promised shape and write the connection Secret with exactly the contract's keys.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { registerXrd, validateManifest } from "../harness/k8s-schema";
import { renderExample } from "../chart/render";
import { kustomizeBuild, PLATFORM_DIR, readDocs, type Doc } from "./platform";
import { RDS_OWNER_TAG } from "../../bootstrap/platform-identities/platform-identities";

const APIS = path.join(PLATFORM_DIR, "manifests", "crossplane", "apis");
const CONNECTION_KEYS = ["username", "password", "host", "port", "database"];

interface PtResource {
  name: string;
  base: { apiVersion: string; kind: string; spec: { managementPolicies: string[]; forProvider: Doc } };
  patches: Array<{ type: string; fromFieldPath: string; toFieldPath: string; transforms?: Doc[] }>;
  connectionDetails: Array<{ name: string; type: string; fromConnectionSecretKey?: string; fromFieldPath?: string }>;
}
interface PtInput {
  kind: string;
  writeConnectionSecretToRef: { patches: Array<{ fromFieldPath: string; toFieldPath: string }> };
  resources: PtResource[];
}

/** The Composition of an environment as kustomize builds the apis directory (staging is an overlay of production). */
const composition = (environment: string): { doc: Doc; steps: Array<{ step: string; functionRef: { name: string }; input?: Doc }> } => {
  const doc = kustomizeBuild(APIS, "crossplane apis").find((d) => d.kind === "Composition" && (d.metadata as Doc).name === `postgresinstance-${environment}`);
  if (!doc) throw new Error(`platform-apps/manifests/crossplane/apis builds no Composition postgresinstance-${environment}`);
  return { doc, steps: (doc.spec as { pipeline: Array<{ step: string; functionRef: { name: string }; input?: Doc }> }).pipeline };
};
const instanceOf = (environment: string): PtResource => {
  const input = composition(environment).steps.find((s) => s.functionRef.name === "function-patch-and-transform")?.input as unknown as PtInput;
  return input.resources[0];
};

describe("PostgresInstance XRD", () => {
  let request: Doc;
  beforeAll(() => {
    registerXrd(readDocs(path.join(APIS, "xrd-postgresinstance.yaml"))[0]);
    const found = renderExample().find((doc) => doc.kind === "PostgresInstance");
    if (!found) throw new Error("the documented example renders no PostgresInstance");
    request = found;
  });

  it("accepts the chart's request for the documented example (storage: 10 → storageGB: 10)", () => {
    expect(request.apiVersion).toBe("platform.holodeck.dev/v1alpha1");
    expect((request.spec as Doc).storageGB).toBe(10);
    expect(Object.keys(request.spec as Doc).sort()).toEqual(["connectionSecretName", "databaseName", "engineVersion", "storageGB"]);
    expect(() => validateManifest(request, "chart example")).not.toThrow();
  });

  it.each([
    ["a missing size", (spec: Doc) => delete spec.storageGB, /storageGB/],
    ["a negative size", (spec: Doc) => (spec.storageGB = -5), /storageGB must be >= 1/],
    ["a zero size", (spec: Doc) => (spec.storageGB = 0), /storageGB must be >= 1/],
    ["a size given as text", (spec: Doc) => (spec.storageGB = "10"), /storageGB must be integer/],
    ["an engine version outside 16/17", (spec: Doc) => (spec.engineVersion = "15"), /engineVersion must be equal to one of the allowed values/],
    ["an unknown field", (spec: Doc) => (spec.size = 10), /additional properties: size/],
  ])("rejects %s", (_, mutate, message) => {
    const spec = structuredClone(request.spec as Doc);
    mutate(spec);
    expect(() => validateManifest({ ...request, spec }, "mutated request")).toThrow(message);
  });

  it("is namespaced and defaults to the stack's environment composition", () => {
    const xrd = readDocs(path.join(APIS, "xrd-postgresinstance.yaml"))[0] as { apiVersion: string; spec: Doc };
    expect([xrd.apiVersion, xrd.spec.scope, xrd.spec.group]).toEqual(["apiextensions.crossplane.io/v2", "Namespaced", "platform.holodeck.dev"]);
  });
});

describe.each(["production", "staging"])("composition %s", (environment) => {
  it("runs environment-configs, patch-and-transform, auto-ready", () => {
    expect(composition(environment).steps.map((s) => s.functionRef.name)).toEqual([
      "function-environment-configs",
      "function-patch-and-transform",
      "function-auto-ready",
    ]);
  });

  it("the patch-and-transform input validates against the function's own input CRD (v0.10.9)", () => {
    const step = composition(environment).steps[1];
    expect(() => validateManifest({ ...step.input, metadata: { name: step.step } }, `composition-${environment}`)).not.toThrow();
    const broken = structuredClone(step.input) as unknown as PtInput;
    broken.resources[0].connectionDetails[0].type = "FromSecretKey";
    expect(() => validateManifest({ ...broken, metadata: { name: step.step } }, "broken")).toThrow(/type must be equal to one of the allowed values/);
  });

  it("writes Secret spec.connectionSecretName with exactly username, password, host, port, database", () => {
    const input = composition(environment).steps[1].input as unknown as PtInput;
    expect(input.writeConnectionSecretToRef.patches).toEqual([
      { type: "FromCompositeFieldPath", fromFieldPath: "spec.connectionSecretName", toFieldPath: "name" },
    ]);
    const details = instanceOf(environment).connectionDetails;
    expect(details.map((d) => d.name)).toEqual(CONNECTION_KEYS);
    expect(details.map((d) => d.fromConnectionSecretKey ?? d.fromFieldPath)).toEqual(["username", "password", "address", "port", "spec.forProvider.dbName"]);
  });

  it("allocates max(20, storageGB) GiB and takes version and database name from the XR", () => {
    const patches = instanceOf(environment).patches;
    const storage = patches.find((p) => p.toFieldPath === "spec.forProvider.allocatedStorage");
    expect(storage).toEqual({
      type: "FromCompositeFieldPath",
      fromFieldPath: "spec.storageGB",
      toFieldPath: "spec.forProvider.allocatedStorage",
      transforms: [{ type: "math", math: { type: "ClampMin", clampMin: 20 } }],
    });
    expect(patches.find((p) => p.toFieldPath === "spec.forProvider.engineVersion")?.fromFieldPath).toBe("spec.engineVersion");
    expect(patches.find((p) => p.toFieldPath === "spec.forProvider.dbName")?.fromFieldPath).toBe("spec.databaseName");
    expect(patches.filter((p) => p.type === "FromEnvironmentFieldPath").map((p) => [p.fromFieldPath, p.toFieldPath])).toEqual([
      ["region", "spec.forProvider.region"],
      ["clusterName", "spec.forProvider.tags[holodeck-cluster]"],
      ["dbSubnetGroupName", "spec.forProvider.dbSubnetGroupName"],
      ["securityGroupId", "spec.forProvider.vpcSecurityGroupIds[0]"],
    ]);
  });

  it("tags every instance with the cluster name the provider's IAM role is scoped to (RDS_OWNER_TAG)", () => {
    const tagPatch = instanceOf(environment).patches.find((p) => p.toFieldPath.startsWith("spec.forProvider.tags["));
    expect(tagPatch?.toFieldPath).toBe(`spec.forProvider.tags[${RDS_OWNER_TAG}]`);
    const envConfig = readDocs(path.join(APIS, "environment-config.yaml"))[0];
    expect((envConfig.data as Doc).clusterName).toBe("replaced-by-applicationset");
    const appSet = readDocs(path.join(PLATFORM_DIR, "applicationsets", "crossplane-apis.yaml"))[0];
    expect(JSON.stringify(appSet)).toContain("path: /data/clusterName\\n  value: '{{ .metadata.annotations.cluster_name }}'");
  });
});

describe("production vs staging databases", () => {
  const pick = (environment: string) => {
    const { base } = instanceOf(environment);
    const p = base.spec.forProvider;
    return [
      base.kind,
      p.instanceClass,
      p.multiAz,
      p.storageEncrypted,
      p.backupRetentionPeriod,
      p.deletionProtection,
      p.skipFinalSnapshot,
      base.spec.managementPolicies,
    ];
  };

  it("production: RDS encrypted, Multi-AZ, 14 days of backups, deletion protection, never deleted by Crossplane", () => {
    expect(pick("production")).toEqual(["Instance", "db.m7g.large", true, true, 14, true, false, ["Observe", "Create", "Update", "LateInitialize"]]);
    expect(instanceOf("production").patches.some((p) => p.toFieldPath === "spec.forProvider.finalSnapshotIdentifier")).toBe(true);
  });

  it("staging: a cheaper single-AZ burstable instance, deleted with its XR", () => {
    expect(pick("staging")).toEqual(["Instance", "db.t4g.micro", false, true, 1, false, true, ["*"]]);
    expect(instanceOf("staging").patches.some((p) => p.toFieldPath === "spec.forProvider.finalSnapshotIdentifier")).toBe(false);
  });

  it("staging is production with exactly the staging shape (what the former composition-staging.yaml said)", () => {
    const expected = structuredClone(composition("production").doc) as Doc & { metadata: { name: string; labels: Record<string, string> } };
    expected.metadata.name = "postgresinstance-staging";
    expected.metadata.labels["platform.holodeck.dev/environment"] = "staging";
    const rds = (expected.spec as { pipeline: Array<{ input: PtInput }> }).pipeline[1].input.resources[0];
    rds.base.spec.managementPolicies = ["*"];
    Object.assign(rds.base.spec.forProvider, {
      instanceClass: "db.t4g.micro",
      multiAz: false,
      backupRetentionPeriod: 1,
      deletionProtection: false,
      skipFinalSnapshot: true,
      performanceInsightsEnabled: false,
    });
    (rds.base.spec.forProvider.tags as Record<string, string>).environment = "staging";
    rds.patches = rds.patches.filter((p) => p.toFieldPath !== "spec.forProvider.finalSnapshotIdentifier");
    expect(composition("staging").doc).toEqual(expected);
  });
});
