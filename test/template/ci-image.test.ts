// The generated project's scripts run in the deploy jobs' image ($HOLODECK_CLI_IMAGE, built from
// cli/Dockerfile): every interpreter their shebangs name must exist in that image. An Alpine
// base has BusyBox `sh` (and node images `node`); anything else must come from `apk add`.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { copierCopy } from "../harness/copier";
import { FULL } from "./combos";

const CLI_DOCKERFILE = path.resolve(__dirname, "..", "..", "cli", "Dockerfile");

/** Interpreters the final stage of a Dockerfile provides: base image's own + `apk add` packages. */
function imageInterpreters(dockerfile: string): Set<string> {
  const stages = dockerfile.split(/^FROM\s+/m);
  const final = stages[stages.length - 1];
  const base = final.split(/\s/)[0];
  if (!/^node:[\d.]+-alpine$/.test(base)) throw new Error(`cli/Dockerfile: final FROM is ${base}, expected node:<version>-alpine`);
  const provided = new Set(["sh", "node"]);
  for (const match of final.matchAll(/apk add ([^\n]+)/g)) {
    for (const word of match[1].split(/\s+/)) if (word && !word.startsWith("-")) provided.add(word);
  }
  return provided;
}

/** `#!/bin/sh` → sh, `#!/usr/bin/env bash` → bash, no shebang → undefined. */
function shebangInterpreter(script: string): string | undefined {
  const line = script.split("\n")[0];
  if (!line.startsWith("#!")) return undefined;
  const words = line.slice(2).trim().split(/\s+/);
  const program = path.basename(words[0]) === "env" ? words[1] : words[0];
  return path.basename(program);
}

function executables(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => !file.split(path.sep).includes(".git"))
    .filter((file) => {
      const stat = fs.statSync(path.join(dir, file));
      return stat.isFile() && (stat.mode & 0o111) !== 0;
    });
}

describe("the CLI image runs the generated project's scripts", () => {
  let project: string;
  beforeAll(() => {
    project = copierCopy(FULL.answers);
  });

  it("ci/deploy.sh is POSIX sh (BusyBox in the image), not bash", () => {
    expect(shebangInterpreter(fs.readFileSync(path.join(project, "ci", "deploy.sh"), "utf8"))).toBe("sh");
  });

  it("every executable script's interpreter is in cli/Dockerfile's final image", () => {
    const provided = imageInterpreters(fs.readFileSync(CLI_DOCKERFILE, "utf8"));
    const scripts = executables(project);
    expect(scripts).toContain(path.join("ci", "deploy.sh"));
    for (const file of scripts) {
      const interpreter = shebangInterpreter(fs.readFileSync(path.join(project, file), "utf8"));
      expect(interpreter, `${file} has no shebang`).toBeDefined();
      expect(provided.has(interpreter ?? ""), `${file} needs ${interpreter}; cli/Dockerfile provides ${[...provided].join(", ")}`).toBe(true);
    }
  });

  it("really checks: a bash script is refused by the image the Dockerfile builds", () => {
    const provided = imageInterpreters(fs.readFileSync(CLI_DOCKERFILE, "utf8"));
    expect(provided.has(shebangInterpreter("#!/usr/bin/env bash\n") ?? "")).toBe(false);
    expect([...provided].sort()).toEqual(["ca-certificates", "git", "node", "openssh-client", "sh"]);
  });
});
