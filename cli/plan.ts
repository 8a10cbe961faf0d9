// `npm run plan [-- --stack <name>] [--json]`: runs a stack's program under the test mocks
// (no AWS, no Pulumi CLI) and prints what `pulumi up` would create, the modelled rebuild
// time and a monthly cost estimate.
import { Command } from "commander";
import { listStacks, runStack, stackConfig } from "../test/harness/run-stack";
import { buildReport, renderText } from "./plan/report";

export const DEFAULT_STACK = "staging-eu-west-1";

async function main(argv: string[]): Promise<void> {
  const cli = new Command("plan")
    .description("Offline plan of one holodeck stack (what `pulumi up` would create)")
    .option("-s, --stack <name>", `stack to plan (${listStacks().join(", ")})`, DEFAULT_STACK)
    .option("--json", "print the report as JSON")
    .parse(argv);
  const opts = cli.opts<{ stack: string; json?: boolean }>();
  if (!listStacks().includes(opts.stack)) {
    console.error(`unknown stack "${opts.stack}"; stacks: ${listStacks().join(", ")}`);
    process.exitCode = 2;
    return;
  }
  const region = stackConfig(opts.stack)["aws:region"];
  const report = buildReport(await runStack(opts.stack), region);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderText(report)}\n`);
}

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
