// Process entry shared by the tsx launcher (holodeck.cjs) and the bundled CLI (build.ts).
import { run } from "./main";

// `holodeck services status | head` closes the pipe early: stop quietly, like other CLIs.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`holodeck: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 5;
  },
);
