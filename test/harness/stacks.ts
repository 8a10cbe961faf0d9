// How the tests run stacks under the plan engine (cli/plan/run-stack.ts).
// - `recordedStack(stack)`: the unchanged stack file's recording, made once per test run by
//   test/harness/record-stacks.ts (vitest globalSetup) and shared by every test file;
// - `runStack(stack, opts)`: a fresh run, for config overrides, other stack files or programs.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { inject, vi } from "vitest";
import {
  runStack as runPlanEngine,
  toRecording,
  type RecordedResource,
  type ProgramModules,
  type RunStackOptions,
  type StackRecording,
} from "../../cli/plan/run-stack";

export { REPO_ROOT, listStacks, stackConfig, StackRunError } from "../../cli/plan/run-stack";
export type { RecordedResource, RunStackOptions, StackRecording } from "../../cli/plan/run-stack";

/** The program's modules, loaded fresh: vitest's module registry is reset first. */
async function freshProgram(): Promise<ProgramModules> {
  vi.resetModules();
  const [{ loadConfig }, { program }] = await Promise.all([import("../../stacks/config"), import("../../stacks/program")]);
  return { loadConfig, program };
}

/** A hand-made recorded resource for graph and report tests: a plain custom resource unless `extra` says otherwise. */
export function fakeResource(type: string, name: string, extra: Partial<RecordedResource> = {}): RecordedResource {
  return {
    type,
    name,
    urn: name,
    inputs: {},
    secretInputs: [],
    dependsOn: [],
    propertyDependencies: {},
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    custom: true,
    remote: false,
    ...extra,
  };
}

/** A fresh run of `stack`, with fresh project modules. */
export function runStack(stack: string, opts: RunStackOptions = {}): Promise<StackRecording> {
  return runPlanEngine(stack, { ...opts, loadProgram: freshProgram });
}

/** What record-stacks.ts writes for one stack. */
export interface SavedRecording {
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  secretOutputs: string[];
}

/**
 * Config variants many suites need, recorded once per run for every stack like the stack file
 * itself (a variant's name -> its overrides). A variant equal to the stack file is skipped.
 */
export const SHARED_VARIANTS = {
  "ingress-nginx-edge": { "holodeck:edge": "ingress-nginx" },
} as const satisfies Record<string, Record<string, string>>;
export type SharedVariant = keyof typeof SHARED_VARIANTS;

/** The file name a recording is saved under. */
export const recordingFile = (stack: string, variant?: SharedVariant): string => `${stack}${variant ? `@${variant}` : ""}.json`;

const loaded = new Map<string, StackRecording>();

/** The recording of a stack file as it is (or of a shared variant), shared by the whole test run; throws for an unknown one. */
export function recordedStack(stack: string, variant?: SharedVariant): StackRecording {
  const key = recordingFile(stack, variant);
  const cached = loaded.get(key);
  if (cached) return cached;
  const file = path.join(inject("holodeckRecordings"), key);
  const saved = JSON.parse(readFileSync(file, "utf8")) as SavedRecording;
  const recording = toRecording(saved.stack, saved.resources, saved.outputs, saved.secretOutputs);
  loaded.set(key, recording);
  return recording;
}
