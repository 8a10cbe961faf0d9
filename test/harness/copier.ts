// Runs the pinned copier (scripts/install/python.sh → .tools/venv/bin/copier) on the
// python-service template, and a generated project's own pytest in the shared venv built
// from the template's lock (.tools/service-venv), so no test installs anything itself.
// In the unit suite each answer set is generated from the local template once per run and
// every test file gets its own copy of that generation (the template does not change during a run).
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inject } from "vitest";
import { stringify } from "yaml";

const repoRoot = path.resolve(__dirname, "..", "..");
const toolsDir = process.env.HOLODECK_TOOLS ?? path.join(repoRoot, ".tools");

export const COPIER_BIN = path.join(toolsDir, "venv", "bin", "copier");
export const SERVICE_PYTHON = path.join(toolsDir, "service-venv", "bin", "python");
export const TEMPLATE_DIR = path.join(repoRoot, "templates", "python-service");

/** The exact requirement (`name==version`) of `name` in the template's deps/<input>, the one place relock.py reads it from. */
export function templatePin(input: string, name: string): string {
  const pin = fs
    .readFileSync(path.join(TEMPLATE_DIR, "deps", input), "utf8")
    .split("\n")
    .find((line) => line.startsWith(`${name}==`));
  if (pin === undefined) throw new Error(`templates/python-service/deps/${input} pins no ${name}`);
  return pin;
}

/** The template's questions (copier.yml); omitted answers take their defaults. */
export interface TemplateAnswers {
  service_name?: string;
  domain?: string;
  description?: string;
  python_version?: string;
  postgres?: boolean;
  redis?: boolean;
  nats?: boolean;
  vault_secrets?: string;
  owner_team?: string;
}

export interface RunResult {
  code: number;
  output: string;
}

/** copier exited non-zero; `output` carries its message (validation errors name the question). */
export class CopierError extends Error {
  constructor(
    readonly args: string[],
    readonly output: string,
  ) {
    super(`copier ${args.join(" ")} failed:\n${output}`);
    this.name = "CopierError";
  }
}

function requireTool(file: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run tools\` (scripts/install/python.sh)`);
}

function result(run: SpawnSyncReturns<string>): RunResult {
  if (run.error) throw run.error;
  return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/** Runs copier with `args`; never throws on a non-zero exit (tests of refusals read it). */
export function runCopier(args: string[], cwd = repoRoot): RunResult {
  requireTool(COPIER_BIN);
  // No TTY and an empty settings file (not the user's): every answer comes from the flags.
  const settings = path.join(os.tmpdir(), "holodeck-copier-settings.yml");
  if (!fs.existsSync(settings)) fs.writeFileSync(settings, "{}\n");
  const env = { ...process.env, COPIER_SETTINGS_PATH: settings };
  return result(spawnSync(COPIER_BIN, args, { cwd, env, encoding: "utf8", input: "" }));
}

/** Answers as copier's --data-file (YAML keeps booleans booleans). */
export function answersFile(answers: TemplateAnswers): string {
  const file = path.join(tempDir("answers"), "answers.yml");
  fs.writeFileSync(file, stringify(answers));
  return file;
}

const created: string[] = [];
process.once("exit", () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `holodeck-${prefix}-`));
  created.push(dir);
  return dir;
}

/** `copier copy --defaults` into `dest` (whose last segment is the project folder); throws CopierError. */
function generate(answers: TemplateAnswers, dest: string, template: string, extraArgs: string[]): void {
  const args = ["copy", "--defaults", "--quiet", "--data-file", answersFile(answers), ...extraArgs, template, dest];
  const run = runCopier(args);
  if (run.code !== 0) throw new CopierError(args, run.output);
}

/**
 * The run's generation of the local template for these answers and folder name, made by the
 * first test file that asks (test/harness/record-stacks.ts provides the run's scratch folder);
 * undefined outside the unit suite.
 */
function sharedGeneration(answers: TemplateAnswers, dirName: string, extraArgs: string[]): string | undefined {
  const scratch = inject("holodeckScratch");
  if (scratch === undefined) return undefined;
  const key = createHash("sha256").update(JSON.stringify({ answers, dirName, extraArgs })).digest("hex").slice(0, 16);
  const shared = path.join(scratch, "copier", key);
  if (!fs.existsSync(shared)) {
    const staging = path.join(tempDir("generation"), key);
    generate(answers, path.join(staging, dirName), TEMPLATE_DIR, extraArgs);
    fs.mkdirSync(path.dirname(shared), { recursive: true });
    try {
      fs.renameSync(staging, shared);
    } catch (error) {
      // Another test file generated the same project first: use that one.
      if (!fs.existsSync(shared)) throw error;
    }
  }
  return path.join(shared, dirName);
}

/**
 * `copier copy --defaults` of `template` (the template folder, or a git URL) into
 * `<fresh temp dir>/<dirName>`; returns the generated project's directory. Throws CopierError.
 */
export function copierCopy(answers: TemplateAnswers, dirName = "svc", template = TEMPLATE_DIR, extraArgs: string[] = []): string {
  const dest = path.join(tempDir("service"), dirName);
  const shared = template === TEMPLATE_DIR ? sharedGeneration(answers, dirName, extraArgs) : undefined;
  if (shared) fs.cpSync(shared, dest, { recursive: true });
  else generate(answers, dest, template, extraArgs);
  return dest;
}

/** Runs a generated project's own test suite with the shared service venv. */
export function runPytest(projectDir: string): RunResult {
  requireTool(SERVICE_PYTHON);
  return result(
    spawnSync(SERVICE_PYTHON, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], {
      cwd: projectDir,
      encoding: "utf8",
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
      timeout: 120_000,
    }),
  );
}

/** Runs a Python script file with the service venv's interpreter (lock checks read its metadata). */
export function runServicePython(args: string[], cwd: string): RunResult {
  requireTool(SERVICE_PYTHON);
  return result(spawnSync(SERVICE_PYTHON, args, { cwd, encoding: "utf8" }));
}

/** A console script of the service venv (ruff...) run in a generated project. */
export function runServiceTool(tool: string, args: string[], cwd: string): RunResult {
  const bin = path.join(path.dirname(SERVICE_PYTHON), tool);
  requireTool(bin);
  return result(spawnSync(bin, args, { cwd, encoding: "utf8" }));
}

/** Every file of a generated project, relative, sorted (for exact file-set assertions). */
export function projectFiles(dir: string): string[] {
  const walk = (sub: string): string[] =>
    fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((entry) => {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) return [".git", "__pycache__"].includes(entry.name) ? [] : walk(rel);
      return [rel];
    });
  return walk("").sort();
}

/** A linter from the tools venv (hadolint, shellcheck) on `files`, in `cwd`. */
export function runLinter(tool: "hadolint" | "shellcheck", args: string[], cwd: string): RunResult {
  const bin = path.join(toolsDir, "venv", "bin", tool);
  requireTool(bin);
  return result(spawnSync(bin, args, { cwd, encoding: "utf8" }));
}
