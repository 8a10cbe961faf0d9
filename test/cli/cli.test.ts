import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliProcess, REPO_ROOT } from "./helpers";

const COMMANDS = [[], ["services"], ...["validate", "status", "deploy", "promote", "rollback"].map((c) => ["services", c])];

describe("holodeck as `npx holodeck` from this repository", () => {
  it("package.json's bin entry points at the launcher", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ holodeck: "cli/holodeck.cjs" });
    expect(fs.statSync(path.join(REPO_ROOT, "cli", "holodeck.cjs")).mode & 0o111).not.toBe(0);
  });

  it("`npx holodeck --help` runs the CLI", async () => {
    const result = await cliProcess(["--offline", "holodeck", "--help"], {}, ["npx"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: holodeck \[options\] \[command\]\n/);
    expect(result.stdout).toContain("services        validate, deploy, promote, roll back and inspect");
  }, 120_000);

  it("`npx holodeck services validate` gives validation's exit code", async () => {
    const ok = await cliProcess(["--offline", "holodeck", "services", "validate", "services-root/example"], {}, ["npx"]);
    expect([ok.code, ok.stdout]).toEqual([0, "ok: 3 files valid\n"]); // two entries and teams/checkout.json
  }, 120_000);
});

describe("--help on every command", () => {
  it.each(COMMANDS)("holodeck %s --help", async (...command: string[]) => {
    const result = await cli(...command, "--help");
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`Usage: ${["holodeck", ...command].join(" ")} `)).toBe(true);
    if (command[0] === "services" || command.length === 0) expect(result.stdout).toContain("4  push still rejected after all retries");
  });

  it("never shows a token from $HOLODECK_SERVICES_REPO, only the variable's name", async () => {
    process.env.HOLODECK_SERVICES_REPO = "https://oauth2:glpat-xyz@gitlab.example.com/platform/services-root.git";
    try {
      const result = await cli("services", "deploy", "--help");
      expect(result.stdout).toContain("(env: HOLODECK_SERVICES_REPO)");
      expect(result.stdout).not.toContain("glpat-xyz");
    } finally {
      delete process.env.HOLODECK_SERVICES_REPO;
    }
  });

  it.each([[["nope"]], [["services", "nope"]], [["services", "validate"]], [["services", "status", "--bogus"]]])("usage error %j exits 2", async (args) => {
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.stderr.length).toBeGreaterThan(0);
  });
});

describe("holodeck plan forwards to the foundation's offline plan", () => {
  const fake = path.join(__dirname, "fixtures", "fake-plan.ts");

  it("runs the same script as `npm run plan`", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.plan).toBe("bash scripts/pinned-node.sh node --require tsx/cjs cli/plan.ts");
  });

  it("passes every argument (options included) and runs from the repository root, on the pinned Node", async () => {
    const result = await cliProcess(["plan", "--stack", "staging-eu-west-1", "--json"], { HOLODECK_PLAN_ENTRY: fake });
    expect(result.code).toBe(0);
    const pinned = `v${fs.readFileSync(path.join(REPO_ROOT, "scripts", "install", "node.version"), "utf8").split("\n")[0]}`;
    expect(JSON.parse(result.stdout)).toEqual({ args: ["--stack", "staging-eu-west-1", "--json"], cwd: REPO_ROOT, node: pinned });
  }, 120_000);

  it("returns the plan's exit code and hands --help to the plan's own help", async () => {
    const failed = await cliProcess(["plan", "--fail"], { HOLODECK_PLAN_ENTRY: fake });
    expect(failed.code).toBe(7);
    const help = await cliProcess(["plan", "--help"], { HOLODECK_PLAN_ENTRY: fake });
    expect(JSON.parse(help.stdout)).toMatchObject({ args: ["--help"], cwd: REPO_ROOT });
  }, 120_000);

  it("`holodeck plan --help` shows the real plan's options", async () => {
    const result = await cliProcess(["plan", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: plan \[options\]/);
    expect(result.stdout).toContain("-s, --stack <name>");
  }, 120_000);
});
