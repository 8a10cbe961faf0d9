// `npm run plan -- --dr` end to end: the flag reaches cli/plan/dr.ts, text and --json agree.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DrReport } from "../../cli/plan/dr";

const root = join(__dirname, "..", "..");
const plan = (args: string[]) =>
  spawnSync(join(root, "node_modules", ".bin", "tsx"), [join(root, "cli", "plan.ts"), ...args], { cwd: root, encoding: "utf8", timeout: 140_000 });

describe("npm run plan -- --dr", () => {
  it("prints the DR view as text and as JSON with the same numbers", () => {
    const text = plan(["--dr", "--stack", "production-eu-central-1"]);
    expect(text.status, text.stderr).toBe(0);
    const json = plan(["--dr", "--json", "--stack", "production-eu-central-1"]);
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as DrReport;
    expect(report.stack).toBe("production-eu-central-1");
    expect(text.stdout).toContain(`Disaster recovery view of stack production-eu-central-1`);
    expect(text.stdout).toContain(`Rebuild critical path: ${report.rebuild.totalMinutes} min modelled`);
    expect(text.stdout).toContain(`Destroy: ${report.destroy.deleted} resources in ${report.destroy.waves} waves`);
    for (const step of report.rebuild.criticalPath) expect(text.stdout).toContain(`${step.type}  ${step.name}`);
    // The plain plan is unchanged by the flag's existence.
    expect(text.stdout).not.toContain("Monthly cost estimate");
  }, 300_000); // two subprocesses that each run a stack's program: slow on a busy 2-core machine
});
