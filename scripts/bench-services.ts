/**
 * Benchmarks the services-root CLI: `validate` on 2,000 services × 2 environments (goal ≤ 2 s)
 * and one `deploy` against bare repositories of 1,000 / 2,000 / 4,000 files (how it grows).
 * Usage: scripts/bench-services.sh [--json] [--runs N]
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatRecord, ENVIRONMENTS } from "../cli/services/record";
import { validateTree } from "../cli/services/validate";
import { buildCli } from "../cli/build";
import { TEAMS_FOLDER } from "../model/team";

const ROOT = path.resolve(__dirname, "..");
const TEAM = "bench";
const DOMAIN = "services";
const LAUNCHER = path.join(ROOT, "cli", "holodeck.cjs");
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf("--runs") + 1] ?? 0) || 5;

const sha = (seed: string): string => execFileSync("git", ["hash-object", "--stdin"], { input: seed }).toString().trim();
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Writes `services` services into every environment folder of `dir`, all owned by one team. */
function writeTree(dir: string, services: number): void {
  const tag = sha("bench");
  const names = Array.from({ length: services }, (_, i) => `service-${String(i).padStart(5, "0")}`);
  fs.mkdirSync(path.join(dir, TEAMS_FOLDER), { recursive: true });
  fs.writeFileSync(
    path.join(dir, TEAMS_FOLDER, `${TEAM}.json`),
    JSON.stringify(
      { team: TEAM, ssoGroups: [`holodeck-team-${TEAM}`], domains: [DOMAIN], services: names.map((name) => ({ name, domain: DOMAIN })) },
      null,
      2,
    ) + "\n",
  );
  for (const environment of ENVIRONMENTS) {
    fs.mkdirSync(path.join(dir, environment), { recursive: true });
    for (const service of names) {
      fs.writeFileSync(
        path.join(dir, environment, `${service}.json`),
        formatRecord({ cluster: environment, service, team: TEAM, domain: DOMAIN, imageTag: tag, targetRevision: tag }),
      );
    }
  }
}

function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function cli(cliArgs: string[], entry: string = LAUNCHER): void {
  const result = spawnSync(process.execPath, [entry, ...cliArgs], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`holodeck ${cliArgs.join(" ")} exited ${result.status}: ${result.stderr}`);
}

async function benchValidate(base: string): Promise<Record<string, number>> {
  const dir = path.join(base, "validate-tree");
  const { outfile: bundle } = await buildCli(path.join(base, "bundle", "holodeck.cjs"));
  writeTree(dir, 2000);
  const inProcess = Array.from({ length: RUNS }, () =>
    timeMs(() => {
      // 4,000 entries and the team file.
      const report = validateTree(dir);
      if (report.errors.length > 0 || report.filesChecked !== 4001) throw new Error("generated tree must be valid");
    }),
  );
  const runs = (fn: () => void): number => median(Array.from({ length: RUNS }, () => timeMs(fn)));
  return {
    files: 4001,
    inProcessMs: median(inProcess),
    commandMs: runs(() => cli(["services", "validate", dir])),
    bundledCommandMs: runs(() => cli(["services", "validate", dir], bundle)),
    startupMs: runs(() => cli(["--help"])),
  };
}

/** A bare repository whose main holds `files` entries in one commit. */
function bareRepoWith(base: string, files: number): string {
  const work = path.join(base, `seed-${files}`);
  const bare = path.join(base, `repo-${files}.git`);
  writeTree(work, files / ENVIRONMENTS.length);
  const git = (cwd: string, gitArgs: string[]): void => {
    execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@localhost", ...gitArgs], { cwd, stdio: "ignore" });
  };
  git(base, ["init", "-q", "--bare", "-b", "main", bare]);
  git(work, ["init", "-q", "-b", "main"]);
  git(work, ["add", "-A"]);
  git(work, ["commit", "-q", "-m", "seed"]);
  git(work, ["push", "-q", `file://${bare}`, "main"]);
  return `file://${bare}`;
}

function benchDeploy(base: string, files: number): Record<string, number> {
  const url = bareRepoWith(base, files);
  const workdir = path.join(base, `workdir-${files}`);
  const deploy = (i: number, extra: string[]): number => {
    const tag = sha(`deploy-${files}-${i}-${extra.length}`);
    return timeMs(() =>
      cli(["services", "deploy", "--repo", url, "--env", "staging", "--service", "service-00001", "--image-tag", tag, "--revision", tag, ...extra]),
    );
  };
  const fresh = Array.from({ length: RUNS }, (_, i) => deploy(i, []));
  deploy(-1, ["--workdir", workdir]); // first use clones into the working copy
  const reused = Array.from({ length: RUNS }, (_, i) => deploy(i, ["--workdir", workdir]));
  return { files, freshCloneMs: median(fresh), reusedWorkdirMs: median(reused) };
}

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "holodeck-bench-"));
  try {
    const validate = await benchValidate(base);
    const deploy = [1000, 2000, 4000].map((files) => benchDeploy(base, files));
    const result = { runs: RUNS, cpus: os.cpus().length, loadavg1m: Number(os.loadavg()[0].toFixed(2)), validate, deploy };
    if (args.includes("--json")) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const ms = (n: number): string => `${Math.round(n)} ms`.padStart(9);
    process.stdout.write(
      `median of ${RUNS} runs, ${result.cpus} CPUs, load ${result.loadavg1m}\n` +
        `validate 2,000 services x 2 envs (4,000 files), goal <= 2000 ms:\n` +
        `  in-process ${ms(validate.inProcessMs)} | npx-style command ${ms(validate.commandMs)} | bundled CLI (CI image) ${ms(validate.bundledCommandMs)} | of which start-up ${ms(validate.startupMs)}\n` +
        `deploy (one service) against a bare repo of N files:\n` +
        `      N   fresh shallow clone   reused --workdir\n` +
        deploy.map((d) => `${String(d.files).padStart(7)}   ${ms(d.freshCloneMs)}            ${ms(d.reusedWorkdirMs)}\n`).join(""),
    );
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
