// Every YAML document under platform-apps/ parses, and every object Argo CD would apply
// validates against its real schema (kubernetes-models, @kubernetes-models/argo-cd,
// prometheus-operator, istio, and the Crossplane / External Secrets CRDs that
// scripts/install/crds.sh takes from those projects' pinned Go modules).
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { registerXrd, validateManifests } from "../harness/k8s-schema";
import { ENVIRONMENTS } from "../../model/environment";
import { applicationsFor, isPlatformRepo, loadAppSets, manifestsOf, plainPlatformYamlFiles, readDocs, REPO_ROOT, type Doc, type Source } from "./platform";

/** API groups whose CRDs cannot be had offline here, each with the reason. */
const NO_SCHEMA_GROUPS: Record<string, string> = {
  // The Upbound AWS provider's Go module is not served by the module proxy reachable here
  // (and would be hundreds of MB of generated CRDs); only ClusterProviderConfig uses it.
  "aws.m.upbound.io": "provider-upjet-aws module unavailable offline",
};

/**
 * CRD sets of scripts/install/crds.sh cut from a project's Go module at the tag of the chart
 * an ApplicationSet deploys (module version = chart version), keyed by .tools/crds/ folder.
 * The Prometheus operator's version is the kube-prometheus-stack chart's appVersion, which
 * the ApplicationSet does not state, so it is not in this table.
 */
const CRDS_OF_CHART: Record<string, string> = { crossplane: "crossplane", "external-secrets": "external-secrets", istio: "istio-base" };

const groupOf = (doc: Doc): string => String(doc.apiVersion).split("/").slice(0, -1).join("/");

describe("platform-apps YAML", () => {
  it("every file under platform-apps/ parses (local charts' templates are Helm templates: their rendered output is tested with the chart)", () => {
    const files = plainPlatformYamlFiles();
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

  it("validates against the CRDs of exactly the chart versions the ApplicationSets pin", () => {
    const appsets = loadAppSets().map(({ appset }) => appset as { metadata: { name: string }; spec: { template: { spec: { sources: Source[] } } } });
    for (const [crds, appsetName] of Object.entries(CRDS_OF_CHART)) {
      const chart = appsets.find((a) => a.metadata.name === appsetName)?.spec.template.spec.sources.find((s) => s.chart !== undefined);
      const stamp = fs.readFileSync(path.join(REPO_ROOT, ".tools", "crds", crds, ".version"), "utf8").trim();
      expect(stamp.slice(stamp.lastIndexOf("@v") + 2), `${crds} CRDs (${stamp}) vs chart of ApplicationSet ${appsetName}`).toBe(chart?.targetRevision);
    }
  });
});

describe.each(ENVIRONMENTS)("objects Argo CD applies in %s", (environment) => {
  const docs: Array<{ doc: Doc; where: string }> = [];

  beforeAll(() => {
    for (const file of plainPlatformYamlFiles()) {
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
    // One Application per ApplicationSet: every platform app is enabled in every environment.
    expect(docs.filter(({ doc }) => doc.kind === "Application").length).toBe(loadAppSets().length);
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
