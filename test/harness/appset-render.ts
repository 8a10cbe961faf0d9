// Renders ApplicationSets (goTemplate; git files or cluster generator) with the real template
// engine of the Argo CD ApplicationSet controller: Go text/template + sprig v3, built from
// test/tools/appset-render by scripts/install/appset-render.sh.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(REPO_ROOT, ".tools", "bin", "appset-render");

export type Manifest = Record<string, unknown>;

/** Runs the renderer with `args` (and `input` on stdin); throws with its own message on failure. */
function runRenderer(args: string[], input?: string): string {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run scripts/install-tools.sh`);
  try {
    return execFileSync(BIN, args, { encoding: "utf8", input, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(stderr.trim() || String(error), { cause: error });
  }
}

/**
 * Applications Argo CD would generate from `appSet` for a checkout holding `files`
 * (repo-relative path -> content). Throws with the renderer's message on a template error.
 */
export function renderApplicationSet(appSet: Manifest, files: Record<string, string>): Manifest[] {
  const dir = mkdtempSync(path.join(tmpdir(), "appset-render-"));
  try {
    const repo = path.join(dir, "repo");
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      writeFileSync(path.join(repo, file), content);
    }
    mkdirSync(repo, { recursive: true });
    const appSetFile = path.join(dir, "appset.json");
    writeFileSync(appSetFile, JSON.stringify(appSet));
    return JSON.parse(runRenderer(["-appset", appSetFile, "-repo", repo])) as Manifest[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The Applications each cluster-generator ApplicationSet generates for one cluster Secret
 * (`cluster`: the generator's parameters), in input order. Throws naming the ApplicationSet
 * on a template error.
 */
export function renderForClusterGenerator(appSets: readonly unknown[], cluster: unknown): Manifest[][] {
  const out = runRenderer(["-clusters"], JSON.stringify({ cluster, appsets: appSets }));
  return (JSON.parse(out) as Array<{ applications: Manifest[] }>).map((entry) => entry.applications);
}

export interface HealthStatus {
  status: "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";
  message?: string;
}

/** Runs an argocd-cm Lua health check on `object` with gopher-lua, as Argo CD does. */
export function runHealthCheck(script: string, object: Manifest): HealthStatus {
  const dir = mkdtempSync(path.join(tmpdir(), "argocd-health-"));
  try {
    writeFileSync(path.join(dir, "health.lua"), script);
    writeFileSync(path.join(dir, "object.json"), JSON.stringify(object));
    return JSON.parse(runRenderer(["-health", path.join(dir, "health.lua"), "-object", path.join(dir, "object.json")])) as HealthStatus;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
