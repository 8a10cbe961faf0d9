// Invalid answers are refused by copier itself, with a message naming the question, the bad
// value and what is allowed; nothing is generated.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { answersFile, runCopier, tempDir, TEMPLATE_DIR, type TemplateAnswers } from "../harness/copier";
import schemaDocument from "../../services-root/service.schema.json";
import { RESERVED_SERVICE_NAMES } from "../../cli/services/record";

const CHART_SCHEMA = path.resolve(__dirname, "..", "..", "charts", "holodeck-service", "values.schema.json");

interface Refusal {
  case: string;
  answers: TemplateAnswers;
  /** copier's own words: a validator's message, or its choice check's */
  error: string;
}

const REFUSALS: Refusal[] = [
  {
    case: "uppercase service name",
    answers: { service_name: "Python-Example" },
    error:
      "Validation error for question 'service_name': " +
      "service_name 'Python-Example' is not a DNS label: use 1-30 characters from a-z, 0-9 and '-', starting with a letter and not ending with '-' (no uppercase, no underscores)",
  },
  {
    case: "underscore in service name",
    answers: { service_name: "python_example" },
    error: "Validation error for question 'service_name': " + "service_name 'python_example' is not a DNS label",
  },
  {
    case: "service name starting with a digit",
    answers: { service_name: "1service" },
    error: "Validation error for question 'service_name': " + "service_name '1service' is not a DNS label",
  },
  {
    case: "service name ending with '-'",
    answers: { service_name: "service-" },
    error: "Validation error for question 'service_name': " + "service_name 'service-' is not a DNS label",
  },
  {
    case: "service name over 30 characters",
    answers: { service_name: "a".repeat(31) },
    error: "Validation error for question 'service_name': " + `service_name '${"a".repeat(31)}' is not a DNS label`,
  },
  {
    case: "service name of a platform namespace",
    answers: { service_name: "argocd" },
    error:
      "Validation error for question 'service_name': " +
      `service_name 'argocd' is a reserved platform namespace (reserved: ${RESERVED_SERVICE_NAMES.join(", ")})`,
  },
  {
    case: "service name kube-system",
    answers: { service_name: "kube-system" },
    error: "Validation error for question 'service_name': " + "service_name 'kube-system' is a reserved platform namespace",
  },
  {
    case: "unknown domain",
    answers: { domain: "marketing" },
    error: "Invalid choice for 'domain': 'marketing' is not in ['services', 'payments', 'identity', 'catalog', 'data']",
  },
  { case: "unsupported Python", answers: { python_version: "3.9" }, error: "Invalid choice for 'python_version': '3.9' is not in ['3.11', '3.12', '3.13']" },
  {
    case: "lowercase secret name",
    answers: { vault_secrets: "weather_api_key" },
    error:
      "Validation error for question 'vault_secrets': " +
      "vault_secrets 'weather_api_key' must be comma-separated UPPER_SNAKE_CASE env var names without spaces",
  },
  {
    case: "space in the secret list",
    answers: { vault_secrets: "A_KEY, B_KEY" },
    error: "Validation error for question 'vault_secrets': " + "vault_secrets 'A_KEY, B_KEY' must be comma-separated",
  },
  {
    case: "secret named like a chart variable",
    answers: { vault_secrets: "API_KEY,REDIS_URL" },
    error: "Validation error for question 'vault_secrets': " + "vault_secrets: REDIS_URL is set by the chart itself",
  },
  {
    case: "NATS password as a Vault secret (the platform's, injected by the chart)",
    answers: { nats: true, vault_secrets: "NATS_PASSWORD" },
    error:
      "Validation error for question 'vault_secrets': " +
      "vault_secrets: NATS_PASSWORD is set by the chart itself (reserved: SERVICE_NAME, SERVICE_DOMAIN, ENVIRONMENT, PORT, LOG_FORMAT, LOG_LEVEL, " +
      "METRICS_PORT, NATS_URL, NATS_USER, NATS_PASSWORD, REDIS_URL, REDIS_PASSWORD, OTEL_*, DATABASE_*)",
  },
  {
    case: "NATS user as a Vault secret",
    answers: { nats: true, vault_secrets: "API_KEY,NATS_USER" },
    error: "Validation error for question 'vault_secrets': " + "vault_secrets: NATS_USER is set by the chart itself",
  },
  {
    case: "Redis password as a Vault secret",
    answers: { redis: true, vault_secrets: "REDIS_PASSWORD" },
    error: "Validation error for question 'vault_secrets': " + "vault_secrets: REDIS_PASSWORD is set by the chart itself",
  },
  {
    case: "secret with a reserved prefix",
    answers: { vault_secrets: "DATABASE_PASSWORD" },
    error: "Validation error for question 'vault_secrets': " + "vault_secrets: DATABASE_PASSWORD is set by the chart itself",
  },
  {
    case: "owner team not a DNS label",
    answers: { owner_team: "Team Weather" },
    error: "Validation error for question 'owner_team': " + "owner_team 'Team Weather' must be a DNS label",
  },
  {
    case: "empty description",
    answers: { description: "" },
    error: "Validation error for question 'description': " + "description must be a single line of 1-200 characters",
  },
];

describe("copier refuses invalid answers", () => {
  it.each(REFUSALS)("$case", ({ answers, error }) => {
    const dest = path.join(tempDir("refused"), "svc");
    const run = runCopier(["copy", "--defaults", "--quiet", "--data-file", answersFile({ service_name: "svc", ...answers }), TEMPLATE_DIR, dest]);
    expect(run.code).not.toBe(0);
    // Non-interactive copier ends with this line; interactively it shows under the prompt.
    expect(run.output.trimEnd().split("\n").at(-1)).toContain(error);
    expect(fs.existsSync(path.join(dest, "app"))).toBe(false);
  });

  it("accepts the edge values the refusals border on", () => {
    const dest = path.join(tempDir("accepted"), "svc");
    const answers = { service_name: `a${"b".repeat(28)}9`, domain: "data", python_version: "3.13", vault_secrets: "A,B_2", owner_team: "t" };
    const run = runCopier(["copy", "--defaults", "--quiet", "--data-file", answersFile(answers), TEMPLATE_DIR, dest]);
    expect(run.output).toBe("");
    expect(run.code).toBe(0);
    expect(fs.readFileSync(path.join(dest, "helm", "values.yaml"), "utf8")).toContain(`  service: ${answers.service_name}\n`);
  });
});

describe("the reserved secret names are the chart's", () => {
  const validator = String(
    (parse(fs.readFileSync(path.join(TEMPLATE_DIR, "copier.yml"), "utf8")) as { vault_secrets: { validator: string } }).vault_secrets.validator,
  );
  const envName = (
    JSON.parse(fs.readFileSync(CHART_SCHEMA, "utf8")) as { definitions: { envName: { not: { anyOf: [{ enum: string[] }, { pattern: string }] } } } }
  ).definitions.envName.not.anyOf;

  it("refuses exactly the names and prefixes holodeck-service's envName refuses", () => {
    const reserved = validator.match(/set reserved = \[([^\]]*)\]/)?.[1] ?? "";
    expect(
      reserved
        .split(",")
        .map((name) => name.trim().replace(/^'|'$/g, ""))
        .sort(),
    ).toEqual([...envName[0].enum].sort());
    expect(envName[1].pattern).toBe("^(OTEL_|DATABASE_)");
    expect(validator).toContain("name.startswith('OTEL_') or name.startswith('DATABASE_')");
  });
});

describe("the service-name rule is the services-root schema's", () => {
  const validator = String(
    (parse(fs.readFileSync(path.join(TEMPLATE_DIR, "copier.yml"), "utf8")) as { service_name: { validator: string } }).service_name.validator,
  );

  it("uses the schema's pattern and exactly its reserved names", () => {
    expect(validator).toContain(`regex_search('${schemaDocument.properties.service.pattern}')`);
    const reserved = validator.match(/set reserved = \[([^\]]*)\]/)?.[1] ?? "";
    expect(reserved.split(",").map((name) => name.trim().replace(/^'|'$/g, ""))).toEqual(schemaDocument.properties.service.not.enum);
  });
});
