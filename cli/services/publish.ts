import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SERVICES_ROOT_PUBLISHED_BRANCH } from "../../model/team";
import { PushConflictError, UsageError } from "../errors";
import { git } from "./git";
import type { Jwks } from "./id-token";
import { TOKEN_GRACE_SECONDS } from "./id-token";
import { CommitJudge, LEDGER_PATH, teamFilesOf, type EntryDecision, type Ledger } from "./publish-judge";
import { checkTeams, MAX_MESSAGE_BYTES, publishedPath, verifiedJti, type GateContext, type SourceCommit, type TreeEntry } from "./publish-rules";
import { redact } from "./redact";
import type { Team } from "../../model/team";

export type { EntryDecision } from "./publish-judge";

// The services-root publish gate. Every service pipeline pushes `main` with one shared token
// (GitLab has no token limited to some paths), so `main` may hold a change one service's pipeline
// made to another service's entry, or to a team file. Argo CD and the Vault team sync read only
// the branch this gate writes. Each run judges every commit that descends from the one it judged
// last and leads to main's tip (`--ancestry-path`: a root commit or an old branch merged in is
// never judged), each against its parent, path by path (publish-rules.ts): an entry change
// signed with a GitLab ID token of that service's own project whose id is in no earlier commit
// nor in the gate's ledger; a merge's own changes, a team file or a hand edit when a platform
// admin vouches for the commit (--accept). The rest keep their published content and are
// reported; the platform keeps deploying. The gate's state (last judged commit, token ids in
// use) is a file it alone writes on the published branch.

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

/** Commits judged in one run, and the most parents a judged merge may have: bounds on what a push can make a run do. */
const MAX_COMMITS_PER_RUN = 5000;
const MAX_MERGE_PARENTS = 8;

/** The gate's ledger, or after the admins' first publish (no ledger yet) the published tip as the last judged commit. */
async function readLedger(dir: string, published: string, source: string): Promise<Ledger> {
  const shown = await git(dir, ["show", `${published}:${LEDGER_PATH}`], { allowFailure: true });
  const ledger: Ledger = shown.code === 0 ? (JSON.parse(shown.stdout) as Ledger) : { source: published, tokens: {} };
  const tokens: unknown = ledger.tokens;
  if (!/^[0-9a-f]{40}$/.test(String(ledger.source)) || typeof tokens !== "object" || tokens === null || Array.isArray(tokens)) {
    throw new UsageError(`${LEDGER_PATH} on ${SERVICES_ROOT_PUBLISHED_BRANCH} is not the gate's ({source, tokens}); a platform admin must look`);
  }
  if ((await git(dir, ["merge-base", "--is-ancestor", ledger.source, source], { allowFailure: true })).code !== 0) {
    throw new UsageError(`${ledger.source.slice(0, 12)}, judged last, is not on the source branch (was it rewritten?); a platform admin must look`);
  }
  return ledger;
}

/** Commits, each with parents and raw message, read in one `git cat-file --batch` (no separator to smuggle). */
async function readCommits(dir: string, ids: readonly string[]): Promise<SourceCommit[]> {
  if (ids.length === 0) return [];
  const sizes = (await git(dir, ["cat-file", "--batch-check"], { input: `${ids.join("\n")}\n` })).stdout.split("\n");
  const small = ids.filter((_, i) => Number(sizes[i]?.split(" ")[2]) <= MAX_MESSAGE_BYTES);
  const raw = small.length > 0 ? (await git(dir, ["cat-file", "--batch"], { input: `${small.join("\n")}\n` })).raw : Buffer.alloc(0);
  const read = new Map<string, SourceCommit>();
  let at = 0;
  for (const commit of small) {
    const headerEnd = raw.indexOf(0x0a, at);
    const size = Number(raw.subarray(at, headerEnd).toString().split(" ")[2]);
    const body = raw.subarray(headerEnd + 1, headerEnd + 1 + size).toString("utf8");
    at = headerEnd + 1 + size + 1;
    const split = body.indexOf("\n\n");
    const parents = [...body.slice(0, split).matchAll(/^parent ([0-9a-f]{40})$/gm)].map((m) => m[1]);
    read.set(commit, { commit, parents, message: split < 0 ? "" : body.slice(split + 2) });
  }
  const commits: SourceCommit[] = [];
  for (const commit of ids) {
    const parents = async (): Promise<string[]> => (await git(dir, ["rev-parse", `${commit}^@`])).stdout.split("\n").filter(Boolean);
    commits.push(read.get(commit) ?? { commit, parents: await parents(), message: "", oversized: true });
  }
  return commits;
}

/** Every commit descending from `from` and leading to `source`, parents before children. */
async function rangeAfter(dir: string, from: string, source: string): Promise<SourceCommit[]> {
  const ids = (await git(dir, ["rev-list", "--ancestry-path", "--topo-order", "--reverse", `${from}..${source}`])).stdout.split("\n").filter(Boolean);
  return readCommits(dir, ids);
}

/** Path -> new content (undefined: deleted) of what `c` changed against `parent` (the empty tree for a root commit). */
async function changesAgainst(dir: string, c: string, parent: string | undefined): Promise<Map<string, TreeEntry | undefined>> {
  const args = ["diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", ...(parent ? [parent, c] : ["--root", c])];
  const fields = (await git(dir, args)).stdout.split("\0");
  const changes = new Map<string, TreeEntry | undefined>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, mode, , blob, status] = fields[i].split(" ");
    changes.set(fields[i + 1], status === "D" ? undefined : { mode, blob });
  }
  return changes;
}

/** What `c` itself changed: against its parent; for a merge, only what differs from every parent (what it made itself). */
async function changesOf(dir: string, c: SourceCommit): Promise<Map<string, TreeEntry | undefined>> {
  if (c.parents.length <= 1) return changesAgainst(dir, c.commit, c.parents[0]);
  const perParent: Map<string, TreeEntry | undefined>[] = [];
  for (const parent of c.parents) perParent.push(await changesAgainst(dir, c.commit, parent)); // one at a time: a merge may have thousands
  return new Map([...perParent[0]].filter(([file]) => perParent.every((changes) => changes.has(file))));
}

/** Accepted commits at or before `last` (already judged), each with the paths a later commit up to `last` changed again. */
async function acceptedBefore(dir: string, accepted: ReadonlySet<string>, last: string): Promise<{ commit: SourceCommit; stalePaths: Set<string> }[]> {
  const revisit = [];
  for (const id of accepted) {
    if ((await git(dir, ["merge-base", "--is-ancestor", id, last], { allowFailure: true })).code !== 0) continue;
    const [commit] = await readCommits(dir, [id]);
    const later = (await git(dir, ["log", "-m", "--format=", "--name-only", `${id}..${last}`])).stdout.split("\n").filter(Boolean);
    revisit.push({ commit, stalePaths: new Set(later) });
  }
  return revisit;
}

function publishMessage(source: string, accepted: EntryDecision[], refused: EntryDecision[]): string {
  const lines = [`publish ${source.slice(0, 12)}`, "", `source: ${source}`];
  for (const a of accepted) lines.push(`published: ${a.path} (${a.commit.slice(0, 12)})`);
  for (const r of refused) lines.push(`withheld: ${r.path} (${r.commit.slice(0, 12)}): ${r.refused}`);
  return `${lines.join("\n")}\n`;
}

/** The teams of the published team files; none when they cannot be read (every entry then waits for a readable team file). */
async function publishedTeams(dir: string, state: ReadonlyMap<string, TreeEntry>): Promise<Team[]> {
  try {
    return (await checkTeams(dir, teamFilesOf(state))).teams;
  } catch {
    return [];
  }
}

/** Runs the gate once: fetch, judge every new commit's changes, commit and push the published branch. */
export async function publish(args: PublishArgs): Promise<PublishReport> {
  const dir = mkdtempSync(path.join(tmpdir(), "holodeck-publish-"));
  try {
    const { source, published } = await fetchBranches(dir, args);
    const now = Math.floor(Date.now() / 1000);
    const ctx: GateContext = { ...args, dir, now, accepted: await acceptedCommits(dir, source, args.accept) };
    const ledger = await readLedger(dir, published, source);
    // Admin-vouched commits judged (and withheld) by an earlier run come first, each for the
    // paths no later commit changed since; then every commit after the last judged one.
    const revisit = await acceptedBefore(dir, ctx.accepted, ledger.source);
    const range = await rangeAfter(dir, ledger.source, source);
    const outside = [...ctx.accepted].filter((id) => !range.some((c) => c.commit === id) && !revisit.some((r) => r.commit.commit === id));
    if (outside.length > 0)
      throw new UsageError(`--accept ${outside.join(", ")}: not on the judged history (a commit of a branch merged in: accept the merge)`);
    if (range.length === 0 && revisit.length === 0) return { source, status: "unchanged", published, accepted: [], refused: [] };
    const claims = new Map<string, string[]>();
    for (const c of range) {
      const jti = verifiedJti(ctx, c.message);
      if (jti) claims.set(jti, [...(claims.get(jti) ?? []), c.commit]);
    }
    // Only what the ApplicationSets read is ever on the published branch (an admin's first publish may bring more).
    const state = new Map([...(await treeOf(dir, published))].filter(([file, { mode }]) => publishedPath(file) && mode === "100644"));
    const snapshot = (): string => JSON.stringify([...state].sort(([a], [b]) => (a < b ? -1 : 1)));
    const initial = snapshot();
    const judge = new CommitJudge(ctx, state, await publishedTeams(dir, state), ledger, claims);
    for (const { commit, stalePaths } of revisit) {
      await judge.judge(
        commit,
        [...(await changesOf(dir, commit))].filter(([file]) => publishedPath(file) && !stalePaths.has(file)),
      );
    }
    // A bounded run: a flood of commits is judged over several runs, each recording its progress.
    const judged = range.slice(0, MAX_COMMITS_PER_RUN);
    if (judged.length < range.length) args.log(`${range.length} commits to judge: judging the first ${judged.length}; the next run continues`);
    for (const c of judged) {
      if (c.parents.length > MAX_MERGE_PARENTS) {
        judge.refused.push({
          path: "(merge)",
          commit: c.commit,
          refused: `a merge of ${c.parents.length} parents is not judged: nothing it makes itself is published`,
        });
        continue;
      }
      await judge.judge(
        c,
        [...(await changesOf(dir, c))].filter(([file]) => publishedPath(file)),
      );
    }
    ledger.source = judged.length > 0 ? judged[judged.length - 1].commit : ledger.source;
    // Kept an hour past the last moment the token could pass, so a run whose clock is behind still knows it.
    for (const [jti, exp] of Object.entries(ledger.tokens)) if (exp + TOKEN_GRACE_SECONDS + 3600 < now) delete ledger.tokens[jti];
    const changed = snapshot() !== initial;
    return await commitAndPush(dir, args, { source, published, state, ledger, changed, accepted: judge.accepted, refused: judge.refused });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Outcome {
  source: string;
  published: string;
  state: Map<string, TreeEntry>;
  ledger: Ledger;
  /** whether an entry or team file changed (the ledger always does) */
  changed: boolean;
  accepted: EntryDecision[];
  refused: EntryDecision[];
}

/** Writes the new published tree (and the ledger) as one commit on top of the published tip. */
async function commitAndPush(dir: string, args: PublishArgs, o: Outcome): Promise<PublishReport> {
  const index = { GIT_INDEX_FILE: path.join(dir, "gate-index") };
  const ledgerBlob = (await git(dir, ["hash-object", "-w", "--stdin"], { input: `${JSON.stringify(o.ledger, null, 2)}\n` })).stdout.trim();
  const files = [...o.state, [LEDGER_PATH, { mode: "100644", blob: ledgerBlob }] as const];
  await git(dir, ["read-tree", "--empty"], { env: index });
  await git(dir, ["update-index", "-z", "--index-info"], { env: index, input: files.map(([file, { mode, blob }]) => `${mode} ${blob}\t${file}\0`).join("") });
  const tree = (await git(dir, ["write-tree"], { env: index })).stdout.trim();
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
  return { source: o.source, status: o.changed ? "published" : "unchanged", published: commit, accepted: o.accepted, refused: o.refused };
}
