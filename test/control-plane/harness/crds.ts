// CustomResourceDefinitions from the .tools CRD folders (scripts/install/crds.sh and
// bootstrap-crds.sh: copies of the projects' own CRD YAMLs at the pinned versions). They stand in
// for the CRDs the upstream charts would install, which cannot be fetched here.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { ControlPlane } from "./cluster";
import type { KubeObject } from "./kube";

/** Every CRD in the given folders (*.yaml, not recursive). */
export function crdsIn(folders: string[]): KubeObject[] {
  return folders.flatMap((folder) =>
    readdirSync(folder)
      .filter((f) => f.endsWith(".yaml"))
      .flatMap((f) => parseAllDocuments(readFileSync(path.join(folder, f), "utf8")).map((d) => d.toJS() as KubeObject | null))
      .filter((o): o is KubeObject => o?.kind === "CustomResourceDefinition"),
  );
}

/** Applies the CRDs and waits until the API server serves them. */
export async function installCrds(plane: ControlPlane, crds: KubeObject[]): Promise<void> {
  if (crds.length === 0) throw new Error("installCrds: no CRDs given");
  await plane.kubectl.apply(crds);
  await plane.kubectl.ok(["wait", "--for=condition=Established", "--timeout=120s", ...crds.map((c) => `crd/${c.metadata.name}`)]);
}
