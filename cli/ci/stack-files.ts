// Reads stacks/Pulumi.<stack>.yaml into what the infra pipeline needs per stack. The stack
// files are the only list of stacks: the generated pipeline has exactly one preview and one up
// per file, so adding a region never means editing the pipeline.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ENVIRONMENTS, type Environment } from "../../model";
import { AWS_REGIONS } from "../../stacks/config-rules";

export interface StackTarget {
  /** `<environment>-<region>`, e.g. production-eu-west-1. */
  stack: string;
  environment: Environment;
  region: string;
  /** The file's `secretsprovider`, e.g. awskms://alias/holodeck-pulumi-secrets?region=eu-west-1. */
  secretsProvider: string;
  /** Path of the stack file, for error messages. */
  file: string;
}

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One stack file; every problem with it goes into one error naming the file, key and allowed values. */
export function readStackFile(dir: string, fileName: string): StackTarget {
  const stack = STACK_FILE.exec(fileName)?.[1];
  const file = join(dir, fileName);
  if (stack === undefined) throw new Error(`${file}: not a stack file (allowed: Pulumi.<environment>-<region>.yaml)`);
  const doc: unknown = parse(readFileSync(file, "utf8"));
  const config = isRecord(doc) && isRecord(doc["config"]) ? doc["config"] : {};
  const problems: string[] = [];
  const problem = (key: string, value: unknown, allowed: string) => problems.push(`${key} = ${JSON.stringify(value ?? "(unset)")} (allowed: ${allowed})`);

  const environment = ENVIRONMENTS.find((env) => stack.startsWith(`${env}-`));
  if (environment === undefined) problem("stack name", stack, `${ENVIRONMENTS.map((env) => `${env}-<region>`).join(" | ")}`);
  const nameRegion = environment === undefined ? undefined : stack.slice(environment.length + 1);

  const region = config["aws:region"];
  if (typeof region !== "string" || !AWS_REGIONS.includes(region) || (nameRegion !== undefined && region !== nameRegion)) {
    problem("aws:region", region, `an AWS region equal to the stack name suffix${nameRegion === undefined ? "" : ` "${nameRegion}"`}`);
  }
  const declared = config["holodeck:environment"];
  if (declared !== undefined && declared !== environment) problem("holodeck:environment", declared, `the stack name prefix (${ENVIRONMENTS.join(" | ")})`);

  const secretsProvider = isRecord(doc) ? doc["secretsprovider"] : undefined;
  const providerRegion = typeof secretsProvider === "string" ? /^awskms:\/\/[^?]+\?region=([a-z0-9-]+)$/.exec(secretsProvider)?.[1] : undefined;
  if (providerRegion === undefined || providerRegion !== region) {
    problem("secretsprovider", secretsProvider, `awskms://<key alias or id>?region=${typeof region === "string" ? region : "<aws:region>"}`);
  }

  if (problems.length > 0 || environment === undefined || typeof region !== "string" || typeof secretsProvider !== "string") {
    throw new Error(`${file}: ${problems.join("; ")}`);
  }
  return { stack, environment, region, secretsProvider, file };
}

/** Every stack file in `dir`, sorted by stack name. */
export function readStackFiles(dir: string): StackTarget[] {
  const files = readdirSync(dir)
    .filter((name) => STACK_FILE.test(name))
    .sort();
  if (files.length === 0) throw new Error(`${dir}: no stack files (allowed: Pulumi.<environment>-<region>.yaml)`);
  return files.map((name) => readStackFile(dir, name));
}
