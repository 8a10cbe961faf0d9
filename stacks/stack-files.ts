// The stack files are the one list of stacks: stacks/Pulumi.<stack>.yaml. Read raw here for
// what a stack derives from the others (the registry's replication targets and source), for
// the generated CI pipeline and for the offline plan.
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** This folder: Pulumi runs the program from the project root with `main: stacks/`. */
export const STACKS_DIR = __dirname;
export const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

/** A stack file's path, relative to the project root, for error messages. */
export const stackFilePath = (stack: string): string => `stacks/Pulumi.${stack}.yaml`;

/** Every stack name with a file in `dir`, sorted. */
export function listStacks(dir: string = STACKS_DIR): string[] {
  return readdirSync(dir)
    .map((name) => STACK_FILE.exec(name)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The parsed document of one stack file: its `config` map and top-level keys (e.g. secretsprovider). */
export interface StackFileDocument {
  stack: string;
  file: string;
  config: Record<string, unknown>;
  top: Record<string, unknown>;
}

export function readStackFile(stack: string, dir: string = STACKS_DIR): StackFileDocument {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  const doc: unknown = parse(readFileSync(file, "utf8"));
  const top = isRecord(doc) ? doc : {};
  return { stack, file, config: isRecord(top.config) ? top.config : {}, top };
}
