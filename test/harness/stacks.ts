// How the tests run stacks under the plan engine (cli/plan/run-stack.ts).
// - `recordedStack(stack)`: the unchanged stack file's recording, made once per test run by
//   test/harness/record-stacks.ts (vitest globalSetup) and shared by every test file;
// - `runStack(stack, opts)`: a fresh run, for config overrides, other stack files or programs.
// Reading a recording needs no Pulumi runtime: the engine (and the Pulumi SDK with it) is
// loaded only by a file that runs a stack itself.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { inject, vi } from "vitest";
import { toRecording, type RecordedResource, type StackRecording } from "../../cli/plan/recording";
import type * as PlanEngine from "../../cli/plan/run-stack";
import type { ProgramModules, RunStackOptions } from "../../cli/plan/run-stack";

export { REPO_ROOT, listStacks, stackConfig, StackRunError } from "../../cli/plan/recording";
export type { RecordedResource, StackRecording } from "../../cli/plan/recording";
export type { RunStackOptions } from "../../cli/plan/run-stack";

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

// Loaded once per file, before the first fresh run resets the module registry: every run then
// throws the same StackRunError class the test file imported.
let engine: Promise<typeof PlanEngine> | undefined;

/** A fresh run of `stack`, with fresh project modules. */
export async function runStack(stack: string, opts: RunStackOptions = {}): Promise<StackRecording> {
  engine ??= import("../../cli/plan/run-stack");
  return (await engine).runStack(stack, { ...opts, loadProgram: freshProgram });
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
  // ingress-nginx 4.15 supports Kubernetes up to 1.35 (bootstrap/chart-support.ts): the config refuses it on 1.36.
  "ingress-nginx-edge": { "holodeck:edge": "ingress-nginx", "holodeck:kubernetesVersion": "1.35" },
} as const satisfies Record<string, Record<string, string>>;
export type SharedVariant = keyof typeof SHARED_VARIANTS;

/** The file name a recording is saved under. */
export const recordingFile = (stack: string, variant?: SharedVariant): string => `${stack}${variant ? `@${variant}` : ""}.json`;

/**
 * Lists the recordings still being made in the folder (record-stacks.ts); without it every
 * recording is already there (e.g. the control-plane suite records before its tests start).
 */
export const RECORDINGS_MANIFEST = "recordings.json";
/** Longest wait for a recording in progress (all of them take well under a minute on 2 cores). */
const RECORDING_WAIT_MS = 300_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** The path of recording `name` in `dir` once it is written; throws if it failed or will never come. */
function finishedRecording(dir: string, name: string): string {
  const file = path.join(dir, name);
  const manifest = path.join(dir, RECORDINGS_MANIFEST);
  if (!existsSync(manifest)) return file;
  const planned = JSON.parse(readFileSync(manifest, "utf8")) as string[];
  if (!planned.includes(name)) throw new Error(`no recording ${name} in this run (recorded: ${planned.join(", ")})`);
  const deadline = Date.now() + RECORDING_WAIT_MS;
  while (!existsSync(file)) {
    if (existsSync(`${file}.error`)) throw new Error(`recording ${name} failed: ${readFileSync(`${file}.error`, "utf8")}`);
    if (Date.now() > deadline) throw new Error(`recording ${name} not written after ${RECORDING_WAIT_MS / 1000} s`);
    // The test file cannot go on without it: sleep synchronously between looks.
    Atomics.wait(pause, 0, 0, 50);
  }
  return file;
}

const loaded = new Map<string, StackRecording>();

/** The recording of a stack file as it is (or of a shared variant), shared by the whole test run; throws for an unknown one. */
export function recordedStack(stack: string, variant?: SharedVariant): StackRecording {
  const key = recordingFile(stack, variant);
  const cached = loaded.get(key);
  if (cached) return cached;
  const saved = JSON.parse(readFileSync(finishedRecording(inject("holodeckRecordings"), key), "utf8")) as SavedRecording;
  const recording = toRecording(saved.stack, saved.resources, saved.outputs, saved.secretOutputs);
  loaded.set(key, recording);
  return recording;
}
