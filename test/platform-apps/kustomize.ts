// `kustomize build` with the pinned CLI (.tools/bin/kustomize, scripts/install/kustomize.sh),
// as Argo CD's repo-server renders a kustomization directory (no extra build options).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const KUSTOMIZE = path.resolve(__dirname, "..", "..", ".tools", "bin", "kustomize");

/** The YAML stream `kustomize build <dir>` prints; throws with kustomize's own message. */
export function kustomizeBuildText(dir: string): string {
  if (!fs.existsSync(KUSTOMIZE)) throw new Error(`${KUSTOMIZE} is missing: run scripts/install-tools.sh`);
  try {
    return execFileSync(KUSTOMIZE, ["build", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`kustomize build ${dir}: ${stderr.trim() || String(error)}`, { cause: error });
  }
}
