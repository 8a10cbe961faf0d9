// The plan engine: runs the holodeck program for one stack under Pulumi mocks and records
// every resource (custom and component) with what MockResourceArgs lacks: parent,
// dependencies, protect, retainOnDelete, provider. `npm run plan` and the tests use it.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { loadConfig, type HolodeckConfig } from "../../stacks/config";
import { program as holodeckProgram } from "../../stacks/program";
import { listStacks } from "../../stacks/stack-files";
import { createMocks, type MockContext } from "./mocks";

export const REPO_ROOT = path.resolve(__dirname, "../..");
const PROJECT = "holodeck";

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

export interface RunStackOptions {
  /** Config overrides, `holodeck:<key>` or `aws:<key>` -> raw value (JSON for lists/objects); undefined unsets. */
  config?: Record<string, string | undefined>;
  /** Stack file to read instead of stacks/Pulumi.<stack>.yaml (e.g. a documented example). */
  stackFile?: string;
  /** Runs this instead of stacks/program.ts (to test one component with the stack's validated config). */
  program?: (cfg: HolodeckConfig) => Record<string, unknown>;
  /**
   * Loads the program's modules after the mock runtime is set (default: the modules this file
   * imports). A test runner passes a loader that resets its module registry first, so each run
   * gets fresh project module state.
   */
  loadProgram?: () => Promise<ProgramModules>;
}

/** The two entry points of the holodeck program (stacks/index.ts runs them the same way). */
export interface ProgramModules {
  loadConfig: () => HolodeckConfig;
  program: (cfg: HolodeckConfig) => Record<string, unknown>;
}

export { listStacks };

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

/** Replaces Pulumi's RPC secret wrappers by their values, at any depth. */
function unwrapSecrets(value: unknown): unknown {
  if (pulumi.runtime.isRpcSecret(value)) return unwrapSecrets(pulumi.runtime.unwrapRpcSecret(value));
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  return value;
}

/** A MockMonitor that also records each registration request. */
class RecordingMonitor extends MockMonitor {
  readonly recorded: RecordedResource[] = [];

  override async registerResource(req: RegisterResourceRequest, callback: (err: unknown, res: RegisterResourceResponse | undefined) => void): Promise<void> {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, prop) => (propertyDependencies[prop] = deps.getUrnsList()));
    const object = req.getObject();
    const raw = object ? (pulumi.runtime.deserializeProperties(object) as Record<string, unknown>) : {};
    const secretInputs = Object.keys(raw).filter((key) => pulumi.runtime.isRpcSecret(raw[key]));
    const inputs = unwrapSecrets(raw) as Record<string, unknown>;
    return super.registerResource(req, (err: unknown, res: RegisterResourceResponse | undefined) => {
      if (res) {
        this.recorded.push({
          type: req.getType(),
          name: req.getName(),
          urn: res.getUrn(),
          inputs,
          secretInputs,
          parent: req.getParent() || undefined,
          dependsOn: [...new Set(req.getDependenciesList())],
          propertyDependencies,
          protect: req.getProtect() === true,
          retainOnDelete: req.getRetainondelete() === true,
          provider: req.getProvider() || undefined,
          ignoreChanges: req.getIgnorechangesList(),
          custom: req.getCustom(),
          remote: req.getRemote(),
        });
      }
      callback(err, res);
    });
  }
}

function mockContext(stack: string, config: Record<string, string>): MockContext {
  const account = /^arn:[\w-]+:iam::(\d{12}):/.exec(config["holodeck:ciRoleArn"] ?? "")?.[1];
  return { stack, region: config["aws:region"] ?? "eu-west-1", accountId: account ?? "123456789012", partition: "aws" };
}

async function resolveOutputs(outputs: Record<string, unknown>): Promise<{ values: Record<string, unknown>; secrets: string[] }> {
  const values: Record<string, unknown> = {};
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(outputs)) {
    const output = pulumi.output(value);
    if (await pulumi.isSecret(output)) secrets.push(key);
    values[key] = await new Promise((resolve) => pulumi.unsecret(output).apply(resolve));
  }
  return { values, secrets };
}

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

/**
 * Runs `body` and returns its failures. A failure inside an apply or a registration surfaces
 * only as an unhandled rejection (and the stack outputs then never resolve), so the first one
 * ends the wait.
 */
async function untilDoneOrFailed(body: () => Promise<void>): Promise<unknown[]> {
  const failures: unknown[] = [];
  let fail: (reason: unknown) => void = () => undefined;
  const failed = new Promise<void>((resolve) => {
    fail = (reason) => {
      failures.push(reason);
      resolve();
    };
  });
  process.on("unhandledRejection", fail);
  try {
    await Promise.race([body().catch((err: unknown) => void failures.unshift(err)), failed]);
  } finally {
    process.off("unhandledRejection", fail);
  }
  return failures;
}

/**
 * Runs the program of `stack` under mocks. Stacks must run one after another (the Pulumi
 * runtime is process-global).
 */
export async function runStack(stack: string, opts: RunStackOptions = {}): Promise<StackRecording> {
  const config = stackConfig(stack, opts.config, opts.stackFile);
  const mocks = createMocks(mockContext(stack, config));
  const monitor = new RecordingMonitor(mocks);
  // setMocks sets the runtime's feature flags; the recording monitor then replaces its monitor.
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
  pulumi.runtime.setMockOptions(monitor, PROJECT, stack, false);
  pulumi.runtime.setAllConfig(config, []);
  const modules = opts.loadProgram ? await opts.loadProgram() : { loadConfig, program: holodeckProgram };
  const { loadConfig: readConfig } = modules;
  const program = opts.program ?? modules.program;
  let programOutputs: Record<string, unknown> = {};
  const failures = await untilDoneOrFailed(async () => {
    const cfg = readConfig();
    await pulumi.runtime.runInPulumiStack(() => Promise.resolve((programOutputs = program(cfg))));
    await pulumi.runtime.disconnect();
  });
  if (failures.length > 0) {
    const messages = [...new Set(failures.map((f) => (f instanceof Error ? f.message : String(f))))];
    throw new StackRunError(messages.join("\n"), monitor.recorded, failures[0]);
  }
  const { values, secrets } = await resolveOutputs(programOutputs);
  return toRecording(stack, monitor.recorded, values, secrets);
}
