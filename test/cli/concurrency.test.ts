import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "../../cli/build";
import { cliProcess, expectedFile, fileAtTip, gitIn, history, seededRepo, sha, tempDir, type CliResult } from "./helpers";

// Real processes racing for one bare repository: the only honest test of fetch/rebase/retry.
// Each process is the CLI as the deploy jobs run it: the esbuild bundle of the CLI image
// (cli/Dockerfile) under plain Node, not the TypeScript through tsx (which costs each of the 25
// processes its own transpile). Generous timeouts: two shared cores, a dozen git commands each.
const TIMEOUT = 600_000;

let bundle: Promise<string> | undefined;
async function deploy(url: string, service: string, tag: string): Promise<CliResult> {
  bundle ??= buildCli(path.join(tempDir("cli-bundle"), "holodeck.cjs")).then((built) => built.outfile);
  const args = ["services", "deploy", "--repo", url, "--env", "staging", "--service", service, "--image-tag", tag, "--revision", tag, "--json"];
  return cliProcess(args, {}, [process.execPath, await bundle]);
}

const attemptsOf = (results: CliResult[]): number[] => results.map((r) => (JSON.parse(r.stdout) as { attempts: number }).attempts);

describe("20 concurrent deploys of different services", () => {
  const services = Array.from({ length: 20 }, (_, i) => `service-${String(i).padStart(2, "0")}`);
  const repo = seededRepo(services);
  let results: CliResult[];
  beforeAll(async () => {
    results = await Promise.all(services.map((service) => deploy(repo.url, service, sha(service))));
    console.log(`20 different services: attempts per process ${attemptsOf(results.filter((r) => r.code === 0)).join(",")}`);
  }, TIMEOUT);

  it("every process succeeds", () => {
    expect(results.map((r) => [r.code, r.stderr.split("\n").filter((l) => !l.startsWith("push rejected") && l !== "")])).toEqual(services.map(() => [0, []]));
  });

  it("all 20 commits land on main, one per service, nothing lost", () => {
    expect(history(repo.dir)).toHaveLength(21); // the seed and one commit per service
    expect(history(repo.dir).at(-1)).toBe(repo.seed);
    for (const service of services) expect(history(repo.dir, `staging/${service}.json`)).toHaveLength(1);
  });

  it("every file is exact", () => {
    for (const service of services) expect(fileAtTip(repo.dir, `staging/${service}.json`)).toBe(expectedFile("staging", service, sha(service)));
  });

  it("the repository is consistent (fsck) and history is linear", () => {
    gitIn(repo.dir, ["fsck", "--strict", "--no-progress"]);
    expect(gitIn(repo.dir, ["rev-list", "--merges", "main"])).toBe("");
  });
});

describe("5 concurrent deploys of the same service", () => {
  const repo = seededRepo(["contended"]);
  const tags = Array.from({ length: 5 }, (_, i) => sha(`same-${i}`));
  const file = "staging/contended.json";
  let results: CliResult[];
  beforeAll(async () => {
    results = await Promise.all(tags.map((tag) => deploy(repo.url, "contended", tag)));
    console.log(`5 deploys of one service: attempts per process ${attemptsOf(results.filter((r) => r.code === 0)).join(",")}`);
  }, TIMEOUT);

  it("every process succeeds with its own commit", () => {
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    expect(results.map((r) => (JSON.parse(r.stdout) as { status: string }).status)).toEqual(Array(5).fill("committed"));
  });

  it("history keeps every version exactly once", () => {
    const commits = history(repo.dir, file);
    expect(commits).toHaveLength(5);
    const versions = commits.map((c) => (JSON.parse(gitIn(repo.dir, ["show", `${c}:${file}`])) as { imageTag: string }).imageTag);
    expect([...versions].sort()).toEqual([...tags].sort());
  });

  it("the last writer wins cleanly: the tip holds the newest commit's version, byte-exact", () => {
    const newest = history(repo.dir, file)[0];
    const newestTag = (JSON.parse(gitIn(repo.dir, ["show", `${newest}:${file}`])) as { imageTag: string }).imageTag;
    const winner = results.find((r) => (JSON.parse(r.stdout) as { commit: string }).commit === newest);
    expect(winner).toBeDefined();
    expect(fileAtTip(repo.dir, file)).toBe(expectedFile("staging", "contended", newestTag));
  });
});
