// `copier copy` of templates/python-service with the defaults and with every option
// combination: the exact files, the answers file `copier update` needs, locks that hold exactly
// what the requirements need, a digest-pinned non-root Dockerfile, and each generated
// project's own pytest suite passing (no PostgreSQL/Redis/NATS server involved).
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { copierCopy, projectFiles, runPytest, runServicePython, runServiceTool, TEMPLATE_DIR, templatePin } from "../harness/copier";
import { COMBOS, NATS_ONLY, type Combo } from "./combos";

const LOCK_CHECK = path.join(__dirname, "lock_check.py");

const BASE_FILES = [
  ".copier-answers.yml",
  ".dockerignore",
  ".gitignore",
  ".gitlab-ci.yml",
  "Dockerfile",
  "README.md",
  "app/__init__.py",
  "app/__main__.py",
  "app/clients.py",
  "app/logs.py",
  "app/main.py",
  "app/metrics.py",
  "app/settings.py",
  "app/tracing.py",
  "ci/deploy.sh",
  "helm/Chart.yaml",
  "helm/values.schema.json",
  "helm/values.yaml",
  "pyproject.toml",
  "requirements-dev.in",
  "requirements-dev.lock",
  "requirements.in",
  "requirements.lock",
  "tests/__init__.py",
  "tests/conftest.py",
  "tests/test_entrypoint.py",
  "tests/test_health.py",
  "tests/test_observability.py",
  "tests/test_settings.py",
];
const FEATURE_FILES = {
  postgres: [
    "alembic.ini",
    "app/db.py",
    "app/items.py",
    "migrations/env.py",
    "migrations/script.py.mako",
    "migrations/versions/0001_create_items.py",
    "tests/migrate.py",
    "tests/test_items.py",
    "tests/test_migrations.py",
  ],
  redis: ["app/counters.py", "tests/test_counters.py"],
  nats: ["app/events.py", "app/messaging.py", "tests/fakes.py", "tests/test_events.py"],
};

function expectedFiles(c: Pick<Combo, "postgres" | "redis" | "nats">): string[] {
  return [...BASE_FILES, ...(c.postgres ? FEATURE_FILES.postgres : []), ...(c.redis ? FEATURE_FILES.redis : []), ...(c.nats ? FEATURE_FILES.nats : [])].sort();
}

/** How many tests the generated suite has: it must not silently lose any. */
function expectedTestCount(c: Pick<Combo, "postgres" | "redis" | "nats" | "vaultSecrets">): number {
  // One "missing variable" case each: DATABASE_URL, REDIS_URL, NATS_USER + NATS_PASSWORD, every Vault secret.
  const injected = Number(c.postgres) + Number(c.redis) + (c.nats ? 2 : 0) + c.vaultSecrets.length;
  return 11 + injected + (c.postgres ? 1 + 4 + 3 : 0) + (c.redis ? 2 : 0) + (c.nats ? 3 : 0);
}

const read = (dir: string, file: string): string => fs.readFileSync(path.join(dir, file), "utf8");

describe("copier copy with only the defaults", () => {
  let dir: string;
  beforeAll(() => {
    dir = copierCopy({}, "python-example");
  });

  it("names the service after its folder and takes every other default", () => {
    expect(parse(read(dir, ".copier-answers.yml"))).toEqual({
      _src_path: TEMPLATE_DIR,
      service_name: "python-example",
      domain: "services",
      description: "python-example: a holodeck Python service",
      python_version: "3.12",
      postgres: false,
      redis: false,
      nats: false,
      vault_secrets: "",
      owner_team: "team-services",
    });
  });

  it("generates exactly the base files", () => {
    expect(projectFiles(dir)).toEqual(expectedFiles({ postgres: false, redis: false, nats: false }));
  });

  it("passes its own tests", () => {
    const run = runPytest(dir);
    expect(run.output).toContain(`${expectedTestCount({ postgres: false, redis: false, nats: false, vaultSecrets: [] })} passed`);
    expect(run.code).toBe(0);
  });
});

describe("copier copy of a NATS-only service", () => {
  let dir: string;
  beforeAll(() => {
    dir = copierCopy(NATS_ONLY.answers);
  });

  it("writes no secrets block: the chart injects NATS_USER and NATS_PASSWORD itself", () => {
    expect(NATS_ONLY.vaultSecrets).toEqual([]);
    const values = read(dir, "helm/values.yaml");
    expect(values).not.toMatch(/^\s*secrets:/m);
    expect(values).not.toContain("NATS_PASSWORD");
    expect((parse(values) as { "holodeck-service": Record<string, unknown> })["holodeck-service"]).toEqual({
      envVars: {},
      ingress: { rewrite: true },
      nats: { enabled: true },
    });
  });

  it("reads its platform NATS user and password from NATS_USER and NATS_PASSWORD, with no default", () => {
    const settings = read(dir, "app/settings.py");
    expect(settings).toMatch(/^ {4}nats_user: str$/m);
    expect(settings).toMatch(/^ {4}nats_password: SecretStr$/m);
    expect(settings).not.toMatch(/"app"/);
  });
});

describe.each(COMBOS)("copier copy with $label", (combo) => {
  let dir: string;
  beforeAll(() => {
    dir = copierCopy(combo.answers);
  });

  it("generates exactly the files of the chosen options", () => {
    expect(projectFiles(dir)).toEqual(expectedFiles(combo));
  });

  it("records every answer for copier update", () => {
    const answers = parse(read(dir, ".copier-answers.yml")) as Record<string, unknown>;
    expect(answers).toMatchObject({ ...combo.answers, _src_path: TEMPLATE_DIR });
  });

  it("requires exactly the chosen clients, pinned exactly", () => {
    const direct = read(dir, "requirements.in")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(direct.every((l) => /^[a-z0-9-]+(\[[a-z]+\])?==[0-9][0-9a-z.]*$/.test(l))).toBe(true);
    expect(direct.includes(templatePin("postgres.in", "sqlalchemy")) && direct.includes(templatePin("postgres.in", "alembic"))).toBe(combo.postgres);
    expect(direct.includes(templatePin("redis.in", "redis"))).toBe(combo.redis);
    expect(direct.includes(templatePin("nats.in", "nats-py"))).toBe(combo.nats);
    expect(read(dir, "requirements-dev.in").includes(templatePin("dev-redis.in", "fakeredis"))).toBe(combo.redis);
  });

  it("locks exactly the transitive closure of its requirements, every entry hash-pinned", () => {
    const run = runServicePython([LOCK_CHECK, dir], dir);
    expect(run.code, run.output).toBe(0);
    const none = { missing: [], unneeded: [], mismatched: [] };
    expect(JSON.parse(run.output)).toEqual({ runtime: none, dev: none });
    for (const lock of ["requirements.lock", "requirements-dev.lock"]) {
      const entries = read(dir, lock)
        .split(/\n(?=[a-z])/)
        .filter((e) => /^[a-z]/.test(e));
      expect(entries.length).toBeGreaterThan(0);
      for (const entry of entries) expect(entry, `${lock}: ${entry.split("\n")[0]}`).toMatch(/==\S+.*\\\n\s+--hash=sha256:[0-9a-f]{64}/);
    }
  });

  it("builds a multi-stage, digest-pinned, non-root image from files that exist", () => {
    const dockerfile = read(dir, "Dockerfile");
    const base = dockerfile.match(/^ARG PYTHON_IMAGE=(\S+)$/m)?.[1];
    expect(base).toMatch(new RegExp(`^docker\\.io/library/python:${combo.answers.python_version?.replace(".", "\\.")}-slim@sha256:[0-9a-f]{64}$`));
    expect(dockerfile.match(/^FROM .*$/gm)).toEqual(["FROM ${PYTHON_IMAGE} AS build", "FROM ${PYTHON_IMAGE} AS runtime"]);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toContain("--require-hashes -r /tmp/requirements.lock");
    expect(dockerfile).toMatch(/^ENTRYPOINT \["python", "-m", "app"\]$/m);
    const sources = [...dockerfile.matchAll(/^COPY (?:--chown=\S+ )?(\S+) \S+$/gm)].map((m) => m[1]);
    expect(sources).toEqual(["requirements.lock", "app/", ...(combo.postgres ? ["alembic.ini", "migrations/"] : [])]);
    for (const source of sources) expect(fs.existsSync(path.join(dir, source)), source).toBe(true);
  });

  it("injects from Vault exactly the chosen secrets (NATS credentials are the chart's own)", () => {
    const values = parse(read(dir, "helm/values.yaml")) as { "holodeck-service": Record<string, unknown> };
    const fromVault = Object.fromEntries(combo.vaultSecrets.map((name) => [name, name]));
    expect(values["holodeck-service"].secrets).toEqual(combo.vaultSecrets.length > 0 ? { enabled: true, envVarsFromVault: fromVault } : undefined);
    expect(values["holodeck-service"].nats).toEqual(combo.nats ? { enabled: true } : undefined);
  });

  it("ships an executable deploy script", () => {
    expect(fs.statSync(path.join(dir, "ci/deploy.sh")).mode & 0o111).toBe(0o111);
  });

  it("passes ruff with its own configuration", () => {
    const run = runServiceTool("ruff", ["check", "--no-cache", "--output-format", "concise", "."], dir);
    expect(run.output.trim()).toBe("All checks passed!");
    expect(run.code).toBe(0);
  });

  it("passes its own tests", () => {
    const run = runPytest(dir);
    expect(run.output).toContain(`${expectedTestCount(combo)} passed`);
    expect(run.output).not.toMatch(/failed|error/i);
    expect(run.code).toBe(0);
  });
});
