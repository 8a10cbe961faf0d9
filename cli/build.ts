/**
 * Bundles the holodeck CLI (services commands, schema included) into one dependency-free
 * file for the CI container image: `tsx cli/build.ts [outfile]`, default bin/holodeck-cli/holodeck.cjs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";

export const DEFAULT_OUTFILE = path.resolve(__dirname, "..", "bin", "holodeck-cli", "holodeck.cjs");

export interface BuiltCli {
  outfile: string;
  /** every source file bundled, relative to the repository root (what the image build must COPY) */
  inputs: string[];
}

export async function buildCli(outfile: string = DEFAULT_OUTFILE): Promise<BuiltCli> {
  const result = await build({
    entryPoints: [path.join(__dirname, "entry.ts")],
    outfile,
    bundle: true,
    platform: "node",
    // The syntax floor, not the runtime: the bundle runs on the machine's Node 20 and on the
    // image's Node 24 (cli/Dockerfile; test/cli/node-runtime.test.ts runs it there).
    target: "node20",
    format: "cjs",
    banner: { js: "#!/usr/bin/env node" },
    legalComments: "inline",
    // only `holodeck plan` uses tsx, and it needs the repository checkout anyway
    external: ["tsx"],
    logLevel: "warning",
    metafile: true,
    absWorkingDir: path.resolve(__dirname, ".."),
  });
  fs.chmodSync(outfile, 0o755);
  return { outfile, inputs: Object.keys(result.metafile.inputs).sort() };
}

if (require.main === module) {
  buildCli(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (built) => process.stdout.write(`${built.outfile}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
