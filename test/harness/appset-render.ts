// Renders an ApplicationSet (git files generator, goTemplate) with the real template engine
// of the Argo CD ApplicationSet controller: Go text/template + sprig v3, built from
// test/tools/appset-render by scripts/install/appset-render.sh.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(REPO_ROOT, ".tools", "bin", "appset-render");

export type Manifest = Record<string, unknown>;

/**
 * Applications Argo CD would generate from `appSet` for a checkout holding `files`
 * (repo-relative path -> content). Throws with the renderer's message on a template error.
 */
export function renderApplicationSet(appSet: Manifest, files: Record<string, string>): Manifest[] {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run scripts/install-tools.sh`);
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
    try {
      return JSON.parse(execFileSync(BIN, ["-appset", appSetFile, "-repo", repo], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as Manifest[];
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? "";
      throw new Error(stderr.trim() || String(error));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface HealthStatus {
  status: "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";
  message?: string;
}

/** Runs an argocd-cm Lua health check on `object` with gopher-lua, as Argo CD does. */
export function runHealthCheck(script: string, object: Manifest): HealthStatus {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run scripts/install-tools.sh`);
  const dir = mkdtempSync(path.join(tmpdir(), "argocd-health-"));
  try {
    writeFileSync(path.join(dir, "health.lua"), script);
    writeFileSync(path.join(dir, "object.json"), JSON.stringify(object));
    try {
      const out = execFileSync(BIN, ["-health", path.join(dir, "health.lua"), "-object", path.join(dir, "object.json")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      return JSON.parse(out) as HealthStatus;
    } catch (error) {
      throw new Error(((error as { stderr?: string }).stderr ?? String(error)).trim());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
