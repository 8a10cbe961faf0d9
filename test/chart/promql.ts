// Parses PromQL with Prometheus' own parser (test/chart/promql-check, built into
// .tools/bin by scripts/install/promql-check.sh).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const bin = path.join(process.env.HOLODECK_TOOLS ?? path.resolve(__dirname, "..", "..", ".tools"), "bin", "promql-check");

/** The parse error of each expression that does not parse (empty: all parse). */
export function promqlErrors(expressions: string[]): string[] {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run tools\` (scripts/install/promql-check.sh)`);
  if (expressions.some((e) => e.includes("\n"))) throw new Error("promql-check reads one expression per line");
  const result = spawnSync(bin, [], { input: expressions.join("\n") + "\n", encoding: "utf8" });
  if (result.error) throw result.error;
  if (result.status !== 0 && result.status !== 1) throw new Error(`promql-check failed: ${result.stderr}`);
  const lines = result.stdout.trimEnd().split("\n");
  return expressions.flatMap((expr, i) => (lines[i] === "ok" ? [] : [`${expr}: ${lines[i]}`]));
}
