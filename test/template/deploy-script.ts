// The generated project's ci/deploy.sh, run as a CI job runs it: through its own shebang (as the
// job's `ci/deploy.sh <target>` line does), with a fresh HOME (no git identity), GitLab's user
// variables and the holodeck CLI of this checkout on PATH.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { tempDir } from "../harness/copier";
import { buildCli } from "../../cli/build";

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

let bundle: Promise<string> | undefined;

/**
 * A folder holding a `holodeck` command that runs this checkout's CLI as the CLI image holds it:
 * the esbuild bundle (cli/build.ts, cli/Dockerfile) under plain Node, built once per test process.
 */
export async function holodeckOnPath(): Promise<string> {
  bundle ??= buildCli(path.join(tempDir("cli-bundle"), "holodeck.cjs")).then((built) => built.outfile);
  const bin = tempDir("holodeck-bin");
  fs.writeFileSync(path.join(bin, "holodeck"), `#!/bin/sh\nexec "${process.execPath}" "${await bundle}" "$@"\n`, { mode: 0o755 });
  return bin;
}

/** Runs `ci/deploy.sh <target>` in `project` with `bin` first on PATH. */
export function runDeployScript(project: string, target: string, env: NodeJS.ProcessEnv, bin: string): ScriptRun {
  const run = spawnSync("ci/deploy.sh", [target], {
    cwd: project,
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: tempDir("ci-home"),
      GIT_CONFIG_NOSYSTEM: "1",
      GITLAB_USER_NAME: "Ada Dev",
      GITLAB_USER_EMAIL: "ada@example.dev",
      ...env,
    },
  });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}
