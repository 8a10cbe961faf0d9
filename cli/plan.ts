// `npm run plan [-- --stack <name>] [--json] [--dr] [--upgrade <version>] [-c key=value...]`
// (docs/plan.md; the command itself is cli/plan/command.ts). This entry only starts the command
// from its compiled bundle (cli/plan/bundle-cache.ts, rebuilt when a source changed) in a plain
// node process: under tsx's require hook every one of the ~1,300 modules the Pulumi SDK loads
// goes through the hook, which costs more than the plan itself. Arguments, output and the exit
// code pass through unchanged.
import { spawnSync } from "node:child_process";
import { constants } from "node:os";
import { EXIT } from "./exit-codes";
import { bundledEntry } from "./plan/bundle-cache";

const PLAN_ENTRY = { name: "plan", code: 'import { planMain } from "./cli/plan/command";\nplanMain();\n' };

async function launch(args: readonly string[]): Promise<number> {
  let bundle: string;
  try {
    bundle = await bundledEntry(PLAN_ENTRY);
  } catch (error) {
    process.stderr.write(`plan: cannot compile the plan command: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.internal;
  }
  // HOLODECK_DEBUG=1 prints a failure's stack (cli/plan/command.ts): map it to the sources.
  const flags = process.env.HOLODECK_DEBUG === "1" ? ["--enable-source-maps"] : [];
  const run = spawnSync(process.execPath, [...flags, bundle, ...args], { stdio: "inherit" });
  if (run.error) throw run.error;
  return run.status ?? 128 + (run.signal ? constants.signals[run.signal] : 0);
}

if (require.main === module) {
  void launch(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
