// The generated Dockerfile passes hadolint and the shell scripts (the generated deploy script
// and this template's installer) pass shellcheck, with no finding at any level.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { copierCopy, runLinter, tempDir } from "../harness/copier";
import { COMBOS } from "./combos";

const INSTALLER = path.resolve(__dirname, "..", "..", "scripts", "install", "python.sh");
// One project without and one with Postgres (the Dockerfile differs), on different Pythons.
const PICKED = [COMBOS[0], COMBOS[7]];

describe.each(PICKED)("lint of the project generated with $label", (combo) => {
  let dir: string;
  beforeAll(() => {
    dir = copierCopy(combo.answers);
  });

  it("Dockerfile: hadolint finds nothing", () => {
    const run = runLinter("hadolint", ["--no-color", "--failure-threshold", "style", "Dockerfile"], dir);
    expect(run.output).toBe("");
    expect(run.code).toBe(0);
  });

  it("ci/deploy.sh: shellcheck finds nothing", () => {
    // --shell=sh: the deploy image (cli/Dockerfile, Alpine) has BusyBox sh, no bash.
    const run = runLinter("shellcheck", ["--shell=sh", "--severity=style", "ci/deploy.sh"], dir);
    expect(run.output).toBe("");
    expect(run.code).toBe(0);
  });
});

describe("linters", () => {
  it("scripts/install/python.sh passes shellcheck", () => {
    // -x: follow what it sources (the installers' shared scripts/lib/install.sh).
    const run = runLinter("shellcheck", ["-x", "--severity=style", path.basename(INSTALLER)], path.dirname(INSTALLER));
    expect(run.output).toBe("");
    expect(run.code).toBe(0);
  });

  it("really check: an unpinned, root Dockerfile is reported", () => {
    const dir = tempDir("hadolint");
    fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM python:latest\nRUN pip install fastapi\n");
    const run = runLinter("hadolint", ["--no-color", "Dockerfile"], dir);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("DL3007"); // using latest
    expect(run.output).toContain("DL3013"); // pip without pinned versions
  });
});
