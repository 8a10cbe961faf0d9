import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ENVIRONMENTS } from "../../model";
import { SERVICES_ROOT_PUBLISHED_BRANCH, TEAMS_FOLDER } from "../../model/team";
import { PushConflictError } from "../errors";
import { git } from "./git";
import { tokenOfMessage, verifyIdToken, type Jwks } from "./id-token";
import { redact } from "./redact";
import { readTeams } from "./teams";
import { formatError, ownershipErrors, validateEntry } from "./validate";
import type { Team } from "../../model/team";

// The services-root publish gate. Every service pipeline pushes `main` with one shared token
// (GitLab has no token limited to some paths), so `main` may hold a change one service's pipeline
// made to another service's entry. Argo CD reads only the branch this gate writes: it copies
// `main` there, except entry files whose last change on `main` does not carry a GitLab ID token
// of that service's own project, signed by the instance, used once. Those keep their published
// content and are reported; the rest of the platform keeps deploying.

export interface PublishArgs {
  repoUrl: string;
  /** the branch the pipelines push (main) */
  source: string;
  jwks: Jwks;
  issuer: string;
  audience: string;
  /** GitLab group of the service projects: service <s> is project <projectGroup>/<s> */
  projectGroup: string;
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

const ENTRY = new RegExp(`^(${ENVIRONMENTS.join("|")})/([^/]+)\\.json$`);
const GATE_IDENTITY = {
  GIT_AUTHOR_NAME: "holodeck publish gate",
  GIT_AUTHOR_EMAIL: "publish-gate@holodeck.invalid",
  GIT_COMMITTER_NAME: "holodeck publish gate",
  GIT_COMMITTER_EMAIL: "publish-gate@holodeck.invalid",
};

interface TreeEntry {
  mode: string;
  blob: string;
}

async function treeOf(dir: string, ref: string | undefined): Promise<Map<string, TreeEntry>> {
  const files = new Map<string, TreeEntry>();
  if (!ref) return files;
  const listing = (await git(dir, ["ls-tree", "-r", "-z", ref])).stdout;
  for (const line of listing.split("\0").filter(Boolean)) {
    const [meta, file] = line.split("\t");
    const [mode, , blob] = meta.split(" ");
    files.set(file, { mode, blob });
  }
  return files;
}

/** jti -> the commits of `ref`'s whole history whose message carries a token with it. */
async function tokenUses(dir: string, ref: string): Promise<Map<string, string[]>> {
  const uses = new Map<string, string[]>();
  const log = (await git(dir, ["log", "--format=%H%x1f%B%x1e", ref])).stdout;
  for (const record of log.split("\x1e")) {
    const [commit, message] = record.trim().split("\x1f");
    const token = message ? tokenOfMessage(message) : undefined;
    if (!commit || !token) continue;
    const payload = token.split(".")[1] ?? "";
    let jti: unknown;
    try {
      jti = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { jti?: unknown }).jti;
    } catch {
      continue; // not a token; verifyIdToken refuses it where it matters
    }
    if (typeof jti === "string") uses.set(jti, [...(uses.get(jti) ?? []), commit]);
  }
  return uses;
}

const blobBytes = async (dir: string, blob: string): Promise<Buffer> => (await git(dir, ["cat-file", "blob", blob])).raw;

/** The team files as they will be published (copied from the source as they are: code owners guard them). */
async function teamsOf(dir: string, tree: Map<string, TreeEntry>): Promise<Team[]> {
  const files = [...tree].filter(([file]) => file.startsWith(`${TEAMS_FOLDER}/`));
  return readTeams(await Promise.all(files.map(async ([file, { blob }]) => ({ path: file, bytes: await blobBytes(dir, blob) })))).teams;
}

/**
 * Why an entry signed by its own service may still not be published: the ApplicationSet reads
 * every published entry, and one malformed file, or one naming another team's project, must not
 * reach it. Undefined when it is a valid entry of the team that owns the service.
 */
async function contentProblem(dir: string, file: string, blob: string | undefined, teams: readonly Team[]): Promise<string | undefined> {
  if (!blob) return undefined; // a deletion
  const [folder, name] = file.split("/");
  const report = validateEntry(file, await blobBytes(dir, blob), folder, name.slice(0, -".json".length));
  const errors = report.record ? ownershipErrors(file, report.record, teams) : report.errors;
  return errors.length > 0 ? errors.map(formatError).join("; ") : undefined;
}

/** Whether the last change of `file` on `ref` may be published, and which commit it was. */
async function judge(dir: string, ref: string, file: string, service: string, args: PublishArgs, uses: Map<string, string[]>): Promise<EntryDecision> {
  const commit = (await git(dir, ["log", "-1", "--format=%H", ref, "--", file])).stdout.trim();
  const message = (await git(dir, ["log", "-1", "--format=%B", commit])).stdout;
  const token = tokenOfMessage(message);
  if (!token)
    return { path: file, commit, refused: "its last change carries no GitLab ID token (a hand edit: a platform admin publishes it, docs/services-root.md)" };
  try {
    const claims = verifyIdToken(token, args.jwks, { issuer: args.issuer, audience: args.audience, projectPath: `${args.projectGroup}/${service}` });
    const users = uses.get(claims.jti) ?? [];
    if (users.length !== 1)
      return { path: file, commit, refused: `its token (jti ${claims.jti}) is used by ${users.length} commits; a token proves one write` };
    return { path: file, commit };
  } catch (err) {
    return { path: file, commit, refused: redact(err instanceof Error ? err.message : String(err)) };
  }
}

async function fetchBranches(dir: string, args: PublishArgs): Promise<{ source: string; published?: string }> {
  await git(dir, ["init", "-q"]);
  await git(dir, ["fetch", "-q", "--no-tags", args.repoUrl, `+refs/heads/${args.source}:refs/gate/source`]);
  const published = await git(dir, ["fetch", "-q", "--no-tags", args.repoUrl, `+refs/heads/${SERVICES_ROOT_PUBLISHED_BRANCH}:refs/gate/published`], {
    allowFailure: true,
  });
  if (published.code !== 0 && !/couldn't find remote ref/i.test(published.stderr)) {
    throw new Error(redact(`cannot fetch ${SERVICES_ROOT_PUBLISHED_BRANCH}: ${published.stderr.trim()}`));
  }
  const rev = async (ref: string): Promise<string> => (await git(dir, ["rev-parse", ref])).stdout.trim();
  return { source: await rev("refs/gate/source"), published: published.code === 0 ? await rev("refs/gate/published") : undefined };
}

function publishMessage(source: string, accepted: EntryDecision[], refused: EntryDecision[]): string {
  const lines = [`publish ${source.slice(0, 12)}`, "", `source: ${source}`];
  for (const a of accepted) lines.push(`published: ${a.path} (${a.commit.slice(0, 12)})`);
  for (const r of refused) lines.push(`withheld: ${r.path} (${r.commit.slice(0, 12)}): ${r.refused}`);
  return `${lines.join("\n")}\n`;
}

/** Runs the gate once: fetch, judge every changed entry, commit and push the published branch. */
export async function publish(args: PublishArgs): Promise<PublishReport> {
  const dir = mkdtempSync(path.join(tmpdir(), "holodeck-publish-"));
  try {
    const { source, published } = await fetchBranches(dir, args);
    const [wanted, current, uses] = await Promise.all([treeOf(dir, source), treeOf(dir, published), tokenUses(dir, source)]);
    const index = { GIT_INDEX_FILE: path.join(dir, "gate-index") };
    await git(dir, published ? ["read-tree", published] : ["read-tree", "--empty"], { env: index });
    let teamsCache: Team[] | undefined;
    const teams = async (): Promise<Team[]> => (teamsCache ??= await teamsOf(dir, wanted));
    const accepted: EntryDecision[] = [];
    const refused: EntryDecision[] = [];
    for (const file of [...new Set([...wanted.keys(), ...current.keys()])].sort()) {
      const want = wanted.get(file);
      const have = current.get(file);
      if (want?.blob === have?.blob && want?.mode === have?.mode) continue;
      const entry = ENTRY.exec(file);
      if (entry) {
        const decision = await judge(dir, source, file, entry[2], args, uses);
        if (!decision.refused) decision.refused = await contentProblem(dir, file, want?.blob, await teams());
        (decision.refused ? refused : accepted).push(decision);
        if (decision.refused) continue;
      }
      const update = want ? ["--add", "--cacheinfo", `${want.mode},${want.blob},${file}`] : ["--force-remove", file];
      await git(dir, ["update-index", ...update], { env: index });
    }
    const tree = (await git(dir, ["write-tree"], { env: index })).stdout.trim();
    const publishedTree = published ? (await git(dir, ["rev-parse", `${published}^{tree}`])).stdout.trim() : undefined;
    for (const r of refused) args.log(`withheld ${r.path}: last changed by ${r.commit.slice(0, 12)}: ${r.refused}`);
    if (tree === publishedTree) return { source, status: "unchanged", published: published ?? "", accepted, refused };
    const parents = published ? ["-p", published] : [];
    const commit = (await git(dir, ["commit-tree", tree, ...parents], { input: publishMessage(source, accepted, refused), env: GATE_IDENTITY })).stdout.trim();
    const pushed = await git(dir, ["push", "--porcelain", args.repoUrl, `${commit}:refs/heads/${SERVICES_ROOT_PUBLISHED_BRANCH}`], { allowFailure: true });
    if (pushed.code !== 0) {
      if (/\[rejected\]|non-fast-forward|fetch first/.test(pushed.stdout + pushed.stderr)) {
        throw new PushConflictError(`${SERVICES_ROOT_PUBLISHED_BRANCH} moved while the gate ran (another gate job?); re-run it`);
      }
      throw new Error(redact(`push of ${SERVICES_ROOT_PUBLISHED_BRANCH} failed: ${(pushed.stderr || pushed.stdout).trim()}`));
    }
    return { source, status: "published", published: commit, accepted, refused };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
