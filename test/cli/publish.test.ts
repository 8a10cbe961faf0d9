// The services-root publish gate (cli/services/publish.ts) on real git repositories: service
// pipelines push main with one shared token; Argo CD reads only `published`, which the gate
// writes. Every attack a service pipeline can make on another service's entry with that token
// is withheld, named in the job's output, and does not stop other services from publishing.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GitLabIdTokens, GITLAB_ISSUER, SERVICES_GROUP } from "../harness/gitlab-id-tokens";
import { cli, expectedFile, seededRepo, sha, testTeam, type SeededRepo } from "./helpers";
import { deployAs, ENTRY, initPublished, intruderClone, INTRUDER, lastMessage, OWNER, publish, publishedFile, pushRaw, tokens } from "./publish-helpers";

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
