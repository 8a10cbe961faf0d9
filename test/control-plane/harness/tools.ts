// Where the control plane's programs are: built by scripts/install/control-plane.sh into .tools.
import { existsSync } from "node:fs";
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "../../..");
const TOOLS = process.env.HOLODECK_TOOLS ?? path.join(REPO, ".tools");
export const TOOLS_BIN = path.join(TOOLS, "bin");
/** Argo CD's CRDs and install manifests, kwok's stages, Helm 4 (scripts/install/control-plane.sh). */
export const CONTROL_PLANE_SHARE = path.join(TOOLS, "control-plane");
/** The folder the repo-server finds `helm` in: Helm 4, the major Argo CD 3.6 ships. */
export const HELM4_DIR = path.join(CONTROL_PLANE_SHARE, "helm4");
/** Scripts Argo CD's image has on PATH (git-verify-wrapper.sh), from its module. */
export const ARGOCD_SCRIPTS_DIR = path.join(CONTROL_PLANE_SHARE, "argocd", "bin");
/** CRD YAMLs of the platform's add-ons (scripts/install/crds.sh), one folder per project. */
export const PLATFORM_CRDS = path.join(TOOLS, "crds");
/** CRD YAMLs of the bootstrap's own charts (scripts/install/bootstrap-crds.sh): cert-manager's for the recorded issuers. */
export const BOOTSTRAP_CRDS = path.join(TOOLS, "bootstrap-crds");

/** The programs of the Kubernetes control plane (harness/cluster.ts). */
export const CONTROL_PLANE_PROGRAMS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok"].map((b) =>
  path.join(TOOLS_BIN, b),
);
/** The programs of Argo CD and what its repo-server runs (harness/argocd.ts). */
export const ARGOCD_PROGRAMS = [
  ...["argocd", "redis-server", "kustomize"].map((b) => path.join(TOOLS_BIN, b)),
  path.join(HELM4_DIR, "helm"),
  path.join(ARGOCD_SCRIPTS_DIR, "git-verify-wrapper.sh"),
];

/** Fails (never skips) with the install command when a program is missing. */
export function requireTools(programs: string[]): void {
  const missing = programs.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(`control-plane programs missing: ${missing.join(", ")}; run scripts/install-tools.sh (scripts/install/control-plane.sh, kustomize.sh)`);
  }
}
