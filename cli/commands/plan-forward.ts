import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors";
import type { SetExit } from "./services-read";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The foundation's offline plan; HOLODECK_PLAN_ENTRY points elsewhere (used to test this forwarder). */
function planEntry(): string {
  return process.env.HOLODECK_PLAN_ENTRY ?? path.join(REPO_ROOT, "cli", "plan.ts");
}

/** Runs the plan program exactly like `npm run plan -- <args>` and resolves with its exit code. */
export function forwardToPlan(args: readonly string[]): Promise<number> {
  const entry = planEntry();
  // the bundled CLI (container image) has services commands only; plan needs the repository
  if (!fs.existsSync(entry)) throw new UsageError(`holodeck plan needs a checkout of the holodeck repository (${entry} not found)`);
  return new Promise((resolve, reject) => {
    // The same launch as `npm run plan`: the pinned Node (scripts/pinned-node.sh) with tsx's require hook.
    const launcher = path.join(REPO_ROOT, "scripts", "pinned-node.sh");
    const child = spawn("bash", [launcher, "node", "--require", require.resolve("tsx/cjs"), entry, ...args], { cwd: REPO_ROOT, stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export function addPlanCommand(program: Command, setExit: SetExit): void {
  program
    .command("plan")
    .description("offline plan of a stack: every argument, --help included, goes to `npm run plan --` (try `holodeck plan --help`)")
    .argument("[args...]", "arguments for the plan, e.g. --stack staging-eu-west-1 --json")
    .helpOption(false) // the plan program documents its own options
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (args: string[]) => {
      setExit(await forwardToPlan(args));
    });
}
