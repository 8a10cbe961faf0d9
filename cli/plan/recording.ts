// What the plan engine records, and the stack config it runs with: the parts of the engine
// that need no Pulumi runtime, so readers of a saved recording (the tests, via
// test/harness/stacks.ts) do not load the Pulumi SDK. cli/plan/run-stack.ts runs the program
// and re-exports all of this.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { listStacks } from "../../stacks/stack-files";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export { listStacks };

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
  parent?: string;
  /** Every resource this one waits for: explicit dependsOn plus resources whose outputs its inputs use. */
  dependsOn: string[];
  /** Top-level inputs that are secrets (their values are unwrapped in `inputs`). */
  secretInputs: string[];
  /** Input property -> resources whose outputs it consumes. */
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  retainOnDelete: boolean;
  /** Provider reference as the engine gets it: `<provider urn>::<provider id>`. */
  provider?: string;
  ignoreChanges: string[];
  custom: boolean;
  remote: boolean;
}

export interface StackRecording {
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  /** Names of stack outputs that are secrets. */
  secretOutputs: string[];
  byType(type: string): RecordedResource[];
  /** The single resource of `type` whose name ends with `nameSuffix`; throws otherwise. */
  one(type: string, nameSuffix: string): RecordedResource;
}

/** Thrown when the program fails; carries what was registered before the failure. */
export class StackRunError extends Error {
  constructor(
    message: string,
    readonly resources: RecordedResource[],
    readonly original: unknown,
  ) {
    super(message);
    this.name = "StackRunError";
  }
}

function configValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Pulumi.yaml defaults, then the stack file, then overrides: what `pulumi up -s <stack>` sees. */
export function stackConfig(stack: string, overrides: Record<string, string | undefined> = {}, file?: string): Record<string, string> {
  const stackFile = file ?? path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) throw new Error(`unknown stack "${stack}": no ${path.relative(REPO_ROOT, stackFile)} (stacks: ${listStacks().join(", ")})`);
  const project = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { config?: Record<string, { default?: unknown }> };
  const config: Record<string, string | undefined> = {};
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    if (decl.default !== undefined) config[key] = configValue(decl.default);
  }
  const stackValues = (parse(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
  for (const [key, value] of Object.entries(stackValues)) config[key] = configValue(value);
  Object.assign(config, overrides);
  return Object.fromEntries(Object.entries(config).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A recording with its lookup helpers, from what the engine registered (or a saved copy of it). */
export function toRecording(stack: string, resources: RecordedResource[], outputs: Record<string, unknown>, secretOutputs: string[]): StackRecording {
  const byType = (type: string): RecordedResource[] => resources.filter((r) => r.type === type);
  return {
    stack,
    resources,
    outputs,
    secretOutputs,
    byType,
    one(type, nameSuffix) {
      const found = byType(type).filter((r) => r.name.endsWith(nameSuffix));
      if (found.length !== 1) {
        throw new Error(
          `expected one ${type} named *${nameSuffix}, found ${found.length}: ${
            byType(type)
              .map((r) => r.name)
              .join(", ") || "none of that type"
          }`,
        );
      }
      return found[0];
    },
  };
}
