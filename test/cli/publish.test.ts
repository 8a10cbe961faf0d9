// The services-root publish gate (cli/services/publish.ts) on real git repositories: service
// pipelines push main with one shared token; Argo CD reads only `published`, which the gate
// writes. Every attack a service pipeline can make on another service's entry with that token
// is withheld, named in the job's output, and does not stop other services from publishing.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ID_TOKEN_ENV } from "../../cli/services/id-token";
import { GitLabIdTokens, GITLAB_ISSUER, SERVICES_GROUP } from "../harness/gitlab-id-tokens";
import { cli, expectedFile, seededRepo, sha, teamFileContent, tempDir, testTeam, type CliResult, type SeededRepo } from "./helpers";

const OWNER = { team: "checkout", domain: "services" } as const;
const INTRUDER = { team: "intruders", domain: "payments" } as const;
const tokens = new GitLabIdTokens();
const jwksFile = tokens.writeJwks(tempDir("jwks"));

/** What a deploy job runs: the CLI with the job's ID token in its environment. */
async function deployAs(token: string | undefined, repo: SeededRepo, service: string, tag: string): Promise<CliResult> {
  const saved = process.env[ID_TOKEN_ENV];
  if (token) process.env[ID_TOKEN_ENV] = token;
  else delete process.env[ID_TOKEN_ENV];
  try {
    return await cli("services", "deploy", "--repo", repo.url, "--env", "staging", "--service", service, "--image-tag", tag, "--revision", tag);
  } finally {
    if (saved === undefined) delete process.env[ID_TOKEN_ENV];
    else process.env[ID_TOKEN_ENV] = saved;
  }
}

const publish = (repo: SeededRepo, ...extra: string[]): Promise<CliResult> =>
  cli("services", "publish", "--repo", repo.url, "--jwks", jwksFile, "--issuer", GITLAB_ISSUER, "--project-group", SERVICES_GROUP, ...extra);

const publishedFile = (repo: SeededRepo, file: string): string | undefined => {
  try {
    return execFileSync("git", ["--git-dir", repo.dir, "show", `published:${file}`], { stdio: ["ignore", "pipe", "ignore"] }).toString();
  } catch {
    return undefined;
  }
};

/** A clone of services-root as any holder of the shared token has one; `git` runs in it as "intruder". */
function intruderClone(repo: SeededRepo, name: string): { work: string; git: (...args: string[]) => string } {
  const work = path.join(tempDir(name), "w");
  execFileSync("git", ["clone", "-q", repo.url, work]);
  const git = (...args: string[]): string =>
    execFileSync("git", ["-c", "user.name=intruder", "-c", "user.email=i@example.dev", ...args], {
      cwd: work,
      env: { ...process.env, LC_ALL: "C" },
    }).toString();
  return { work, git };
}

/** A raw commit on main as any holder of the shared token can make one: `files` written (null deletes), `message` verbatim. */
function pushRaw(repo: SeededRepo, files: Record<string, string | null>, message: string): string {
  const { work, git } = intruderClone(repo, "raw");
  for (const [file, content] of Object.entries(files)) {
    if (content === null) git("rm", "-q", file);
    else {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.rmSync(path.join(work, file), { force: true }); // a symlink an earlier attack left is replaced, never written through
      fs.writeFileSync(path.join(work, file), content);
      git("add", file);
    }
  }
  const messageFile = path.join(work, "..", "message");
  fs.writeFileSync(messageFile, message); // from a file: a message may be larger than a command line
  git("commit", "-q", "--cleanup=verbatim", "-F", messageFile);
  git("push", "-q", "origin", "HEAD:main");
  return git("rev-parse", "HEAD").trim();
}

const ENTRY = "staging/python-example.json";

/** The platform admins' first publish of a reviewed main (services-root README, set-up): `git push origin main:published`. */
const initPublished = (repo: SeededRepo): void => void execFileSync("git", ["--git-dir", repo.dir, "update-ref", "refs/heads/published", "main"]);
const lastMessage = (repo: SeededRepo, file: string): string =>
  execFileSync("git", ["--git-dir", repo.dir, "log", "-1", "--format=%B", "main", "--", file]).toString().trimEnd();

describe("the publish gate, service by service", () => {
  let repo: SeededRepo;
  let ownToken: string;
  const good = sha("python-example good");
  beforeAll(async () => {
    repo = seededRepo([], [testTeam(["python-example"], OWNER), testTeam(["evil"], INTRUDER)]);
    initPublished(repo);
    ownToken = tokens.forService("python-example");
    expect((await deployAs(ownToken, repo, "python-example", good)).code).toBe(0);
    const first = await publish(repo, "--json");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: "published", refused: [] });
  });

  it("publishes a service's own deploy exactly as on main, and the team files an admin vouched for", () => {
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", good, good, OWNER));
    expect(publishedFile(repo, "teams/checkout.json")).toBe(`${JSON.stringify(testTeam(["python-example"], OWNER), null, 2)}\n`);
    expect(lastMessage(repo, ENTRY)).toMatch(/\n\nHolodeck-Id-Token: [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  const attacks: [string, () => unknown, RegExp][] = [
    [
      "another service's pipeline deploys it (the CLI writes; the token names the wrong project)",
      () => deployAs(tokens.forService("evil"), repo, "python-example", sha("evil 1")),
      /written by project "holodeck\/services\/evil"; only holodeck\/services\/python-example may write it/,
    ],
    [
      "a commit re-using the service's own token from the git history (replay)",
      () => {
        // read from the history of main, where the service's first deploy left it
        pushRaw(
          repo,
          { [ENTRY]: expectedFile("staging", "python-example", sha("evil 2"), sha("evil 2"), OWNER) },
          `deploy\n\nHolodeck-Id-Token: ${ownToken}\n`,
        );
      },
      /^its token \(jti [0-9a-f-]{36}\) was used by an earlier commit: a token proves one write$/,
    ],
    [
      "a token the attacker signed with a key of its own",
      () => {
        const forged = tokens.sign(
          GitLabIdTokens.claimsFor(`${SERVICES_GROUP}/python-example`),
          generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
        );
        pushRaw(repo, { [ENTRY]: expectedFile("staging", "python-example", sha("evil 3"), sha("evil 3"), OWNER) }, `deploy\n\nHolodeck-Id-Token: ${forged}\n`);
      },
      /the signature does not verify against the instance's JWKS/,
    ],
    [
      "the service's own token for another audience (minted for Vault or AWS)",
      () => deployAs(tokens.forService("python-example", { aud: "sts.amazonaws.com" }), repo, "python-example", sha("evil 4")),
      /audience "sts.amazonaws.com", expected holodeck-services-root/,
    ],
    [
      "the service's own pipeline on an unprotected branch (a merge request's)",
      () => deployAs(tokens.forService("python-example", { ref: "feature", ref_protected: "false" }), repo, "python-example", sha("evil 5")),
      /written from ref "feature", which is not protected/,
    ],
    [
      "a commit without a token (the shared token's bare push)",
      () => deployAs(undefined, repo, "python-example", sha("evil 6")),
      /^it carries no GitLab ID token/,
    ],
    [
      "the service's own pipeline writing a file the ApplicationSet cannot read (one bad entry would stop every service's generation)",
      () => pushRaw(repo, { [ENTRY]: '{"cluster": "staging",}\n' }, `deploy\n\nHolodeck-Id-Token: ${tokens.forService("python-example")}\n`),
      /^staging\/python-example.json: \(file\): is not valid JSON: expected a double-quoted key at line 1 column 23; expected exactly one JSON object$/,
    ],
    [
      "the service's own pipeline naming another team (its Application would sync in that team's project)",
      () =>
        pushRaw(
          repo,
          { [ENTRY]: expectedFile("staging", "python-example", sha("evil 7"), sha("evil 7"), { team: "intruders", domain: "services" }) },
          `deploy\n\nHolodeck-Id-Token: ${tokens.forService("python-example")}\n`,
        ),
      /^staging\/python-example.json: team: is "intruders" but teams\/checkout.json lists "python-example"; expected "checkout"$/,
    ],
    [
      "a symlink at the entry's path, signed by the service itself",
      () => {
        const { work, git } = intruderClone(repo, "symlink");
        fs.rmSync(path.join(work, ENTRY));
        fs.symlinkSync("../teams/checkout.json", path.join(work, ENTRY));
        git("add", "-A");
        git("commit", "-q", "-m", `link\n\nHolodeck-Id-Token: ${tokens.forService("python-example")}\n`);
        git("push", "-q", "origin", "HEAD:main");
      },
      /^is not a regular file \(mode 120000\); only 100644 files are published$/,
    ],
    [
      "a replay hiding behind control characters in the message (a log parser would split there)",
      () =>
        pushRaw(
          repo,
          { [ENTRY]: expectedFile("staging", "python-example", sha("evil 8"), sha("evil 8"), OWNER) },
          `deploy\x1f\x1e\n\nHolodeck-Id-Token: ${ownToken}\n`,
        ),
      /^its token \(jti [0-9a-f-]{36}\) was used by an earlier commit: a token proves one write$/,
    ],
    [
      "a gitlink at the entry's path, signed by the service itself (reading it as a file would stop the gate)",
      () => {
        const { git } = intruderClone(repo, "gitlink");
        git("rm", "-q", "--cached", ENTRY);
        git("update-index", "--add", "--cacheinfo", `160000,${sha("submodule")},${ENTRY}`);
        git("commit", "-q", "-m", `link\n\nHolodeck-Id-Token: ${tokens.forService("python-example")}\n`);
        git("push", "-q", "origin", "HEAD:main");
      },
      /^is not a regular file \(mode 160000\); only 100644 files are published$/,
    ],
    [
      "another service's pipeline deletes the entry",
      () => pushRaw(repo, { [ENTRY]: null }, `remove\n\nHolodeck-Id-Token: ${tokens.forService("evil")}\n`),
      /written by project "holodeck\/services\/evil"/,
    ],
  ];

  it.each(attacks)("withholds %s, names why, and still publishes the intruder's own deploy", async (_name, attack, reason) => {
    const evilTag = sha(`evil own ${reason.source}`);
    await attack();
    expect((await deployAs(tokens.forService("evil"), repo, "evil", evilTag)).code).toBe(0);
    const result = await publish(repo, "--json");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { status: string; accepted: { path: string }[]; refused: { path: string; refused: string }[] };
    expect(report.status).toBe("published");
    expect(report.accepted.map((a) => a.path)).toEqual(["staging/evil.json"]);
    expect(report.refused.map((r) => r.path)).toEqual([ENTRY]);
    expect(report.refused[0].refused).toMatch(reason);
    expect(result.stderr).toContain(`withheld ${ENTRY}: changed by `);
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", good, good, OWNER));
    expect(publishedFile(repo, "staging/evil.json")).toBe(expectedFile("staging", "evil", evilTag, evilTag, INTRUDER));
  });

  it("publishes the service's next deploy of its own, over whatever was withheld", async () => {
    const next = sha("python-example next");
    expect((await deployAs(tokens.forService("python-example"), repo, "python-example", next)).code).toBe(0);
    const result = await publish(repo);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^published [0-9a-f]{40}: 1 entries accepted, 0 withheld\n$/) as unknown });
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", next, next, OWNER));
  });

  it("changes nothing when main has nothing new", async () => {
    const tip = execFileSync("git", ["--git-dir", repo.dir, "rev-parse", "published"]).toString().trim();
    expect(await publish(repo)).toEqual({ code: 0, stdout: "nothing new to publish: 0 entries accepted, 0 withheld\n", stderr: "" });
    expect(execFileSync("git", ["--git-dir", repo.dir, "rev-parse", "published"]).toString().trim()).toBe(tip);
  });
});

describe("the publish gate's input", () => {
  it("refuses a JWKS file that is missing, naming the flag (exit 2), before touching the repository", async () => {
    const repo = seededRepo(["python-example"]);
    const result = await cli(
      "services",
      "publish",
      "--repo",
      repo.url,
      "--jwks",
      "/nonexistent/jwks.json",
      "--issuer",
      GITLAB_ISSUER,
      "--project-group",
      SERVICES_GROUP,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^holodeck: --jwks \/nonexistent\/jwks.json: ENOENT.*\(a file or an https:\/\/ URL\)\n$/);
    expect(publishedFile(repo, "teams/checkout.json")).toBeUndefined();
  });

  it("publishes a hand edit only when a platform admin vouches for its commit", async () => {
    const repo = seededRepo(["python-example"]);
    initPublished(repo);
    const tag = sha("hand edit");
    const edit = pushRaw(repo, { [ENTRY]: expectedFile("staging", "python-example", tag) }, "hand edit (merge request !7)");
    const withheld = await publish(repo);
    expect(withheld.code).toBe(1);
    expect(withheld.stderr).toBe(
      `withheld ${ENTRY}: changed by ${edit.slice(0, 12)}: it carries no GitLab ID token (a hand edit: a platform admin publishes it: holodeck services publish --accept ${edit})\n`,
    );
    expect(publishedFile(repo, ENTRY)).toBeUndefined();
    expect((await publish(repo, "--accept", edit)).code).toBe(0);
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", tag));
  });

  it("refuses --accept of a commit that is not on main (exit 2), publishing nothing", async () => {
    const repo = seededRepo(["python-example"]);
    initPublished(repo);
    const tip = execFileSync("git", ["--git-dir", repo.dir, "rev-parse", "published"]).toString().trim();
    const result = await publish(repo, "--accept", sha("elsewhere"));
    expect(result).toEqual({ code: 2, stdout: "", stderr: `holodeck: --accept ${sha("elsewhere")}: not a commit of the source branch\n` });
    expect(execFileSync("git", ["--git-dir", repo.dir, "rev-parse", "published"]).toString().trim()).toBe(tip);
  });

  it("never rebuilds a missing published branch by itself (it would drop every hand-published entry): exit 2, naming the admin's step", async () => {
    const repo = seededRepo(["python-example"]);
    expect(await publish(repo)).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "holodeck: published does not exist: a platform admin creates it once from a reviewed main: git push origin main:published (services-root README, set-up)\n",
    });
  });
});

describe("a merge that brings back an older signed version", () => {
  it("changes nothing: the old signed commit is never judged again (not a descendant of the last judged one), where history simplification would have named it", async () => {
    const repo = seededRepo([], [testTeam(["python-example"], OWNER)]);
    initPublished(repo);
    const [older, newer] = [sha("older"), sha("newer")];
    expect((await deployAs(tokens.forService("python-example"), repo, "python-example", older)).code).toBe(0);
    const signedOlder = execFileSync("git", ["--git-dir", repo.dir, "rev-parse", "main"]).toString().trim();
    expect((await deployAs(tokens.forService("python-example"), repo, "python-example", newer)).code).toBe(0);
    expect((await publish(repo)).code).toBe(0);
    const { git } = intruderClone(repo, "merge");
    git("checkout", "-q", "-b", "old", signedOlder);
    git("commit", "-q", "--allow-empty", "-m", "side"); // a side branch, so the merge has two parents
    git("checkout", "-q", "main");
    // an evil merge: the entry as the older signed commit had it, so the merge is TREESAME to that side
    git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "old");
    git("checkout", "old", "--", ENTRY);
    git("commit", "-q", "-m", "merge");
    git("push", "-q", "origin", "HEAD:main");
    const merge = git("rev-parse", "HEAD").trim();
    expect(execFileSync("git", ["--git-dir", repo.dir, "log", "-1", "--format=%H", "main", "--", ENTRY]).toString().trim()).toBe(signedOlder);
    const result = await publish(repo, "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "unchanged", accepted: [], refused: [] });
    void merge;
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", newer, newer, OWNER));
  });
});

describe("replays and merges an earlier review found", () => {
  let repo: SeededRepo;
  let token: string;
  const own = sha("own deploy");
  beforeAll(async () => {
    repo = seededRepo(["python-example", "evil"]);
    initPublished(repo);
    token = tokens.forService("python-example");
    expect((await deployAs(token, repo, "python-example", own)).code).toBe(0);
    expect((await publish(repo)).code).toBe(0);
  });
  const evilEntry = (seed: string): Record<string, string> => ({ [ENTRY]: expectedFile("staging", "python-example", sha(seed)) });

  it("a re-encoded copy of the service's token (junk a lenient base64 decoder skips) is not a new token", async () => {
    pushRaw(repo, evilEntry("re-encoded"), `deploy\n\nHolodeck-Id-Token: ${token}*\n`);
    const result = await publish(repo, "--json");
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as { refused: { refused: string }[] }).refused.map((r) => r.refused)).toEqual(["a part is not canonical base64url"]);
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", own));
  });

  it("a root commit carrying the service's old token, merged beside main, is never judged", async () => {
    const git = (args: string[], input?: string): string =>
      execFileSync("git", ["--git-dir", repo.dir, "-c", "user.name=x", "-c", "user.email=x@example.dev", ...args], { input })
        .toString()
        .trim();
    const blob = git(["hash-object", "-w", "--stdin"], expectedFile("staging", "python-example", sha("root")));
    const staging = git(["mktree"], `100644 blob ${blob}\tpython-example.json\n`);
    const rootTree = git(["mktree"], `040000 tree ${staging}\tstaging\n`);
    const root = git(["commit-tree", rootTree, "-m", `root\n\nHolodeck-Id-Token: ${token}\n`]);
    const tip = git(["rev-parse", "main"]);
    git(["update-ref", "refs/heads/main", git(["commit-tree", `${tip}^{tree}`, "-p", root, "-p", tip, "-m", "merge"])]);
    expect(await publish(repo, "--json")).toMatchObject({ code: 0 });
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", own));
  });

  it("a merge of the last judged commit with main's tip does not hide the deploys behind it", async () => {
    const last = execFileSync("git", ["--git-dir", repo.dir, "rev-parse", "main"]).toString().trim();
    const next = sha("deploy behind a merge");
    expect((await deployAs(tokens.forService("python-example"), repo, "python-example", next)).code).toBe(0);
    const tip = execFileSync("git", ["--git-dir", repo.dir, "rev-parse", "main"]).toString().trim();
    const tree = execFileSync("git", ["--git-dir", repo.dir, "rev-parse", `${tip}^{tree}`])
      .toString()
      .trim();
    const merge = execFileSync("git", [
      "--git-dir",
      repo.dir,
      "-c",
      "user.name=x",
      "-c",
      "user.email=x@example.dev",
      "commit-tree",
      tree,
      "-p",
      last,
      "-p",
      tip,
      "-m",
      "merge",
    ])
      .toString()
      .trim();
    execFileSync("git", ["--git-dir", repo.dir, "update-ref", "refs/heads/main", merge]);
    expect((await publish(repo)).code).toBe(0);
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", next));
  });

  it("an unsigned header field cannot write a line into the gate's commit (its refusal is quoted on one line)", async () => {
    const header = { alg: "x\nHolodeck-Source: 0000000000000000000000000000000000000000", kid: tokens.kid };
    const forged = tokens.sign(GitLabIdTokens.claimsFor(`${SERVICES_GROUP}/python-example`), undefined, header);
    pushRaw(repo, evilEntry("header"), `deploy\n\nHolodeck-Id-Token: ${forged}\n`);
    const result = await publish(repo, "--json");
    expect((JSON.parse(result.stdout) as { refused: { refused: string }[] }).refused.map((r) => r.refused)).toEqual([
      'signed with "x\\nHolodeck-Source: 0000000000000000000000000000000000000000"; GitLab signs RS256',
    ]);
    const message = execFileSync("git", ["--git-dir", repo.dir, "log", "-1", "--format=%B", "published"]).toString();
    expect(message.split("\n").filter((line) => line.startsWith("Holodeck-Source"))).toEqual([]);
    expect((await publish(repo)).code).toBe(0); // the next run starts where this one ended
  });
});

describe("bounds a push cannot push the gate past (a third review)", () => {
  let repo: SeededRepo;
  beforeAll(() => {
    repo = seededRepo(["python-example", "evil"]);
    initPublished(repo);
  });
  const own = (): string => `\n\nHolodeck-Id-Token: ${tokens.forService("python-example")}\n`;

  it("withholds a commit whose message is over 1 MiB, unread", async () => {
    const big = pushRaw(repo, { [ENTRY]: expectedFile("staging", "python-example", sha("big message")) }, `${"x".repeat(1024 * 1024)}${own()}`);
    const result = await publish(repo, "--json");
    expect((JSON.parse(result.stdout) as { refused: unknown[] }).refused).toEqual([
      {
        path: ENTRY,
        commit: big,
        refused: `its message is over 1048576 bytes and was not read (a platform admin publishes it: holodeck services publish --accept ${big})`,
      },
    ]);
  });

  it("withholds an entry file over 64 KiB, unread, even signed by its service", async () => {
    const padded = expectedFile("staging", "python-example", sha("big file")).replace("{", `{${" ".repeat(70 * 1024)}`);
    pushRaw(repo, { [ENTRY]: padded }, `deploy${own()}`);
    const result = await publish(repo, "--json");
    expect((JSON.parse(result.stdout) as { refused: { refused: string }[] }).refused.map((r) => r.refused)).toEqual([
      `cannot be read: is ${Buffer.byteLength(padded)} bytes; files over 65536 bytes are not published`,
    ]);
  });

  it("does not judge a merge of more than 8 parents, and names it", async () => {
    const git = (args: string[]): string =>
      execFileSync("git", ["--git-dir", repo.dir, "-c", "user.name=x", "-c", "user.email=x@example.dev", ...args])
        .toString()
        .trim();
    const tip = git(["rev-parse", "main"]);
    const tree = git(["rev-parse", `${tip}^{tree}`]);
    const sides = Array.from({ length: 8 }, (_, i) => git(["commit-tree", tree, "-p", tip, "-m", `side ${i}`]));
    const octopus = git(["commit-tree", tree, "-p", tip, ...sides.flatMap((side) => ["-p", side]), "-m", "octopus"]);
    git(["update-ref", "refs/heads/main", octopus]);
    const result = await publish(repo, "--json");
    expect((JSON.parse(result.stdout) as { refused: unknown[] }).refused).toEqual([
      { path: "(merge)", commit: octopus, refused: "a merge of 9 parents is not judged: nothing it makes itself is published" },
    ]);
  });

  it("a deploy judged more than a day after its token expired says what to do", async () => {
    const stale = tokens.forService("python-example", { exp: Math.floor(Date.now() / 1000) - 25 * 3600 });
    const late = pushRaw(repo, { [ENTRY]: expectedFile("staging", "python-example", sha("late")) }, `deploy\n\nHolodeck-Id-Token: ${stale}\n`);
    const result = await publish(repo, "--json");
    expect((JSON.parse(result.stdout) as { refused: { refused: string }[] }).refused.map((r) => r.refused)[0]).toMatch(
      new RegExp(
        `^expired more than 24 h ago \\(exp "\\d+"\\); the gate judged it late: a platform admin publishes it: holodeck services publish --accept ${late} \\(the same version deployed again makes no commit\\)$`,
      ),
    );
  });

  it("a fake token naming a deploy's token id, on a branch beside it, does not void that deploy", async () => {
    const token = tokens.forService("python-example");
    const jti = (JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { jti: string }).jti;
    const tag = sha("deploy beside a fake");
    const base = execFileSync("git", ["--git-dir", repo.dir, "rev-parse", "main"]).toString().trim();
    expect((await deployAs(token, repo, "python-example", tag)).code).toBe(0);
    const forgedKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const fake = tokens.sign(GitLabIdTokens.claimsFor(`${SERVICES_GROUP}/evil`, { jti }), forgedKey);
    const git = (args: string[]): string =>
      execFileSync("git", ["--git-dir", repo.dir, "-c", "user.name=x", "-c", "user.email=x@example.dev", ...args])
        .toString()
        .trim();
    const tip = git(["rev-parse", "main"]);
    const side = git(["commit-tree", `${base}^{tree}`, "-p", base, "-m", `fake\n\nHolodeck-Id-Token: ${fake}\n`]);
    git(["update-ref", "refs/heads/main", git(["commit-tree", `${tip}^{tree}`, "-p", tip, "-p", side, "-m", "merge"])]);
    await publish(repo);
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", tag));
  });
});

describe("team files and other paths through the gate", () => {
  it("withholds a team file pushed with the shared token: moving another team's service needs the admins", async () => {
    const repo = seededRepo([], [testTeam(["python-example"], OWNER), testTeam(["evil"], INTRUDER)]);
    initPublished(repo);
    const grab = pushRaw(
      repo,
      { "teams/intruders.json": teamFileContent(testTeam(["evil", "python-example"], INTRUDER)), "teams/checkout.json": teamFileContent(testTeam([], OWNER)) },
      `move\n\nHolodeck-Id-Token: ${tokens.forService("evil")}\n`,
    );
    const result = await publish(repo, "--json");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { refused: { path: string; refused: string }[] };
    expect(report.refused).toEqual([
      {
        path: "teams/checkout.json",
        commit: grab,
        refused: `team files change only by merge request; a platform admin publishes it: holodeck services publish --accept ${grab}`,
      },
      {
        path: "teams/intruders.json",
        commit: grab,
        refused: `team files change only by merge request; a platform admin publishes it: holodeck services publish --accept ${grab}`,
      },
    ]);
    expect(publishedFile(repo, "teams/intruders.json")).toBe(teamFileContent(testTeam(["evil"], INTRUDER)));
  });

  it("withholds a gitlink at a team file's path, vouched for or not, without reading it (the gate keeps running)", async () => {
    const repo = seededRepo(["python-example"]);
    initPublished(repo);
    const { git } = intruderClone(repo, "team-gitlink");
    git("update-index", "--add", "--cacheinfo", `160000,${sha("submodule")},teams/ghost.json`);
    git("commit", "-q", "-m", "ghost team");
    git("push", "-q", "origin", "HEAD:main");
    const ghost = git("rev-parse", "HEAD").trim();
    const result = await publish(repo, "--json", "--accept", ghost);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as { refused: unknown[] }).refused).toEqual([
      { path: "teams/ghost.json", commit: ghost, refused: "is not a regular file (mode 160000); only 100644 files are published" },
    ]);
    expect((await publish(repo)).code).toBe(0);
  });

  it("withholds team files an admin vouched for when together they are invalid (a service in two teams)", async () => {
    const repo = seededRepo([], [testTeam(["python-example"], OWNER), testTeam(["evil"], INTRUDER)]);
    initPublished(repo);
    const both = pushRaw(repo, { "teams/intruders.json": teamFileContent(testTeam(["evil", "python-example"], INTRUDER)) }, "merge request !8");
    const result = await publish(repo, "--json", "--accept", both);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { refused: { path: string; refused: string }[] };
    expect(report.refused.map((r) => r.path)).toEqual(["teams/intruders.json"]);
    expect(report.refused[0].refused).toMatch(/^the team files would be invalid: teams\/intruders.json: services\/1\/name: .*python-example/);
    expect(publishedFile(repo, "teams/intruders.json")).toBe(teamFileContent(testTeam(["evil"], INTRUDER)));
  });

  it("never publishes a path that only looks like an entry (a tab in its name, a nested folder Argo CD's glob would match)", async () => {
    const repo = seededRepo(["python-example"]);
    initPublished(repo);
    const fake = expectedFile("staging", "python-example", sha("fake"));
    pushRaw(repo, { [`${ENTRY}\tx`]: fake, "staging/x/python-example.json": fake }, `sneak\n\nHolodeck-Id-Token: ${tokens.forService("python-example")}\n`);
    expect(await publish(repo)).toEqual({ code: 0, stdout: "nothing new to publish: 0 entries accepted, 0 withheld\n", stderr: "" });
    expect(execFileSync("git", ["--git-dir", repo.dir, "ls-tree", "-r", "--name-only", "published"]).toString()).toBe(
      ".holodeck/publish-gate.json\nteams/checkout.json\n",
    );
  });

  it("publishes a deploy even when another pipeline re-used its token in a later commit (no way to block another team)", async () => {
    const repo = seededRepo(["python-example", "evil"]);
    initPublished(repo);
    const token = tokens.forService("python-example");
    const tag = sha("deploy before the replay");
    expect((await deployAs(token, repo, "python-example", tag)).code).toBe(0);
    pushRaw(repo, { "README.md": "x\n" }, `noise\n\nHolodeck-Id-Token: ${token}\n`);
    expect((await publish(repo)).code).toBe(0);
    expect(publishedFile(repo, ENTRY)).toBe(expectedFile("staging", "python-example", tag));
  });

  it("never publishes what Argo CD does not read (.gitmodules, README, the pipeline), so none of it can reach the repo-server", async () => {
    const repo = seededRepo(["python-example"]);
    initPublished(repo);
    pushRaw(repo, { ".gitmodules": '[submodule "x"]\n\tpath = x\n\turl = https://attacker.example/x.git\n', "README.md": "hi\n" }, "extras");
    expect(await publish(repo)).toEqual({ code: 0, stdout: "nothing new to publish: 0 entries accepted, 0 withheld\n", stderr: "" });
    expect(publishedFile(repo, ".gitmodules")).toBeUndefined();
  });
});
