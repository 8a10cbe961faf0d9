// vitest globalSetup of the control-plane suite: records each stack file once per run, as
// test/harness/record-stacks.ts does for the unit suite, but without the shared config variants
// (SHARED_VARIANTS), which no control-plane scenario runs: half the recordings, about a minute
// less on 2 cores. Tests read them with recordedStack(stack) (test/harness/stacks.ts); asking for
// a variant here fails on its missing file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { listStacks, runStack } from "../../../cli/plan/run-stack";
import { recordingFile, type SavedRecording } from "../../harness/stacks";

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(path.join(tmpdir(), "holodeck-recordings-"));
  // One after another: the Pulumi mock runtime is process-global.
  for (const stack of listStacks()) {
    const { resources, outputs, secretOutputs } = await runStack(stack);
    const saved: SavedRecording = { stack, resources, outputs, secretOutputs };
    writeFileSync(path.join(dir, recordingFile(stack)), JSON.stringify(saved));
  }
  project.provide("holodeckRecordings", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
