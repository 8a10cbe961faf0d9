// `copier update` through the answers file: the template published as its own git repository
// (tags = releases, as docs/new-service.md describes), a service generated from v1.0.0 and
// edited by its team, then updated to v1.1.0 (new chart version) and to a new answer (Redis).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { answersFile, copierCopy, runCopier, runPytest, tempDir, TEMPLATE_DIR, templatePin } from "../harness/copier";

const IDENTITY = ["-c", "user.name=Template Test", "-c", "user.email=template-test@example.dev", "-c", "commit.gpgsign=false"];
const git = (cwd: string, ...args: string[]): string => execFileSync("git", [...IDENTITY, ...args], { cwd, encoding: "utf8" });
const read = (dir: string, file: string): string => fs.readFileSync(path.join(dir, file), "utf8");

function commitAll(dir: string, message: string): void {
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", message);
}

/** The template folder as its own repository, tagged v1.0.0. */
function publishTemplate(): string {
  const repo = path.join(tempDir("template-repo"), "python-service");
  fs.cpSync(TEMPLATE_DIR, repo, { recursive: true, filter: (file) => !file.includes("__pycache__") });
  git(repo, "init", "-q", "-b", "main");
  commitAll(repo, "python-service template");
  git(repo, "tag", "v1.0.0");
  return repo;
}

function update(project: string, ...extra: string[]): void {
  const run = runCopier(["update", "--defaults", "--quiet", ...extra], project);
  expect(run.code, run.output).toBe(0);
}

describe("copier update", () => {
  let template: string;
  let project: string;
  const customRoute = '\n\n# Team code: survives template updates.\nTEAM_MARKER = "kept"\n';

  beforeAll(() => {
    template = publishTemplate();
    project = copierCopy({ service_name: "weather", owner_team: "team-weather", vault_secrets: "WEATHER_API_KEY" }, "weather", template);
    git(project, "init", "-q", "-b", "main");
    commitAll(project, "generated from python-service v1.0.0");
    fs.appendFileSync(path.join(project, "app", "main.py"), customRoute);
    commitAll(project, "team change");
  });

  it("records the template release it was generated from", () => {
    const answers = parse(read(project, ".copier-answers.yml")) as Record<string, unknown>;
    expect(answers._commit).toBe("v1.0.0");
    expect(answers._src_path).toBe(template);
  });

  it("brings a new template release and keeps the answers and the team's own changes", () => {
    const copierYml = path.join(template, "copier.yml");
    fs.writeFileSync(copierYml, read(template, "copier.yml").replace(/(holodeck_chart_version:\n {2}type: str\n {2}default: )"0\.1\.0"/, '$1"0.2.0"'));
    expect(read(template, "copier.yml")).toContain('default: "0.2.0"');
    commitAll(template, "holodeck-service 0.2.0");
    git(template, "tag", "v1.1.0");

    update(project);
    const chart = parse(read(project, "helm/Chart.yaml")) as { dependencies: { version: string }[] };
    expect(chart.dependencies[0].version).toBe("0.2.0");
    const answers = parse(read(project, ".copier-answers.yml")) as Record<string, unknown>;
    expect(answers).toMatchObject({ _commit: "v1.1.0", service_name: "weather", owner_team: "team-weather", vault_secrets: "WEATHER_API_KEY" });
    expect(read(project, "app/main.py")).toContain(customRoute.trim());
    expect(fs.readdirSync(project).filter((f) => f.endsWith(".rej"))).toEqual([]);
  });

  it("adds Redis when the answer changes, and the suite still passes", () => {
    commitAll(project, "template v1.1.0");
    update(project, "--data-file", answersFile({ redis: true }));
    expect(fs.existsSync(path.join(project, "app", "counters.py"))).toBe(true);
    expect(read(project, "requirements.in")).toContain(templatePin("redis.in", "redis"));
    expect(read(project, "helm/values.yaml")).toContain("  redis:\n    enabled: true\n");
    expect(read(project, "app/main.py")).toContain(customRoute.trim());
    const run = runPytest(project);
    expect(run.output).toMatch(/\b15 passed\b/);
    expect(run.code).toBe(0);
  });
});
