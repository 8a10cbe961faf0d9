// Process entry shared by the tsx launcher (holodeck.cjs) and the bundled CLI (build.ts).
import { run } from "./main";

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`holodeck: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 5;
  },
);
