// vitest globalSetup: records every stack file once per test run (the Pulumi mock runtime is
// process-global, so stacks are recorded one after another) and hands the folder to the
// test files (test/harness/stacks.ts `recordedStack`). A stack that fails to record fails the run.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { listStacks, runStack, stackConfig } from "../../cli/plan/run-stack";
import { recordingFile, SHARED_VARIANTS, type SavedRecording, type SharedVariant } from "./stacks";

declare module "vitest" {
  export interface ProvidedContext {
    holodeckRecordings: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(path.join(tmpdir(), "holodeck-recordings-"));
  for (const stack of listStacks()) {
    const file = stackConfig(stack);
    const variants = Object.entries(SHARED_VARIANTS) as [SharedVariant, Record<string, string>][];
    for (const [variant, config] of [[undefined, {}] as const, ...variants]) {
      // A variant the stack file already is would only repeat the file's own recording.
      if (variant && Object.entries(config).every(([key, value]) => file[key] === value)) continue;
      const { resources, outputs, secretOutputs } = await runStack(stack, { config });
      const saved: SavedRecording = { stack, resources, outputs, secretOutputs };
      writeFileSync(path.join(dir, recordingFile(stack, variant)), JSON.stringify(saved));
    }
  }
  project.provide("holodeckRecordings", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
