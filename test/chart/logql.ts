// Parses LogQL with Loki's own parser (test/tools/loki, github.com/grafana/loki/v3
// pkg/logql/syntax, built into .tools/bin by scripts/install/loki.sh).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const bin = path.join(process.env.HOLODECK_TOOLS ?? path.resolve(__dirname, "..", "..", ".tools"), "bin", "logql-check");

/** The parse error of each query that does not parse (empty: all parse). */
export function logqlErrors(queries: string[]): string[] {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run tools\` (scripts/install/loki.sh)`);
  if (queries.some((q) => q.includes("\n"))) throw new Error("logql-check reads one query per line");
  const result = spawnSync(bin, [], { input: queries.join("\n") + "\n", encoding: "utf8" });
  if (result.error) throw result.error;
  if (result.status !== 0 && result.status !== 1) throw new Error(`logql-check failed: ${result.stderr}`);
  const lines = result.stdout.trimEnd().split("\n");
  return queries.flatMap((query, i) => (lines[i] === "ok" ? [] : [`${query}: ${lines[i]}`]));
}
