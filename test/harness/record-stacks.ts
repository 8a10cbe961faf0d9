// vitest globalSetup: records every stack file once per test run (the Pulumi mock runtime is
// process-global, so stacks are recorded one after another) and hands the folder to the
// test files (test/harness/stacks.ts `recordedStack`). A stack that fails to record fails the run.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { listStacks, runStack } from "../../cli/plan/run-stack";
import type { SavedRecording } from "./stacks";

declare module "vitest" {
  export interface ProvidedContext {
    holodeckRecordings: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(path.join(tmpdir(), "holodeck-recordings-"));
  for (const stack of listStacks()) {
    const { resources, outputs, secretOutputs } = await runStack(stack);
    const saved: SavedRecording = { stack, resources, outputs, secretOutputs };
    writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify(saved));
  }
  project.provide("holodeckRecordings", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
