// The publish gate against what three read-only reviews tried (publish.test.ts has the ordinary
// attacks): merges and replays that history simplification or a lenient decoder would let
// through, bounds no push can exhaust, and the paths and team files only an admin publishes.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GitLabIdTokens, SERVICES_GROUP } from "../harness/gitlab-id-tokens";
import { expectedFile, seededRepo, sha, teamFileContent, testTeam, type SeededRepo } from "./helpers";
import { deployAs, ENTRY, initPublished, intruderClone, INTRUDER, OWNER, publish, publishedFile, pushRaw, tokens } from "./publish-helpers";

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
