import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY } from "../../cli/services/change";
import { redact } from "../../cli/services/redact";
import { isRetryablePushRejection } from "../../cli/services/working-copy";
import { TEAMS_FOLDER } from "../../model/team";
import {
  bareRepo,
  cli,
  cliProcess,
  expectedFile,
  fileAtTip,
  gitIn,
  history,
  seededRepo,
  sha,
  teamFilePath,
  TEST_DOMAIN,
  TEST_TEAM,
  tempDir,
  testTeam,
  type CliResult,
} from "./helpers";

const deployArgs = (url: string, env: string, service: string, tag: string, ...extra: string[]): string[] => [
  "services",
  "deploy",
  "--repo",
  url,
  "--env",
  env,
  "--service",
  service,
  "--image-tag",
  tag,
  "--revision",
  tag,
  ...extra,
];

describe("services deploy on a services-root holding only its team file", () => {
  const repo = seededRepo(["python-example"]);
  const tag = sha("deploy-1");
  let first: CliResult;
  let second: CliResult;
  beforeAll(async () => {
    first = await cli(
      ...deployArgs(repo.url, "staging", "python-example", tag, "--pipeline-url", "https://gitlab.example.com/team/python-example/-/pipelines/42"),
    );
    second = await cli(...deployArgs(repo.url, "staging", "python-example", tag, "--json"));
  });

  it("creates the file in its exact stable format, team and domain from the team file", () => {
    expect(first.code).toBe(0);
    expect(fileAtTip(repo.dir, "staging/python-example.json")).toBe(expectedFile("staging", "python-example", tag));
  });

  it("names service, environment, SHA and pipeline in the commit message", () => {
    const message = gitIn(repo.dir, ["log", "-1", "--format=%B", "main"]);
    expect(message).toBe(
      `deploy python-example to staging: ${tag.slice(0, 12)}\n\nservice: python-example\nenvironment: staging\n` +
        `imageTag: ${tag}\ntargetRevision: ${tag}\npipeline: https://gitlab.example.com/team/python-example/-/pipelines/42\n\n`,
    );
  });

  it("makes no commit when the same content is deployed again", () => {
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({ status: "unchanged", path: "staging/python-example.json", commit: history(repo.dir)[0], attempts: 1 });
    expect(history(repo.dir)).toHaveLength(2);
    expect(history(repo.dir)[1]).toBe(repo.seed);
  });
});

describe("services deploy takes team and domain from the team files only", () => {
  it("refuses a service no team lists (exit 1), naming the service and teams/, and commits nothing", async () => {
    const repo = seededRepo(["alpha"]);
    const result = await cli(...deployArgs(repo.url, "staging", "stranger", sha("stranger")));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `holodeck: service "stranger" is listed by no team file: add {"name": "stranger", "domain": "<domain>"} to "services" of ${TEAMS_FOLDER}/<team>.json (teams: ${TEST_TEAM})\n`,
    );
    expect(history(repo.dir)).toEqual([repo.seed]);
    expect(fileAtTip(repo.dir, "staging/stranger.json")).toBeUndefined();
  });

  it("refuses on a repository without any team file and creates no branch", async () => {
    const repo = bareRepo();
    const result = await cli(...deployArgs(repo.url, "staging", "alpha", sha("no-teams")));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`service "alpha" is listed by no team file`);
    expect(result.stderr).toContain(`(teams: none)`);
    expect(history.bind(null, repo.dir)).toThrow();
  });

  it("refuses while a team file is invalid, naming the file, key and expectation", async () => {
    const broken = { ...testTeam([]), services: [{ name: "alpha", domain: "payments" as const }] };
    const repo = seededRepo([], [broken]);
    const result = await cli(...deployArgs(repo.url, "staging", "alpha", sha("broken-team")));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `holodeck: the team files are invalid; fix them first:\n` +
        `${teamFilePath(TEST_TEAM)}: services/0/domain: "payments" (service "alpha") is not one of this team's domains; expected one of ${TEST_DOMAIN}\n`,
    );
    expect(history(repo.dir)).toEqual([repo.seed]);
  });

  it("writes the owner another team's file gives, with that team's domain", async () => {
    const payments = { team: "payments", domain: "payments" } as const;
    const repo = seededRepo([], [testTeam(["alpha"]), testTeam(["ledger"], payments)]);
    const tag = sha("ledger");
    const result = await cli(...deployArgs(repo.url, "production", "ledger", tag));
    expect(result.code).toBe(0);
    expect(fileAtTip(repo.dir, "production/ledger.json")).toBe(expectedFile("production", "ledger", tag, tag, payments));
  });
});

describe("services deploy reusing a working copy", () => {
  const repo = seededRepo(["alpha", "beta"]);
  const workdir = path.join(tempDir("workdir"), "wc");
  it("fetches the new tip into the same directory and keeps no credentials in .git/config", async () => {
    for (const [i, service] of ["alpha", "beta", "alpha"].entries()) {
      const result = await cli(...deployArgs(repo.url, "production", service, sha(`reuse-${i}`), "--workdir", workdir));
      expect(result.code).toBe(0);
    }
    expect(history(repo.dir)).toHaveLength(4); // the seed and three deploys
    expect(fileAtTip(repo.dir, "production/alpha.json")).toBe(expectedFile("production", "alpha", sha("reuse-2")));
    expect(fs.readFileSync(path.join(workdir, ".git", "config"), "utf8")).toContain(`repo = ${repo.url}`);
  });

  it("refuses a working copy of another repository (exit 2)", async () => {
    const other = seededRepo(["alpha"]);
    const result = await cli(...deployArgs(other.url, "production", "alpha", sha("x"), "--workdir", workdir));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`is a working copy of "${repo.url}", not of "${other.url}"`);
  });
});

describe("secrets never reach the output", () => {
  const token = "glpat-SuperSecret123";
  it("redacts the token of an unreachable repository URL in errors (exit 3) and never stores it", async () => {
    const workdir = path.join(tempDir("secret"), "wc");
    const result = await cli(...deployArgs(`https://oauth2:${token}@127.0.0.1:9/group/services-root.git`, "staging", "svc", sha(1), "--workdir", workdir));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("https://***@127.0.0.1:9/group/services-root.git");
    expect(result.stdout + result.stderr).not.toContain(token);
    expect(fs.readFileSync(path.join(workdir, ".git", "config"), "utf8")).not.toContain(token);
  });

  it.each([
    ["https://gitlab-ci-token:abc@gitlab.com/x.git failed", "https://***@gitlab.com/x.git failed"],
    ["fatal: unable to access 'https://tok@host/r.git/'", "fatal: unable to access 'https://***@host/r.git/'"],
    ["ssh://git@host:22/r.git", "ssh://***@host:22/r.git"],
    ["no url here: user@host", "no url here: user@host"],
  ])("redact(%j)", (input, output) => {
    expect(redact(input)).toBe(output);
  });
});

describe("push failures that retrying cannot fix", () => {
  it("stops at once with exit 3 when the server declines the push (protected branch hook)", async () => {
    const repo = seededRepo(["svc"]);
    const hook = path.join(repo.dir, "hooks", "pre-receive");
    fs.writeFileSync(hook, "#!/bin/sh\necho 'GitLab: You are not allowed to push code to protected branches on this project.' >&2\nexit 1\n", { mode: 0o755 });
    const result = await cli(...deployArgs(repo.url, "staging", "svc", sha(2)));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("pre-receive hook declined");
    expect(result.stderr).not.toContain("retrying");
    expect(history(repo.dir)).toEqual([repo.seed]);
  });
});

describe("push failures that are not someone else pushing first (exit 3 at once, no retry)", () => {
  /** A bare repository whose pre-receive hook runs `script`; every push reaches the hook. */
  const repoWithHook = (script: string): { url: string; dir: string; seed: string } => {
    const repo = seededRepo(["svc"]);
    fs.writeFileSync(path.join(repo.dir, "hooks", "pre-receive"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return repo;
  };

  it.each([
    ["a hook that times out", "echo 'GitLab: Timed out waiting for the internal API' >&2; exit 1", "Timed out waiting for the internal API"],
    ["the connection dropping mid-push", "kill -9 $PPID", "the remote end hung up unexpectedly"],
  ])("%s", async (_, hook, message) => {
    const repo = repoWithHook(hook);
    const result = await cli(...deployArgs(repo.url, "staging", "svc", sha(6), "--max-attempts", "20"));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain("retrying");
    expect(result.stderr).not.toContain("others kept pushing first");
    expect(history(repo.dir)).toEqual([repo.seed]);
  });

  it("retries exactly git's own rejections of a moved branch", () => {
    // A real non-fast-forward: a stale clone pushes after another clone moved main.
    const repo = bareRepo();
    const clone = (name: string): string => {
      const dir = path.join(tempDir(name), "c");
      gitIn(path.dirname(dir), ["clone", "-q", repo.url, dir]);
      return dir;
    };
    const commit = (dir: string, text: string): void => {
      fs.writeFileSync(path.join(dir, "f"), text);
      gitIn(dir, ["add", "f"]);
      gitIn(dir, ["-c", "user.name=t", "-c", "user.email=t@example.dev", "commit", "-q", "-m", text]);
    };
    const first = clone("first");
    commit(first, "one");
    gitIn(first, ["push", "-q", "origin", "HEAD:main"]);
    const stale = clone("stale");
    commit(first, "two");
    gitIn(first, ["push", "-q", "origin", "HEAD:main"]);
    commit(stale, "three");
    const push = spawnSync("git", ["push", "--porcelain", repo.url, "HEAD:refs/heads/main"], {
      cwd: stale,
      encoding: "utf8",
      env: { ...process.env, LC_ALL: "C" },
    });
    expect(push.status).not.toBe(0);
    expect(isRetryablePushRejection(`${push.stdout}\n${push.stderr}`)).toBe(true);
    expect(isRetryablePushRejection("!\tHEAD:refs/heads/main\t[rejected] (non-fast-forward)")).toBe(true);
    expect(isRetryablePushRejection("!\tHEAD:refs/heads/main\t[rejected] (stale info)")).toBe(true);
    // What two pushes racing into one bare repository print (seen with 8 concurrent pushes).
    expect(isRetryablePushRejection("remote: error: cannot lock ref 'refs/heads/main': is at 14e92d5 but expected 5beb59c")).toBe(true);
    expect(isRetryablePushRejection("remote: error: cannot lock ref 'refs/heads/main': reference already exists")).toBe(true);
    expect(isRetryablePushRejection("error: cannot lock ref 'refs/heads/main': Unable to create '/r.git/refs/heads/main.lock': File exists.")).toBe(true);
    expect(isRetryablePushRejection("error: cannot lock ref 'refs/heads/main': Unable to create '/r.git/refs/heads/main.lock': Permission denied")).toBe(false);
    expect(isRetryablePushRejection("fatal: unable to access 'https://gitlab.example.dev/x.git/': The requested URL returned error: 502")).toBe(false);
    expect(isRetryablePushRejection("fatal: unable to access 'https://gitlab.example.dev/x.git/': Recv failure: Connection reset by peer")).toBe(false);
    expect(isRetryablePushRejection("!\tHEAD:refs/heads/main\t[remote rejected] (pre-receive hook declined)")).toBe(false);
  });
});

describe("a machine without git", () => {
  it("fails with exit 3 and says git cannot run", async () => {
    const result = await cliProcess(deployArgs(seededRepo(["svc"]).url, "staging", "svc", sha(5)), { PATH: tempDir("no-git") });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("cannot run git: spawn git ENOENT");
  }, 60_000);
});

describe("command-line values are checked before any git work (exit 2)", () => {
  const repo = seededRepo(["svc"]);
  it.each([
    [["--image-tag", "abc1234"], "option '--image-tag <sha>' argument 'abc1234' is invalid"],
    [["--service", "Python_Example"], "option '--service <name>' argument 'Python_Example' is invalid"],
    // The chart's limits (holodeck-service dnsLabel): starts with a letter, at most 30 characters.
    [["--service", "1abc"], `argument '1abc' is invalid. "1abc" is not a DNS label: lowercase a-z, 0-9 and '-', starting with a letter`],
    [
      ["--service", "a".repeat(31)],
      `"${"a".repeat(31)}" is not a DNS label: lowercase a-z, 0-9 and '-', starting with a letter, ending alphanumeric, at most 30 characters`,
    ],
    [
      ["--service", "argocd"],
      `argument 'argocd' is invalid. "argocd" is a reserved namespace (reserved: kube-system, kube-public, kube-node-lease, default, argocd, vault,`,
    ],
    [["--service", "kube-system"], `"kube-system" is a reserved namespace`],
    [["--env", "qa"], "Allowed choices are staging, production"],
  ])("%j", async (override, message) => {
    const args = deployArgs(repo.url, "staging", "svc", sha(3));
    const flag = args.indexOf(override[0]);
    args[flag + 1] = override[1];
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(history(repo.dir)).toEqual([repo.seed]);
  });

  it("requires --revision", async () => {
    const result = await cli("services", "deploy", "--repo", repo.url, "--env", "staging", "--service", "svc", "--image-tag", sha(4));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--revision <sha>' not specified");
  });
});

describe("retry backoff", () => {
  it("doubles the ceiling up to the cap, with a random delay in [0, ceiling]", () => {
    expect([1, 2, 3, 6, 7, 20].map((n) => backoffDelay(n, DEFAULT_RETRY, () => 1))).toEqual([250, 500, 1000, 8000, 8000, 8000]);
    expect([1, 6].map((n) => backoffDelay(n, DEFAULT_RETRY, () => 0))).toEqual([0, 0]);
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0.5)).toBe(500);
  });
});
