// Reads a pipeline file (.gitlab-ci.yml or the generated child pipeline) the way GitLab does for the parts the tests check: `extends`
// (hashes deep-merged, everything else replaced), `parallel:matrix` expanded into one job
// per entry, and `$VAR` / `${VAR}` expanded from the job's variables.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";

export type Yaml = Record<string, unknown>;

/** GitLab keywords that are not jobs at the top level. */
const GLOBAL_KEYWORDS = new Set(["workflow", "stages", "variables", "default", "include", "image", "services", "cache", "before_script", "after_script"]);

export interface Job {
  /** Name as GitLab shows it, e.g. `preview: [staging-eu-west-1, eu-west-1]`. */
  name: string;
  /** The job key in the YAML (matrix instances share it). */
  key: string;
  spec: Yaml;
  variables: Record<string, string>;
}

function isRecord(value: unknown): value is Yaml {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepMerge(base: Yaml, override: Yaml): Yaml {
  const merged: Yaml = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isRecord(current) && isRecord(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

function resolveExtends(all: Yaml, key: string, seen: string[] = []): Yaml {
  if (seen.includes(key)) throw new Error(`.gitlab-ci.yml: extends cycle ${[...seen, key].join(" → ")}`);
  const spec = all[key];
  if (!isRecord(spec)) throw new Error(`.gitlab-ci.yml: '${key}' is not a job`);
  const parents = spec["extends"] === undefined ? [] : [spec["extends"]].flat().map(String);
  const base = parents.reduce<Yaml>((acc, parent) => deepMerge(acc, resolveExtends(all, parent, [...seen, key])), {});
  const { extends: _ignored, ...own } = spec;
  return deepMerge(base, own);
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(isRecord(value) ? value : {}).map(([k, v]) => [k, String(v)]));
}

/** Expands `$VAR` and `${VAR}`; unknown variables stay as written (GitLab leaves them empty at run time). */
export function expand(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? "";
    return variables[name] ?? whole;
  });
}

function matrixEntries(spec: Yaml): Record<string, string>[] {
  const matrix = (spec["parallel"] as Yaml | undefined)?.["matrix"];
  if (!Array.isArray(matrix)) return [{}];
  return matrix.flatMap((entry: Yaml) => {
    // Each entry is a cartesian product of its keys' values.
    return Object.entries(entry).reduce<Record<string, string>[]>(
      (combos, [name, values]) => combos.flatMap((combo) => [values].flat().map((value) => ({ ...combo, [name]: String(value) }))),
      [{}],
    );
  });
}

export interface Pipeline {
  /** The main file merged over its includes (GitLab: the including file wins, hashes deep-merged). */
  raw: Yaml;
  /** `include: - local:` paths, relative to the repository root. */
  includes: string[];
  globalVariables: Record<string, string>;
  jobs: Job[];
}

/** `include` entries of a pipeline file; only local files exist in this repository. */
export function localIncludes(doc: Yaml): string[] {
  return [doc["include"] ?? []].flat().map((entry) => {
    const local = isRecord(entry) ? entry["local"] : entry;
    if (typeof local !== "string" || /^https?:/.test(local)) throw new Error(`.gitlab-ci.yml: include ${JSON.stringify(entry)} is not a local file`);
    return local.replace(/^\//, "");
  });
}

export function loadPipeline(file: string): Pipeline {
  const main = parse(readFileSync(file, "utf8")) as Yaml;
  const includes = localIncludes(main);
  const included = includes.map((path) => parse(readFileSync(join(dirname(file), path), "utf8")) as Yaml);
  return pipelineOf(
    [...included, main].reduce<Yaml>((merged, doc) => deepMerge(merged, doc), {}),
    includes,
  );
}

/** A pipeline given as YAML text without includes (e.g. a generated child pipeline). */
export function parsePipeline(text: string): Pipeline {
  const doc = parse(text) as Yaml;
  if (doc["include"] !== undefined) throw new Error("parsePipeline: includes need loadPipeline");
  return pipelineOf(doc, []);
}

function pipelineOf(raw: Yaml, includes: string[]): Pipeline {
  const globalVariables = stringRecord(raw["variables"]);
  const jobs = Object.keys(raw)
    .filter((key) => !GLOBAL_KEYWORDS.has(key) && !key.startsWith("."))
    .flatMap((key) => {
      const spec = resolveExtends(raw, key);
      return matrixEntries(spec).map((matrixVars) => {
        const variables = { ...globalVariables, ...stringRecord(spec["variables"]), ...matrixVars };
        const suffix = Object.keys(matrixVars).length ? `: [${Object.values(matrixVars).join(", ")}]` : "";
        return { name: `${key}${suffix}`, key, spec, variables };
      });
    });
  return { raw, includes, globalVariables, jobs };
}

export interface StackFile {
  stack: string;
  environment: string;
  region: string;
  secretsProvider: string;
}

/** Every `stacks/Pulumi.<stack>.yaml` with the settings the pipeline must agree with. */
export function loadStacks(stacksDir: string): StackFile[] {
  return readdirSync(stacksDir)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort()
    .map((stack) => {
      const doc = parse(readFileSync(join(stacksDir, `Pulumi.${stack}.yaml`), "utf8")) as Yaml;
      const config = stringRecord(doc["config"]);
      return {
        stack,
        environment: config["holodeck:environment"] ?? "",
        region: config["aws:region"] ?? "",
        secretsProvider: typeof doc["secretsprovider"] === "string" ? doc["secretsprovider"] : "",
      };
    });
}

export function scriptOf(job: Job, key: "script" | "before_script" = "script"): string[] {
  return [job.spec[key] ?? []].flat().map(String);
}

/** Direct `needs` of a job, as job keys. */
export function needsOf(job: Job): string[] {
  return [job.spec["needs"] ?? []].flat().map((need) => {
    const name = isRecord(need) ? need["job"] : need;
    if (typeof name !== "string") throw new Error(`job ${job.key}: a need that is not a job name: ${JSON.stringify(need)}`);
    return name;
  });
}
