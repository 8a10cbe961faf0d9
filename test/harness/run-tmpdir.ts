// vitest globalSetup (both suites, first): every temporary folder of the run lives in one folder
// of its own, removed at the end. Test files and the programs they start make their folders
// under os.tmpdir() (TMPDIR), and many are never removed: a worker that vitest stops runs no exit
// handler, and a failed test skips its cleanup. Without this, each unit run left about 1 GB in
// /tmp (generated services, git repositories, chart copies). HOLODECK_KEEP_TMP=1 keeps it, and so
// does HOLODECK_KEEP_CONTROL_PLANE=1 (the control planes' folders, with their logs, are in it).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export default function setup(): () => void {
  const outer = tmpdir();
  const dir = mkdtempSync(path.join(outer, "holodeck-run-"));
  // Read by os.tmpdir() in this process and inherited by the workers vitest forks after setup.
  process.env.TMPDIR = dir;
  const keep = Boolean(process.env.HOLODECK_KEEP_TMP || process.env.HOLODECK_KEEP_CONTROL_PLANE);
  const remove = (): void => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  // Also when vitest's main process exits without running this teardown (seen on the unit
  // suite since it runs on Node 24: the folder stayed; not yet explained).
  process.once("exit", remove);
  return () => {
    process.env.TMPDIR = outer;
    if (keep) console.log(`kept the run's temporary folder ${dir}`);
    remove();
  };
}
