import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SERVICES_ROOT_PUBLISHED_BRANCH } from "../../model/team";
import { PushConflictError, UsageError } from "../errors";
import { git } from "./git";
import type { Jwks } from "./id-token";
import {
  checkTeams,
  entryAuthorship,
  entryProblem,
  modeProblem,
  publishedPath,
  teamAuthorship,
  type GateContext,
  type SourceCommit,
  type TreeEntry,
} from "./publish-rules";
import { redact } from "./redact";
import type { Team } from "../../model/team";

// The services-root publish gate. Every service pipeline pushes `main` with one shared token
// (GitLab has no token limited to some paths), so `main` may hold a change one service's pipeline
// made to another service's entry, or to a team file. Argo CD and the Vault team sync read only
// the branch this gate writes. It walks main's first-parent chain from the commit it published
// last (trailer Holodeck-Source), commit by commit, and applies each commit's changes to entries
// and team files only when publish-rules.ts lets them through: an entry change signed with a
// GitLab ID token of that service's own project, used once; a team file or hand edit when a
// platform admin vouches for its commit (--accept). The rest keep their published content and
// are reported; the platform keeps deploying.

export interface PublishArgs {
  repoUrl: string;
  /** the branch the pipelines push (main) */
  source: string;
  jwks: Jwks;
  issuer: string;
  audience: string;
  /** GitLab group of the service projects: service <s> is project <projectGroup>/<s> */
  projectGroup: string;
  /** commits a platform admin vouches for (hand edits, team files): published without a token */
  accept: string[];
  log: (line: string) => void;
}

export interface EntryDecision {
  path: string;
  /** the last commit on the source branch that changed the entry */
  commit: string;
  /** why it was not published (absent when it was) */
  refused?: string;
}

export interface PublishReport {
  source: string;
  status: "published" | "unchanged";
  /** the published branch's tip after the run */
  published: string;
  accepted: EntryDecision[];
  refused: EntryDecision[];
}

const GATE_IDENTITY = {
  GIT_AUTHOR_NAME: "holodeck publish gate",
  GIT_AUTHOR_EMAIL: "publish-gate@holodeck.invalid",
  GIT_COMMITTER_NAME: "holodeck publish gate",
  GIT_COMMITTER_EMAIL: "publish-gate@holodeck.invalid",
};

/** The trailer each gate commit records the last source commit it has judged in. */
const SOURCE_TRAILER = "Holodeck-Source";

async function treeOf(dir: string, ref: string): Promise<Map<string, TreeEntry>> {
  const files = new Map<string, TreeEntry>();
  for (const line of (await git(dir, ["ls-tree", "-r", "-z", ref])).stdout.split("\0").filter(Boolean)) {
    const tab = line.indexOf("\t"); // paths may hold tabs: split at the first one only
    const [mode, , blob] = line.slice(0, tab).split(" ");
    files.set(line.slice(tab + 1), { mode, blob });
  }
  return files;
}

/** The commits an admin vouches for, as full SHAs; each must be on the source branch. */
async function acceptedCommits(dir: string, source: string, accept: readonly string[]): Promise<Set<string>> {
  const commits = new Set<string>();
  for (const given of accept) {
    const commit = (await git(dir, ["rev-parse", "-q", "--verify", `${given}^{commit}`], { allowFailure: true })).stdout.trim();
    const onSource = commit !== "" && (await git(dir, ["merge-base", "--is-ancestor", commit, source], { allowFailure: true })).code === 0;
    if (!onSource) throw new UsageError(`--accept ${given}: not a commit of the source branch`);
    commits.add(commit);
  }
  return commits;
}

async function fetchBranches(dir: string, args: PublishArgs): Promise<{ source: string; published: string }> {
  await git(dir, ["init", "-q"]);
  await git(dir, ["fetch", "-q", "--no-tags", args.repoUrl, `+refs/heads/${args.source}:refs/gate/source`]);
  const published = await git(dir, ["fetch", "-q", "--no-tags", args.repoUrl, `+refs/heads/${SERVICES_ROOT_PUBLISHED_BRANCH}:refs/gate/published`], {
    allowFailure: true,
  });
  if (published.code !== 0) {
    if (/couldn't find remote ref/i.test(published.stderr)) {
      // Never rebuilt silently: that would drop every hand-published entry (and Argo CD would delete those services).
      throw new UsageError(
        `${SERVICES_ROOT_PUBLISHED_BRANCH} does not exist: a platform admin creates it once from a reviewed ${args.source}: git push origin ${args.source}:${SERVICES_ROOT_PUBLISHED_BRANCH} (services-root README, set-up)`,
      );
    }
    throw new Error(redact(`cannot fetch ${SERVICES_ROOT_PUBLISHED_BRANCH}: ${published.stderr.trim()}`));
  }
  const rev = async (ref: string): Promise<string> => (await git(dir, ["rev-parse", ref])).stdout.trim();
  return { source: await rev("refs/gate/source"), published: await rev("refs/gate/published") };
}

/** The source commit published last: the gate's trailer, or the published tip itself after an admin's first publish. */
async function lastJudged(dir: string, published: string, source: string): Promise<string> {
  const message = (await git(dir, ["log", "-1", "--format=%B", published])).stdout;
  const recorded = new RegExp(`^${SOURCE_TRAILER}: ([0-9a-f]{40})$`, "m").exec(message)?.[1] ?? published;
  if ((await git(dir, ["merge-base", "--is-ancestor", recorded, source], { allowFailure: true })).code !== 0) {
    throw new UsageError(`${recorded.slice(0, 12)}, published last, is not on the source branch (was it rewritten?); a platform admin must look`);
  }
  return recorded;
}

/** One commit: its first parent, whether it is a merge, and its raw message (read alone: no separator to smuggle). */
async function readCommit(dir: string, commit: string): Promise<SourceCommit> {
  const raw = (await git(dir, ["cat-file", "commit", commit])).stdout;
  const split = raw.indexOf("\n\n");
  const parents = [...raw.slice(0, split).matchAll(/^parent ([0-9a-f]{40})$/gm)].map((m) => m[1]);
  return { commit, parent: parents[0], merge: parents.length > 1, message: raw.slice(split + 2) };
}

/** The source's first-parent chain after `from`, oldest first. */
async function chainAfter(dir: string, from: string, source: string): Promise<SourceCommit[]> {
  const ids = (await git(dir, ["rev-list", "--first-parent", "--reverse", `${from}..${source}`])).stdout.split("\n").filter(Boolean);
  return Promise.all(ids.map((commit) => readCommit(dir, commit)));
}

/** Path -> new content (undefined: deleted) of what `c` changed against its first parent. */
async function changesOf(dir: string, c: SourceCommit): Promise<Map<string, TreeEntry | undefined>> {
  const args = ["diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", ...(c.parent ? [c.parent, c.commit] : ["--root", c.commit])];
  const fields = (await git(dir, args)).stdout.split("\0");
  const changes = new Map<string, TreeEntry | undefined>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, mode, , blob, status] = fields[i].split(" ");
    changes.set(fields[i + 1], status === "D" ? undefined : { mode, blob });
  }
  return changes;
}

const teamFilesOf = (state: ReadonlyMap<string, TreeEntry>): Map<string, TreeEntry> =>
  new Map([...state].filter(([file]) => publishedPath(file)?.kind === "team"));

/** Accepted commits at or before `last` (already judged), each with the paths a later commit up to `last` changed again. */
async function acceptedBefore(dir: string, accepted: ReadonlySet<string>, last: string): Promise<{ commit: SourceCommit; stalePaths: Set<string> }[]> {
  const revisit = [];
  for (const id of accepted) {
    if ((await git(dir, ["merge-base", "--is-ancestor", id, last], { allowFailure: true })).code !== 0) continue;
    const [commit] = await chainAfter(dir, `${id}^`, id).catch(async () =>
      chainAfter(dir, (await git(dir, ["hash-object", "-t", "tree", "/dev/null"])).stdout.trim(), id),
    );
    const later = (await git(dir, ["log", "--first-parent", "--format=", "--name-only", `${id}..${last}`])).stdout.split("\n").filter(Boolean);
    revisit.push({ commit, stalePaths: new Set(later) });
  }
  return revisit;
}

/** Applies one source commit's changes to the published state, path by path, recording each decision. */
class CommitJudge {
  readonly accepted: EntryDecision[] = [];
  readonly refused: EntryDecision[] = [];

  constructor(
    private readonly ctx: GateContext,
    private readonly state: Map<string, TreeEntry>,
    private teams: Team[],
  ) {}

  async judge(c: SourceCommit, changes: [string, TreeEntry | undefined][]): Promise<void> {
    const teamChanges = changes.filter(([file]) => publishedPath(file)?.kind === "team");
    if (teamChanges.length > 0) {
      const candidate = teamFilesOf(this.state);
      for (const [file, entry] of teamChanges) void (entry ? candidate.set(file, entry) : candidate.delete(file));
      const checked = await checkTeams(this.ctx.dir, candidate);
      const why =
        teamAuthorship(this.ctx, c) ??
        teamChanges.map(([, entry]) => modeProblem(entry)).find(Boolean) ??
        (checked.problems.length > 0 ? `the team files would be invalid: ${checked.problems.join("; ")}` : undefined);
      for (const [file, entry] of teamChanges) this.decide(file, entry, c, why);
      if (!why) this.teams = checked.teams;
    }
    for (const [file, entry] of changes.filter(([file]) => publishedPath(file)?.kind === "entry")) {
      const service = (publishedPath(file) as { service: string }).service;
      let why: string | undefined;
      try {
        why = modeProblem(entry) ?? (await entryAuthorship(this.ctx, c, service)) ?? (await entryProblem(this.ctx.dir, file, entry, this.teams));
      } catch (err) {
        why = `cannot be read: ${redact(err instanceof Error ? err.message : String(err))}`;
      }
      this.decide(file, entry, c, why);
    }
  }

  private decide(file: string, entry: TreeEntry | undefined, c: SourceCommit, why: string | undefined): void {
    if (why) {
      this.refused.push({ path: file, commit: c.commit, refused: why });
      return;
    }
    this.accepted.push({ path: file, commit: c.commit });
    if (entry) this.state.set(file, entry);
    else this.state.delete(file);
  }
}

function publishMessage(source: string, accepted: EntryDecision[], refused: EntryDecision[]): string {
  const lines = [`publish ${source.slice(0, 12)}`, ""];
  for (const a of accepted) lines.push(`published: ${a.path} (${a.commit.slice(0, 12)})`);
  for (const r of refused) lines.push(`withheld: ${r.path} (${r.commit.slice(0, 12)}): ${r.refused}`);
  return `${lines.join("\n")}\n\n${SOURCE_TRAILER}: ${source}\n`;
}

/** Runs the gate once: fetch, judge every new commit's changes in order, commit and push the published branch. */
export async function publish(args: PublishArgs): Promise<PublishReport> {
  const dir = mkdtempSync(path.join(tmpdir(), "holodeck-publish-"));
  try {
    const { source, published } = await fetchBranches(dir, args);
    const ctx: GateContext = { ...args, dir, accepted: await acceptedCommits(dir, source, args.accept) };
    const last = await lastJudged(dir, published, source);
    // Admin-vouched commits judged (and withheld) by an earlier run come first, each for the
    // paths no later commit changed since; then every commit after the last judged one.
    const revisit = await acceptedBefore(dir, ctx.accepted, last);
    const chain = [...revisit.map(({ commit }) => commit), ...(await chainAfter(dir, last, source))];
    if (chain.length === 0) return { source, status: "unchanged", published, accepted: [], refused: [] };
    // Only what the ApplicationSets read is ever on the published branch (an admin's first publish may bring more).
    const state = new Map([...(await treeOf(dir, published))].filter(([file]) => publishedPath(file)));
    const judge = new CommitJudge(ctx, state, (await checkTeams(dir, teamFilesOf(state))).teams);
    for (const c of chain) {
      const stale = revisit.find((r) => r.commit === c)?.stalePaths;
      await judge.judge(
        c,
        [...(await changesOf(dir, c))].filter(([file]) => publishedPath(file) && !stale?.has(file)),
      );
    }
    const { accepted, refused } = judge;
    return await commitAndPush(dir, args, { source, published, state, accepted, refused });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Outcome {
  source: string;
  published: string;
  state: Map<string, TreeEntry>;
  accepted: EntryDecision[];
  refused: EntryDecision[];
}

/** Writes the new published tree as one commit on top of the published tip, recording the source judged. */
async function commitAndPush(dir: string, args: PublishArgs, o: Outcome): Promise<PublishReport> {
  const index = { GIT_INDEX_FILE: path.join(dir, "gate-index") };
  await git(dir, ["read-tree", "--empty"], { env: index });
  const listing = [...o.state].map(([file, { mode, blob }]) => `${mode} ${blob}\t${file}`).join("\0");
  await git(dir, ["update-index", "-z", "--index-info"], { env: index, input: listing ? `${listing}\0` : "" });
  const tree = (await git(dir, ["write-tree"], { env: index })).stdout.trim();
  const changed = tree !== (await git(dir, ["rev-parse", `${o.published}^{tree}`])).stdout.trim();
  for (const r of o.refused) args.log(`withheld ${r.path}: changed by ${r.commit.slice(0, 12)}: ${r.refused}`);
  const commit = (
    await git(dir, ["commit-tree", tree, "-p", o.published], { input: publishMessage(o.source, o.accepted, o.refused), env: GATE_IDENTITY })
  ).stdout.trim();
  const pushed = await git(dir, ["push", "--porcelain", args.repoUrl, `${commit}:refs/heads/${SERVICES_ROOT_PUBLISHED_BRANCH}`], { allowFailure: true });
  if (pushed.code !== 0) {
    if (/\[rejected\]|non-fast-forward|fetch first/.test(pushed.stdout + pushed.stderr)) {
      throw new PushConflictError(`${SERVICES_ROOT_PUBLISHED_BRANCH} moved while the gate ran (another gate job?); re-run it`);
    }
    throw new Error(redact(`push of ${SERVICES_ROOT_PUBLISHED_BRANCH} failed: ${(pushed.stderr || pushed.stdout).trim()}`));
  }
  return { source: o.source, status: changed ? "published" : "unchanged", published: commit, accepted: o.accepted, refused: o.refused };
}
