import { Command, CommanderError } from "commander";
import { EXIT, EXIT_CODES_HELP } from "./exit-codes";
import { processIo, type Io } from "./io";
import { addStatusCommand, addValidateCommand } from "./commands/services-read";
import { addDeployCommand, addPromoteCommand, addRollbackCommand } from "./commands/services-write";
import { addPlanCommand } from "./commands/plan-forward";
import { addPublishCommand } from "./commands/services-publish";
import { PushConflictError, RefusedError, UsageError } from "./errors";
import { GitError } from "./services/git";

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command("holodeck")
    .description("holodeck operator CLI: offline plan, and the services-root repository (what runs where)")
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP);
  addPlanCommand(program, setExit);
  const services = program
    .command("services")
    .description("validate, deploy, promote, roll back and inspect services-root entries (<environment>/<service>.json)")
    .addHelpText("after", EXIT_CODES_HELP);
  for (const add of [addValidateCommand, addStatusCommand, addDeployCommand, addPromoteCommand, addRollbackCommand, addPublishCommand]) {
    add(services, io, setExit);
  }
  for (const command of services.commands) command.addHelpText("after", EXIT_CODES_HELP);
  return program;
}

function exitCodeFor(error: unknown, io: Io): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage; // commander already printed it
  const message = error instanceof Error ? error.message : String(error);
  io.err(`holodeck: ${message}\n`);
  if (error instanceof RefusedError) return EXIT.invalid;
  if (error instanceof PushConflictError) return EXIT.conflict;
  if (error instanceof GitError) return EXIT.git;
  if (error instanceof UsageError) return EXIT.usage;
  return EXIT.internal;
}

/** Runs the CLI on `args` (without node and script) and returns the exit code. */
export async function run(args: readonly string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  try {
    const program = buildProgram(io, (c) => {
      code = c;
    });
    await program.parseAsync([...args], { from: "user" });
    return code;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}
