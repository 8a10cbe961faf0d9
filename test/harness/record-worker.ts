// A recording process started by test/harness/record-stacks.ts (from a compiled bundle, in plain
// node): records the stack runs listed in the job file it is given, one after another (the
// Pulumi mock runtime is process-wide), each written in one rename so a reader never sees half
// a file. A run that fails leaves `<file>.error` with the program's message instead.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { runStack } from "../../cli/plan/run-stack";
import type { SavedRecording } from "./stacks";

/** One stack run to record: the stack, its config overrides and the file to write. */
export interface RecordingJob {
  stack: string;
  config: Record<string, string>;
  file: string;
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

export async function recordJobs(jobs: readonly RecordingJob[]): Promise<void> {
  for (const job of jobs) {
    try {
      const { resources, outputs, secretOutputs } = await runStack(job.stack, { config: job.config });
      const saved: SavedRecording = { stack: job.stack, resources, outputs, secretOutputs };
      writeAtomically(job.file, JSON.stringify(saved));
    } catch (error) {
      writeAtomically(`${job.file}.error`, error instanceof Error ? error.message : String(error));
    }
  }
}

/** Entry of the bundle: the job file is the first argument. Exits when done (the mock runtime may hold timers). */
export function recordFromArguments(): void {
  const jobs = JSON.parse(readFileSync(process.argv[2], "utf8")) as RecordingJob[];
  recordJobs(jobs).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
