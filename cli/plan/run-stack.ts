// The plan engine: runs the holodeck program for one stack under Pulumi mocks and records
// every resource (custom and component) with what MockResourceArgs lacks: parent,
// dependencies, protect, retainOnDelete, provider. `npm run plan` and the tests use it.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { loadConfig, type HolodeckConfig } from "../../stacks/config";
import { program as holodeckProgram } from "../../stacks/program";
import { createMocks, type MockContext } from "./mocks";
import { StackRunError, stackConfig, toRecording, type RecordedResource, type StackRecording } from "./recording";

export { listStacks, REPO_ROOT, StackRunError, stackConfig, toRecording, type RecordedResource, type StackRecording } from "./recording";

const PROJECT = "holodeck";

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
