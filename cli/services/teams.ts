import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import teamSchemaDocument from "../../services-root/team.schema.json";
import serviceSchemaDocument from "../../services-root/service.schema.json";
import { ownerOf, teamProblems, TEAMS_FOLDER, type ServiceOwner, type Team, type TeamFile } from "../../model/team";
import { RefusedError } from "../errors";
import { JsonSyntaxError, parseStrictJson } from "./strict-json";
import type { ValidationError } from "./validate";
import type { TreeFile } from "./working-copy";

export { TEAMS_FOLDER };

let compiled: ValidateFunction | undefined;

// The team schema refers to the service schema for the service-name rule (one rule, one home).
function teamValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addSchema(serviceSchemaDocument, "service.schema.json");
    compiled = ajv.compile(teamSchemaDocument);
  }
  return compiled;
}

const TOP_LEVEL: Record<string, { description: string }> = teamSchemaDocument.properties;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Checks one team file's bytes (strict JSON, the schema); the team when valid. */
export function validateTeamFile(file: string, bytes: Buffer): { team?: Team; errors: ValidationError[] } {
  const errors: ValidationError[] = [];
  let value;
  try {
    const parsed = parseStrictJson(UTF8.decode(bytes));
    value = parsed.value;
    for (const dup of parsed.duplicates) {
      errors.push({ file, field: dup.path, message: `key appears more than once (again at line ${dup.line})`, expected: "each key exactly once" });
    }
  } catch (error) {
    if (!(error instanceof JsonSyntaxError) && !(error instanceof TypeError)) throw error;
    return { errors: [{ file, field: "(file)", message: `is not valid JSON: ${error.message}`, expected: "exactly one JSON object in UTF-8" }] };
  }
  const validate = teamValidator();
  if (!validate(value)) {
    for (const error of validate.errors ?? []) {
      const missing = error.keyword === "required" ? String(error.params.missingProperty) : undefined;
      const extra = error.keyword === "additionalProperties" ? String(error.params.additionalProperty) : undefined;
      const field = error.instancePath.slice(1) || missing || extra || "(root)";
      const key = field.split("/")[0];
      const allowed = error.keyword === "enum" ? ` (allowed: ${(error.params.allowedValues as string[]).join(", ")})` : "";
      errors.push({
        file,
        field,
        message: missing ? "is missing" : extra ? "is not an allowed key" : `${error.message ?? error.keyword}${allowed}`,
        expected: extra ? `only the keys ${Object.keys(TOP_LEVEL).join(", ")}` : (TOP_LEVEL[key]?.description ?? "a team object"),
      });
    }
  }
  return errors.length === 0 ? { team: value as unknown as Team, errors } : { errors };
}

/** Team files of a services-root tree (`teams/<team>.json`): the valid teams and every problem, cross-file rules included. */
export function readTeams(files: readonly TreeFile[]): { teams: Team[]; errors: ValidationError[] } {
  const errors: ValidationError[] = [];
  const valid: TeamFile[] = [];
  for (const { path, bytes } of files) {
    if (!/^teams\/[^/]+\.json$/.test(path)) {
      errors.push({ file: path, field: "(path)", message: "is not a team file", expected: `${TEAMS_FOLDER}/<team>.json` });
      continue;
    }
    const report = validateTeamFile(path, bytes);
    errors.push(...report.errors);
    if (report.team) valid.push({ file: path, team: report.team });
  }
  errors.push(...teamProblems(valid));
  return { teams: valid.map((v) => v.team), errors };
}

/** The owner of `service` from the team files, or a refusal naming what to add where. */
export function requireOwner(files: readonly TreeFile[], service: string): ServiceOwner {
  const { teams, errors } = readTeams(files);
  if (errors.length > 0) {
    throw new RefusedError(
      `the team files are invalid; fix them first:\n${errors.map((e) => `${e.file}: ${e.field}: ${e.message}; expected ${e.expected}`).join("\n")}`,
    );
  }
  const owner = ownerOf(teams, service);
  if (!owner) {
    const known = teams.map((t) => t.team).join(", ") || "none";
    throw new RefusedError(
      `service "${service}" is listed by no team file: add {"name": "${service}", "domain": "<domain>"} to "services" of ${TEAMS_FOLDER}/<team>.json (teams: ${known})`,
    );
  }
  return owner;
}
