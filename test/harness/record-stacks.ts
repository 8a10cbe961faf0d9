// vitest globalSetup: records every stack file (and each shared config variant) once per test
// run, fresh, and hands the folder to the test files (test/harness/stacks.ts `recordedStack`).
// The recordings are made by RECORDING_PROCESSES plain-node processes running the compiled plan
// engine (test/harness/record-worker.ts via cli/plan/bundle-cache.ts), started here and not
// awaited: test files that need no recording (most of the slow ones) start at once, and one
// that does waits for its file. A run that fails leaves `<file>.error`, which fails every test
// reading it and, at teardown, the whole run.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { bundledEntry } from "../../cli/plan/bundle-cache";
import { listStacks, stackConfig } from "../../cli/plan/recording";
import type { RecordingJob } from "./record-worker";
import { RECORDINGS_MANIFEST, recordingFile, SHARED_VARIANTS, type SharedVariant } from "./stacks";

declare module "vitest" {
  export interface ProvidedContext {
    holodeckRecordings: string;
    /** A folder the run's test files share (removed at the end), e.g. for one copier generation per answer set. */
    holodeckScratch?: string;
  }
}

/** One per core: each run is single-threaded, and the test files wait for the first ones. */
const RECORDING_PROCESSES = 2;
const RECORD_ENTRY = { name: "record-stacks", code: 'require("./test/harness/record-worker").recordFromArguments();\n' };

/** Every recording of the run: the stack files first (most suites read those), then the variants. */
function recordingJobs(dir: string): RecordingJob[] {
  const variants = Object.entries(SHARED_VARIANTS) as [SharedVariant, Record<string, string>][];
  const jobs: RecordingJob[] = listStacks().map((stack) => ({ stack, config: {}, file: path.join(dir, recordingFile(stack)) }));
  for (const [variant, config] of variants) {
    for (const stack of listStacks()) {
      const file = stackConfig(stack);
      // A variant the stack file already is would only repeat the file's own recording.
      if (Object.entries(config).every(([key, value]) => file[key] === value)) continue;
      jobs.push({ stack, config, file: path.join(dir, recordingFile(stack, variant)) });
    }
  }
  return jobs;
}

interface Recorder {
  jobs: RecordingJob[];
  process: ChildProcess;
  exited: Promise<void>;
}

function startRecorder(bundle: string, jobs: RecordingJob[], jobFile: string): Recorder {
  writeFileSync(jobFile, JSON.stringify(jobs));
  const child = spawn(process.execPath, [bundle, jobFile], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      // A crashed recorder: its unfinished recordings fail with its last words instead of hanging their readers.
      if (code !== 0 && signal !== "SIGTERM") {
        for (const job of jobs.filter((j) => !existsSync(j.file) && !existsSync(`${j.file}.error`))) {
          writeFileSync(`${job.file}.error`, `the recording process exited (${signal ?? `code ${code}`}) before recording ${job.stack}:\n${stderr}`);
        }
      }
      resolve();
    });
  });
  return { jobs, process: child, exited };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), "holodeck-recordings-"));
  const jobs = recordingJobs(dir);
  writeFileSync(path.join(dir, RECORDINGS_MANIFEST), JSON.stringify(jobs.map((job) => path.basename(job.file))));
  const bundle = await bundledEntry(RECORD_ENTRY);
  const recorders = Array.from({ length: RECORDING_PROCESSES }, (_, i) =>
    startRecorder(
      bundle,
      jobs.filter((_, j) => j % RECORDING_PROCESSES === i),
      path.join(dir, `recorder-${i}.json`),
    ),
  );
  project.provide("holodeckRecordings", dir);
  const scratch = mkdtempSync(path.join(tmpdir(), "holodeck-run-"));
  project.provide("holodeckScratch", scratch);
  return async () => {
    // Recordings no test waited for (a partial run) are not needed: stop their recorders.
    for (const recorder of recorders) if (recorder.process.exitCode === null && recorder.process.signalCode === null) recorder.process.kill("SIGTERM");
    await Promise.all(recorders.map((recorder) => recorder.exited));
    const failed = jobs.filter((job) => existsSync(`${job.file}.error`));
    const messages = failed.map((job) => `${path.basename(job.file)}: ${readFileSync(`${job.file}.error`, "utf8")}`);
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
    if (messages.length > 0) throw new Error(`stack recordings failed:\n${messages.join("\n")}`);
  };
}
