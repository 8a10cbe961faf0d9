import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import { UsageError } from "../errors";
import schemaDocument from "../../services-root/service.schema.json";
import { JsonSyntaxError, parseStrictJson, type JsonValue } from "./strict-json";
import { ownerOf, type Team } from "../../model/team";
import { readTeams, TEAMS_FOLDER } from "./teams";
import { EXPECT_ENVIRONMENT, EXPECT_SERVICE_NAME, isEnvironment, serviceNameProblem, type ServiceRecord } from "./record";

/** One finding: which file, which field, what is wrong and what was expected. */
export interface ValidationError {
  file: string;
  field: string;
  message: string;
  expected: string;
}

export interface TreeReport {
  filesChecked: number;
  errors: ValidationError[];
}

export interface FileReport {
  record?: ServiceRecord;
  errors: ValidationError[];
}

interface SchemaProperty {
  description: string;
}
interface ServiceSchema {
  properties: Record<string, SchemaProperty>;
}

let compiled: { validate: ValidateFunction; schema: ServiceSchema } | undefined;

function schemaValidator(): { validate: ValidateFunction; schema: ServiceSchema } {
  if (!compiled) {
    const schema: ServiceSchema = schemaDocument;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    compiled = { validate: ajv.compile(schema), schema };
  }
  return compiled;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const BOM = "\uFEFF";

/** Turns ajv's errors into one finding per field, using the schema's descriptions as expectations. */
function schemaErrors(file: string, value: JsonValue, errors: ErrorObject[], schema: ServiceSchema): ValidationError[] {
  const allowed = Object.keys(schema.properties).join(", ");
  const byField = new Map<string, ValidationError>();
  const add = (field: string, message: string, expected: string): void => {
    const previous = byField.get(field);
    if (previous) previous.message += `; ${message}`;
    else byField.set(field, { file, field, message, expected });
  };
  for (const error of errors) {
    if (error.keyword === "required") {
      const key = String(error.params.missingProperty);
      add(key, "is missing", `required key: ${schema.properties[key]?.description ?? key}`);
    } else if (error.keyword === "additionalProperties") {
      add(String(error.params.additionalProperty), "is not an allowed key", `only the keys ${allowed}`);
    } else if (error.instancePath === "") {
      add("(root)", `is ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`, "a JSON object");
    } else {
      const key = error.instancePath.slice(1).split("/")[0];
      const actual = typeof value === "object" && value !== null && !Array.isArray(value) ? value[key] : undefined;
      // ajv says "must NOT be valid" for `not`; the only `not` is the reserved-name list.
      const why = error.keyword === "not" ? "a reserved namespace" : (error.message ?? error.keyword);
      add(key, `is ${JSON.stringify(actual)} (${why})`, schema.properties[key]?.description ?? "");
    }
  }
  return [...byField.values()];
}

/**
 * Checks one file's bytes: encoding, formatting, strict JSON, the schema, and that `cluster`
 * matches the folder and `service` the file name. Every problem is reported, not just the first.
 */
export function validateEntry(file: string, bytes: Buffer, folder: string, fileStem: string): FileReport {
  const errors: ValidationError[] = [];
  const fileError = (message: string, expected: string): void => {
    errors.push({ file, field: "(file)", message, expected });
  };
  const nameProblem = serviceNameProblem(fileStem);
  if (nameProblem) {
    errors.push({ file, field: "(file name)", message: `${nameProblem} (file "${fileStem}.json")`, expected: EXPECT_SERVICE_NAME });
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    fileError("is not valid UTF-8", "UTF-8 text");
    return { errors };
  }
  if (text.startsWith(BOM)) {
    fileError("starts with a byte order mark (BOM)", "UTF-8 without BOM");
    text = text.slice(1);
  }
  if (text.trim() === "") {
    fileError("is empty", "exactly one JSON object");
    return { errors };
  }
  if (!text.endsWith("\n")) fileError("does not end with a newline", "a trailing newline");

  let value: JsonValue;
  try {
    const parsed = parseStrictJson(text);
    value = parsed.value;
    for (const dup of parsed.duplicates) {
      errors.push({ file, field: dup.path, message: `key appears more than once (again at line ${dup.line})`, expected: "each key exactly once" });
    }
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    fileError(`is not valid JSON: ${error.message}`, "exactly one JSON object");
    return { errors };
  }

  const { validate, schema } = schemaValidator();
  if (!validate(value)) {
    errors.push(...schemaErrors(file, value, validate.errors ?? [], schema));
  } else {
    const record = value as unknown as ServiceRecord;
    if (record.cluster !== folder) {
      errors.push({
        file,
        field: "cluster",
        message: `is "${record.cluster}" but the file is in folder "${folder}"`,
        expected: `"${folder}" (the folder name)`,
      });
    }
    if (record.service !== fileStem) {
      errors.push({
        file,
        field: "service",
        message: `is "${record.service}" but the file is named "${fileStem}.json"`,
        expected: `"${fileStem}" (the file name without .json)`,
      });
    }
    if (errors.length === 0) return { record, errors };
  }
  return { errors };
}

const isHidden = (name: string): boolean => name.startsWith(".");

/** Validates a services-root tree: `<environment>/<service>.json` files and nothing ArgoCD would silently skip. */
export function validateTree(root: string): TreeReport {
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`services validate: "${root}" is not a directory`);
  }
  const errors: ValidationError[] = [];
  const entries: { file: string; record: ServiceRecord }[] = [];
  let teams: Team[] = [];
  let filesChecked = 0;
  for (const top of fs.readdirSync(root, { withFileTypes: true }).sort(byName)) {
    if (isHidden(top.name)) continue;
    if (top.name === TEAMS_FOLDER && top.isDirectory()) {
      const files = fs
        .readdirSync(path.join(root, top.name), { withFileTypes: true })
        .filter((f) => !isHidden(f.name))
        .sort(byName)
        .map((f) => ({ path: `${top.name}/${f.name}`, bytes: f.isFile() ? fs.readFileSync(path.join(root, top.name, f.name)) : Buffer.alloc(0) }));
      filesChecked += files.length;
      const report = readTeams(files);
      errors.push(...report.errors);
      teams = report.teams;
      continue;
    }
    if (!top.isDirectory()) {
      if (top.name.endsWith(".json")) {
        errors.push({ file: top.name, field: "(path)", message: "is outside an environment folder", expected: "<environment>/<service>.json" });
      }
      continue; // README.md, .gitlab-ci.yml and other repository files
    }
    if (!isEnvironment(top.name)) {
      errors.push({ file: `${top.name}/`, field: "(folder)", message: "is not a known environment folder", expected: EXPECT_ENVIRONMENT });
      continue;
    }
    for (const entry of fs.readdirSync(path.join(root, top.name), { withFileTypes: true }).sort(byName)) {
      if (isHidden(entry.name)) continue;
      const file = `${top.name}/${entry.name}`;
      if (!entry.isFile() || !entry.name.endsWith(".json")) {
        errors.push({
          file,
          field: "(path)",
          message: "is not a regular .json file (ArgoCD only reads <environment>/*.json)",
          expected: "<environment>/<service>.json",
        });
        continue;
      }
      filesChecked++;
      const bytes = fs.readFileSync(path.join(root, file));
      const report = validateEntry(file, bytes, top.name, entry.name.slice(0, -".json".length));
      errors.push(...report.errors);
      if (report.record) entries.push({ file, record: report.record });
    }
  }
  for (const { file, record } of entries) errors.push(...ownershipErrors(file, record, teams));
  return { filesChecked, errors };
}

/** An entry's team and domain must be what the team files say (the platform derives the namespace's identity from them). */
export function ownershipErrors(file: string, record: ServiceRecord, teams: readonly Team[]): ValidationError[] {
  const owner = ownerOf(teams, record.service);
  if (!owner) {
    return [
      {
        file,
        field: "service",
        message: `"${record.service}" is listed by no team file`,
        expected: `a team file ${TEAMS_FOLDER}/<team>.json whose "services" has {"name": "${record.service}", ...} (teams: ${teams.map((t) => t.team).join(", ") || "none"})`,
      },
    ];
  }
  const errors: ValidationError[] = [];
  if (record.team !== owner.team) {
    errors.push({
      file,
      field: "team",
      message: `is "${record.team}" but ${TEAMS_FOLDER}/${owner.team}.json lists "${record.service}"`,
      expected: `"${owner.team}"`,
    });
  }
  if (record.domain !== owner.domain) {
    errors.push({
      file,
      field: "domain",
      message: `is "${record.domain}" but ${TEAMS_FOLDER}/${owner.team}.json gives "${record.service}" domain "${owner.domain}"`,
      expected: `"${owner.domain}"`,
    });
  }
  return errors;
}

function byName(a: fs.Dirent, b: fs.Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function formatError(error: ValidationError): string {
  return `${error.file}: ${error.field}: ${error.message}; expected ${error.expected}`;
}
