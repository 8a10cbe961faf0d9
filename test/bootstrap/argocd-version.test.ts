// The Argo CD the clusters run is the Argo CD the control-plane suite runs: one version for the
// image (bootstrap/versions.ts), the CRDs the stack applies, the binaries the suite builds
// (scripts/install/control-plane.sh and its wrapper module) and the CRDs the bootstrap tests
// validate against (scripts/install/bootstrap-crds.sh); argocd-server's ClusterRole is that
// version's upstream one.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { ARGOCD_CRD_URLS } from "../../bootstrap/argocd/argocd";
import { SERVER_CLUSTER_ROLE_RULES } from "../../bootstrap/argocd/rbac";
import { ARGOCD_IMAGE_TAG, CHARTS } from "../../bootstrap/versions";
import { recordedStack, REPO_ROOT, type RecordedResource, type StackRecording } from "../harness/stacks";
import { STACKS, input, release, waitsFor } from "./helpers";

const TOOLS = process.env.HOLODECK_TOOLS ?? path.join(REPO_ROOT, ".tools");
const read = (...parts: string[]): string => readFileSync(path.join(...parts), "utf8");
type Doc = { kind: string; metadata: { name: string }; rules?: unknown[]; spec?: { names: { kind: string } } };
const docs = (text: string): Doc[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);

describe("one Argo CD version", () => {
  it("the image, the control plane's build and its wrapper module name the same release", () => {
    expect(ARGOCD_IMAGE_TAG).toBe("v3.6.2");
    const script = read(REPO_ROOT, "scripts", "install", "control-plane.sh");
    expect(/^ARGOCD_VERSION="(v[^"]+)"/m.exec(script)?.[1]).toBe(ARGOCD_IMAGE_TAG);
    const goMod = read(REPO_ROOT, "scripts", "install", "control-plane", "argocd", "go.mod");
    expect([...goMod.matchAll(/^\s*github\.com\/argoproj\/argo-cd\/(?:gitops-engine\/)?v3 (v\S+)/gm)].map((m) => m[1])).toEqual([
      ARGOCD_IMAGE_TAG,
      ARGOCD_IMAGE_TAG,
    ]);
    // The chart stays the newest one readable here; its own appVersion is older than the image.
    expect([CHARTS.argoCd.version, CHARTS.argoCd.appVersion]).toEqual(["10.1.1", "v3.4.4"]);
  });

  it("the CRDs are the release's manifests/crds, the same files the bootstrap tests validate against", () => {
    expect(ARGOCD_CRD_URLS).toEqual([
      "https://raw.githubusercontent.com/argoproj/argo-cd/v3.6.2/manifests/crds/application-crd.yaml",
      "https://raw.githubusercontent.com/argoproj/argo-cd/v3.6.2/manifests/crds/applicationset-crd.yaml",
      "https://raw.githubusercontent.com/argoproj/argo-cd/v3.6.2/manifests/crds/appproject-crd.yaml",
    ]);
    const folder = path.join(TOOLS, "bootstrap-crds", "argo-cd");
    expect(read(folder, ".version").trim()).toBe(`github.com/argoproj/argo-cd/v3@${ARGOCD_IMAGE_TAG}`);
    const kinds = ARGOCD_CRD_URLS.flatMap((url) => docs(read(folder, path.basename(url))).map((d) => `${d.kind}/${d.spec?.names.kind}`));
    expect(kinds).toEqual(["CustomResourceDefinition/Application", "CustomResourceDefinition/ApplicationSet", "CustomResourceDefinition/AppProject"]);
  });

  it("argocd-server's ClusterRole rules are exactly the release's install manifests' (the control plane's copy)", () => {
    const share = path.join(TOOLS, "control-plane", "argocd");
    expect(read(share, ".version").split(" ")[0]).toBe(ARGOCD_IMAGE_TAG);
    const upstream = docs(read(share, "install.yaml")).find((d) => d.kind === "ClusterRole" && d.metadata.name === "argocd-server");
    expect(SERVER_CLUSTER_ROLE_RULES).toEqual(upstream?.rules);
  });
});

describe.each(STACKS)("%s applies Argo CD's CRDs itself", (stack) => {
  let rec: StackRecording;
  let crds: RecordedResource;
  beforeAll(() => {
    rec = recordedStack(stack);
    const groups = rec.byType("kubernetes:yaml/v2:ConfigGroup").filter((g) => g.name.endsWith("-argocd-crds"));
    expect(groups.map((g) => g.name)).toHaveLength(1);
    crds = groups[0];
  });

  it("from the release's URLs, kept when the stack lets go of them, before the chart", () => {
    expect(input(crds, "files")).toEqual(ARGOCD_CRD_URLS);
    expect(crds.retainOnDelete).toBe(true);
    const chart = release(rec, CHARTS.argoCd.chart);
    expect(waitsFor(rec, chart, crds)).toBe(true);
    expect(input(chart, "values.crds")).toEqual({ install: false });
    expect(input(chart, "values.global.image")).toEqual({ tag: ARGOCD_IMAGE_TAG });
    expect(input(chart, "values.server.clusterRoleRules")).toEqual({ enabled: true, rules: SERVER_CLUSTER_ROLE_RULES });
  });
});
