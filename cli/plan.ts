// `npm run plan [-- --stack <name>] [--json]`: runs a stack's program under the test mocks
// (no AWS, no Pulumi CLI) and prints what `pulumi up` would create, the modelled rebuild
// time and a monthly cost estimate.
import { Command } from "commander";
import { listStacks, runStack, stackConfig } from "./plan/run-stack";
import { buildDrReport, renderDr } from "./plan/dr";
import { buildReport, renderText } from "./plan/report";

export const DEFAULT_STACK = "staging-eu-west-1";

// Pulumi captures a stack trace for every resource and internal promise; capturing and
// source-mapping them costs ~25% of the plan's CPU, and the plan reports error messages, not
// stack traces. HOLODECK_DEBUG=1 keeps them (and prints the stack of a failure).
const DEBUG = process.env.HOLODECK_DEBUG === "1";
if (!DEBUG) {
  Error.stackTraceLimit = 0;
  process.setSourceMapsEnabled(false);
}

function splitOverride(pair: string): [string, string] {
  const at = pair.indexOf("=");
  if (at < 1) throw new Error(`--config expects key=value, got "${pair}"`);
  const key = pair.slice(0, at);
  return [key.includes(":") ? key : `holodeck:${key}`, pair.slice(at + 1)];
}

async function main(argv: string[]): Promise<void> {
  const cli = new Command("plan")
    .description("Offline plan of one holodeck stack (what `pulumi up` would create)")
    .option("-s, --stack <name>", `stack to plan (${listStacks().join(", ")})`, DEFAULT_STACK)
    .option("--json", "print the report as JSON")
    .option("--dr", "disaster recovery view: rebuild critical path, what waits without needing to, destroy outcome")
    .option("-c, --config <key=value...>", "what-if: override stack config, e.g. holodeck:natGateways=perAz (JSON for lists/objects)")
    .parse(argv);
  const opts = cli.opts<{ stack: string; json?: boolean; dr?: boolean; config?: string[] }>();
  if (!listStacks().includes(opts.stack)) {
    console.error(`unknown stack "${opts.stack}"; stacks: ${listStacks().join(", ")}`);
    process.exitCode = 2;
    return;
  }
  const overrides = Object.fromEntries((opts.config ?? []).map(splitOverride));
  const region = stackConfig(opts.stack, overrides)["aws:region"];
  const recording = await runStack(opts.stack, { config: overrides });
  if (opts.dr) {
    const dr = buildDrReport(recording.stack, recording.resources);
    process.stdout.write(opts.json ? `${JSON.stringify(dr, null, 2)}\n` : `${renderDr(dr)}\n`);
    return;
  }
  const report = buildReport(recording, region);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderText(report)}\n`);
}

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? (DEBUG ? (err.stack ?? err.message) : err.message) : String(err));
  process.exitCode = 1;
});
