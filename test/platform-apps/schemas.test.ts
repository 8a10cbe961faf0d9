// Every YAML document under platform-apps/ parses, and every object Argo CD would apply
// validates against its real schema (kubernetes-models, @kubernetes-models/argo-cd,
// prometheus-operator, istio, and the Crossplane / External Secrets CRDs that
// scripts/install/crds.sh takes from those projects' pinned Go modules).
import { beforeAll, describe, expect, it } from "vitest";
import { registerXrd, validateManifests } from "../harness/k8s-schema";
import { ENVIRONMENTS } from "../../model/environment";
import { applicationsFor, isPlatformRepo, loadAppSets, manifestsOf, PLATFORM_DIR, readDocs, yamlFiles, type Doc } from "./platform";

/** API groups whose CRDs cannot be had offline here, each with the reason. */
const NO_SCHEMA_GROUPS: Record<string, string> = {
  // The Upbound AWS provider's Go module is not served by the module proxy reachable here
  // (and would be hundreds of MB of generated CRDs); only ClusterProviderConfig uses it.
  "aws.m.upbound.io": "provider-upjet-aws module unavailable offline",
};

const groupOf = (doc: Doc): string => String(doc.apiVersion).split("/").slice(0, -1).join("/");

describe("platform-apps YAML", () => {
  it("every file under platform-apps/ parses", () => {
    const files = yamlFiles(PLATFORM_DIR);
    expect(files.length).toBeGreaterThan(60);
    for (const file of files) expect(() => readDocs(file), file).not.toThrow();
  });

  it("every ApplicationSet validates against the Argo CD schema", () => {
    const appsets = loadAppSets();
    expect(appsets.map(({ appset }) => appset.kind)).toEqual(appsets.map(() => "ApplicationSet"));
    validateManifests(
      appsets.map(({ appset }) => appset),
      "platform-apps/applicationsets",
    );
  });
});

describe.each(ENVIRONMENTS)("objects Argo CD applies in %s", (environment) => {
  const docs: Array<{ doc: Doc; where: string }> = [];

  beforeAll(() => {
    for (const file of yamlFiles(PLATFORM_DIR)) {
      for (const doc of readDocs(file)) if (doc.kind === "CompositeResourceDefinition") registerXrd(doc);
    }
    for (const app of applicationsFor(environment)) {
      const where = `${environment}: Application ${app.metadata.name}`;
      docs.push({
        doc: { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { ...app.metadata, namespace: "argocd" }, spec: app.spec },
        where,
      });
      for (const source of app.spec.sources.filter(isPlatformRepo)) {
        for (const doc of manifestsOf(source, where)) docs.push({ doc, where: `${where} ${source.path ?? ""}` });
      }
    }
  });

  it("renders Applications and raw manifests", () => {
    expect(docs.filter(({ doc }) => doc.kind === "Application").length).toBe(15);
    expect(docs.length).toBeGreaterThan(40);
  });

  it("every object validates against its schema", () => {
    const checkable = docs.filter(({ doc }) => !(groupOf(doc) in NO_SCHEMA_GROUPS));
    // One batch (one strict-decoder process); each failure names the object's kind/name.
    validateManifests(
      checkable.map(({ doc }) => doc),
      `${environment}: ${checkable.length} objects`,
    );
  });

  it("only the documented groups lack a schema", () => {
    const unchecked = docs.filter(({ doc }) => groupOf(doc) in NO_SCHEMA_GROUPS).map(({ doc }) => `${String(doc.kind)}/${String((doc.metadata as Doc).name)}`);
    expect(unchecked).toEqual(["ClusterProviderConfig/default"]);
  });
});
