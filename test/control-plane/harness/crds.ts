// CustomResourceDefinitions from the .tools CRD folders (scripts/install/crds.sh,
// bootstrap-crds.sh and control-plane.sh: copies of the projects' own CRD YAMLs at the pinned
// versions, from their Go modules). They stand in for the CRDs the upstream charts and URLs would
// install, which cannot be fetched here.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { StackRecording } from "../../../cli/plan/run-stack";
import { waitFor, type ControlPlane } from "./cluster";
import type { KubeObject } from "./kube";
import { BOOTSTRAP_CRDS, CONTROL_PLANE_SHARE } from "./tools";

/** Every CRD in the given folders (*.yaml, not recursive). */
export function crdsIn(folders: string[]): KubeObject[] {
  return folders.flatMap((folder) =>
    readdirSync(folder)
      .filter((f) => f.endsWith(".yaml"))
      .flatMap((f) => parseAllDocuments(readFileSync(path.join(folder, f), "utf8")).map((d) => d.toJS() as KubeObject | null))
      .filter((o): o is KubeObject => o?.kind === "CustomResourceDefinition"),
  );
}

/** Applies the CRDs and waits until the API server serves them (condition Established). */
export async function installCrds(plane: ControlPlane, crds: KubeObject[]): Promise<void> {
  if (crds.length === 0) throw new Error("installCrds: no CRDs given");
  await plane.kubectl.apply(crds);
  const names = new Set(crds.map((c) => c.metadata.name));
  type Crd = { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } };
  await waitFor(
    `${names.size} CRDs to be established`,
    async () => {
      const established = (await plane.rest.list<Crd & KubeObject>("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")).filter(
        (c) => names.has(c.metadata.name) && c.status?.conditions?.some((k) => k.type === "Established" && k.status === "True"),
      );
      return established.length === names.size ? true : undefined;
    },
    300_000,
    () => plane.processes.assertRunning(),
    500,
  );
}

/**
 * Where the CRD YAML files a stack applies from a URL (kubernetes:yaml/v2:ConfigGroup) are kept
 * here: a copy from the project's Go module at the same version (scripts/install/control-plane.sh;
 * Argo CD's: bootstrap-crds.sh, at the image's tag).
 */
const CONFIG_GROUP_SOURCES: { folder: string; url: RegExp }[] = [
  {
    folder: path.join(CONTROL_PLANE_SHARE, "crds", "gateway-api"),
    url: /^https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/(v[\d.]+)\/standard-install\.yaml$/,
  },
  {
    folder: path.join(CONTROL_PLANE_SHARE, "crds", "envoy-gateway"),
    url: /^https:\/\/raw\.githubusercontent\.com\/envoyproxy\/gateway\/(v[\d.]+)\/charts\/gateway-helm\/charts\/crds\/crds\/generated\/[\w.]+\.yaml$/,
  },
  { folder: path.join(BOOTSTRAP_CRDS, "argo-cd"), url: /^https:\/\/raw\.githubusercontent\.com\/argoproj\/argo-cd\/(v[\d.]+)\/manifests\/crds\/[\w-]+\.yaml$/ },
];

/** The CRDs of the stack's recorded ConfigGroups, from the local copies; throws when a copy is missing or of another version. */
export function recordedConfigGroupCrds(recording: StackRecording): KubeObject[] {
  const folders = new Set<string>();
  for (const group of recording.byType("kubernetes:yaml/v2:ConfigGroup")) {
    for (const file of (group.inputs.files ?? []) as string[]) {
      const source = CONFIG_GROUP_SOURCES.map((s) => ({ ...s, match: s.url.exec(file) })).find((s) => s.match);
      if (!source?.match) throw new Error(`${group.name}: no local copy known for ${file} (test/control-plane/harness/crds.ts CONFIG_GROUP_SOURCES)`);
      const folder = source.folder;
      const stamp = existsSync(path.join(folder, ".version")) ? readFileSync(path.join(folder, ".version"), "utf8").trim() : "(missing)";
      if (!stamp.endsWith(`@${source.match[1]}`)) {
        throw new Error(
          `${group.name} applies ${file}, ${folder} holds ${stamp}: pin ${source.match[1]} in its installer (scripts/install/control-plane.sh, bootstrap-crds.sh)`,
        );
      }
      folders.add(folder);
    }
  }
  return crdsIn([...folders]);
}

/**
 * The CRDs (from the bootstrap's pinned CRD folders, scripts/install/bootstrap-crds.sh) of the
 * kinds `objects` use — cert-manager's issuers, Karpenter's node pools...: Helm releases install
 * them on EKS, which cannot run here. Argo CD's come from its install manifests (harness/argocd.ts).
 */
export function bootstrapCrdsFor(objects: KubeObject[]): KubeObject[] {
  const kinds = new Set(objects.map((o) => `${o.apiVersion.split("/")[0]}/${o.kind}`));
  const folders = readdirSync(BOOTSTRAP_CRDS)
    .filter((f) => f !== "argo-cd")
    .map((f) => path.join(BOOTSTRAP_CRDS, f));
  type Crd = KubeObject & { spec: { group: string; names: { kind: string } } };
  return (crdsIn(folders) as Crd[]).filter((c) => kinds.has(`${c.spec.group}/${c.spec.names.kind}`));
}

/** CRDs without repeats (the first of each name). */
export function uniqueCrds(crds: KubeObject[]): KubeObject[] {
  const seen = new Set<string>();
  return crds.filter((c) => !seen.has(c.metadata.name) && seen.add(c.metadata.name));
}
