// The plan command behind `npm run plan [-- --stack <name>] [--json] [--dr] [--upgrade <version>]
// [-c key=value...]` (cli/plan.ts starts it from a compiled bundle): runs a stack's program under the plan engine's mocks (no AWS, no Pulumi CLI) and prints what
// `pulumi up` would create, the modelled rebuild time and a monthly cost estimate, or the
// ordered steps of an EKS upgrade (cli/plan/upgrade.ts). Output and exit codes go
// through the CLI's Io and exit table (cli/io.ts, cli/exit-codes.ts).
import { Command, CommanderError } from "commander";
import { EXIT, EXIT_CODES_HELP } from "../exit-codes";
import { processIo, type Io } from "../io";
import { buildDrReport, renderDr } from "./dr";
import { buildReport, renderText } from "./report";
import { listStacks, runStack, stackConfig, StackRunError } from "./run-stack";
import { buildUpgradePlan, checkUpgrade, renderUpgradePlan, UpgradeRefused } from "./upgrade";

export const DEFAULT_STACK = "staging-eu-west-1";

// Pulumi captures a stack trace for every resource and internal promise; capturing and
// source-mapping them costs ~25% of the plan's CPU, and the plan reports error messages, not
// stack traces. HOLODECK_DEBUG=1 keeps them (and prints the stack of a failure).
const DEBUG = process.env.HOLODECK_DEBUG === "1";

class PlanUsageError extends Error {}

function splitOverride(pair: string): [string, string] {
  const at = pair.indexOf("=");
  if (at < 1) throw new PlanUsageError(`--config expects key=value, got "${pair}"`);
  const key = pair.slice(0, at);
  return [key.includes(":") ? key : `holodeck:${key}`, pair.slice(at + 1)];
}

interface PlanOptions {
  stack: string;
  json?: boolean;
  dr?: boolean;
  upgrade?: string;
  config?: string[];
}

function planCommand(io: Io): Command {
  return new Command("plan")
    .description("Offline plan of one holodeck stack (what `pulumi up` would create)")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText("after", EXIT_CODES_HELP)
    .option("-s, --stack <name>", `stack to plan (${listStacks().join(", ")})`, DEFAULT_STACK)
    .option("--json", "print the report as JSON")
    .option("--dr", "disaster recovery view: rebuild critical path, what waits without needing to, destroy outcome")
    .option("--upgrade <version>", "EKS upgrade rehearsal: ordered steps to the next Kubernetes minor version (charts, control plane, add-ons, node groups)")
    .option("-c, --config <key=value...>", "what-if: override stack config, e.g. holodeck:natGateways=perAz (JSON for lists/objects)");
}

async function plan(opts: PlanOptions, io: Io): Promise<void> {
  if (!listStacks().includes(opts.stack)) throw new PlanUsageError(`unknown stack "${opts.stack}"; stacks: ${listStacks().join(", ")}`);
  const overrides = Object.fromEntries((opts.config ?? []).map(splitOverride));
  const region = stackConfig(opts.stack, overrides)["aws:region"];
  if (opts.upgrade !== undefined) {
    const current = stackConfig(opts.stack, overrides)["holodeck:kubernetesVersion"] ?? "";
    const target = checkUpgrade(current, opts.upgrade);
    const upgraded = await runStack(opts.stack, { config: { ...overrides, "holodeck:kubernetesVersion": target } });
    const upgrade = buildUpgradePlan(upgraded, current, target);
    io.out(opts.json ? `${JSON.stringify(upgrade, null, 2)}\n` : `${renderUpgradePlan(upgrade)}\n`);
    const blocked = upgrade.charts.filter((chart) => chart.status === "blocked");
    if (blocked.length > 0)
      throw new UpgradeRefused(`--upgrade ${target}: ${blocked.map((c) => `${c.chart} ${c.version} (${c.pinnedIn})`).join(", ")} does not support it`);
    return;
  }
  const recording = await runStack(opts.stack, { config: overrides });
  if (opts.dr) {
    const dr = buildDrReport(recording.stack, recording.resources);
    io.out(opts.json ? `${JSON.stringify(dr, null, 2)}\n` : `${renderDr(dr)}\n`);
    return;
  }
  const report = buildReport(recording, region);
  io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderText(report)}\n`);
}

/** Runs the plan on `args` (without node and script) and returns the exit code. */
export async function runPlan(args: readonly string[], io: Io = processIo): Promise<number> {
  try {
    const command = planCommand(io).parse([...args], { from: "user" });
    await plan(command.opts<PlanOptions>(), io);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage; // commander printed it
    const message = error instanceof Error ? (DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
    io.err(`${message}\n`);
    if (error instanceof PlanUsageError) return EXIT.usage;
    // The program refused the stack (config validation, or a check such as the AZ count).
    if (error instanceof StackRunError || error instanceof UpgradeRefused) return EXIT.invalid;
    return EXIT.internal;
  }
}

/** Runs the plan on the process's arguments and sets its exit code. */
export function planMain(): void {
  if (!DEBUG) {
    Error.stackTraceLimit = 0;
    process.setSourceMapsEnabled(false);
  }
  void runPlan(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
