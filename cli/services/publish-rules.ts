import { ENVIRONMENTS } from "../../model";
import { TEAMS_FOLDER, type Team } from "../../model/team";
import { git } from "./git";
import { tokenOfMessage, verifyIdToken, type Jwks } from "./id-token";
import { redact } from "./redact";
import { readTeams } from "./teams";
import { formatError, ownershipErrors, validateEntry } from "./validate";

// What the publish gate (publish.ts) lets through, change by change. Only two kinds of path reach
// the branch Argo CD reads: entries `<environment>/<service>.json` and team files
// `teams/<team>.json` (the ApplicationSets read nothing else). Everything else on main
// (.gitmodules, nested folders, symlinks, README, the pipeline) is never published.

export interface TreeEntry {
  mode: string;
  blob: string;
}

/** A regular, non-executable file: the only mode the gate publishes (no symlinks, gitlinks). */
const REGULAR_FILE = "100644";
const ENTRY = new RegExp(`^(${ENVIRONMENTS.join("|")})/([a-z0-9-]+)\\.json$`);
const TEAM_FILE = new RegExp(`^${TEAMS_FOLDER}/[a-z0-9-]+\\.json$`);

export type PublishedPath = { kind: "entry"; service: string } | { kind: "team" };

/** Which kind of published path `file` is, or undefined when the gate never publishes it. */
export function publishedPath(file: string): PublishedPath | undefined {
  const entry = ENTRY.exec(file);
  if (entry) return { kind: "entry", service: entry[2] };
  return TEAM_FILE.test(file) ? { kind: "team" } : undefined;
}

export interface GateContext {
  dir: string;
  jwks: Jwks;
  issuer: string;
  audience: string;
  projectGroup: string;
  /** commits a platform admin vouches for (--accept): their changes need no token */
  accepted: ReadonlySet<string>;
  /** seconds since the epoch */
  now: number;
}

/** One commit of the judged range: its id, parents and raw message. */
export interface SourceCommit {
  commit: string;
  parents: string[];
  message: string;
  /** a message over MAX_MESSAGE_BYTES: not read, and nothing it changes passes without --accept */
  oversized?: boolean;
}

/** Larger commit messages and files are refused unread: reading them could exhaust the gate (a string over 512 MiB throws). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
export const MAX_FILE_BYTES = 64 * 1024;

/** A token's verdict for one service: its id and expiry when it proves that service's pipeline wrote the commit. */
export type TokenVerdict = { jti: string; exp: number } | { problem: string };

/**
 * Whether `source`'s token proves that `service`'s own pipeline wrote it (replay is the gate's
 * ledger's to judge). A merge never does: what it brings is judged where it was made.
 */
export function entryToken(ctx: GateContext, source: SourceCommit, service: string): TokenVerdict {
  const byAdmin = `a platform admin publishes it: holodeck services publish --accept ${source.commit}`;
  if (source.parents.length > 1) return { problem: `it is a merge (changes a merge makes itself are unsigned: ${byAdmin})` };
  if (source.oversized) return { problem: `its message is over ${MAX_MESSAGE_BYTES} bytes and was not read (${byAdmin})` };
  const token = tokenOfMessage(source.message);
  if (!token) return { problem: `it carries no GitLab ID token (a hand edit: ${byAdmin})` };
  try {
    const projectPath = `${ctx.projectGroup}/${service}`;
    const claims = verifyIdToken(token, ctx.jwks, { issuer: ctx.issuer, audience: ctx.audience, projectPath, now: ctx.now });
    return { jti: claims.jti, exp: claims.exp };
  } catch (err) {
    const problem = redact(err instanceof Error ? err.message : String(err));
    const late = problem.startsWith("expired") ? `; the gate judged it late: ${byAdmin} (the same version deployed again makes no commit)` : "";
    return { problem: `${problem}${late}` };
  }
}

/**
 * The token id a commit's message carries, when the token verifies for the project it names: to
 * find one token used by two commits of a range (a fake token naming a victim's id counts for nothing).
 */
export function verifiedJti(ctx: GateContext, message: string): string | undefined {
  const token = tokenOfMessage(message);
  if (!token) return undefined;
  try {
    const claimed = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { project_path?: unknown };
    const projectPath = String(claimed.project_path);
    return verifyIdToken(token, ctx.jwks, { issuer: ctx.issuer, audience: ctx.audience, projectPath, now: ctx.now }).jti;
  } catch {
    return undefined;
  }
}

/** Why a team file change of `source` is not a platform admin's, or undefined. */
export function teamAuthorship(ctx: GateContext, source: SourceCommit): string | undefined {
  if (ctx.accepted.has(source.commit)) return undefined;
  return `team files change only by merge request; a platform admin publishes it: holodeck services publish --accept ${source.commit}`;
}

/** A refusal as it may go into the gate's commit message: one line, no control characters. */
export const oneLine = (reason: string): string => [...reason].map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? " " : ch)).join("");

export async function blobBytes(dir: string, blob: string): Promise<Buffer> {
  const size = Number((await git(dir, ["cat-file", "-s", blob])).stdout.trim());
  if (!(size <= MAX_FILE_BYTES)) throw new Error(`is ${size} bytes; files over ${MAX_FILE_BYTES} bytes are not published`);
  return (await git(dir, ["cat-file", "blob", blob])).raw;
}

/** Why a file that is not a regular file may not be published (a symlink, a gitlink), or undefined. */
export function modeProblem(entry: TreeEntry | undefined): string | undefined {
  return entry && entry.mode !== REGULAR_FILE ? `is not a regular file (mode ${entry.mode}); only ${REGULAR_FILE} files are published` : undefined;
}

/** Team files as they would be published, checked together (schema and cross-file rules). */
export async function checkTeams(dir: string, files: ReadonlyMap<string, TreeEntry>): Promise<{ teams: Team[]; problems: string[] }> {
  const read = await Promise.all([...files].map(async ([file, { blob }]) => ({ path: file, bytes: await blobBytes(dir, blob) })));
  const { teams, errors } = readTeams(read);
  return { teams, problems: errors.map(formatError) };
}

/**
 * Why an entry may not be published even when its owner wrote it: the ApplicationSet reads every
 * published entry, and one malformed file, or one naming another team's project, must not reach
 * it. Undefined for a deletion or a valid entry of the team that owns the service.
 */
export async function entryProblem(dir: string, file: string, entry: TreeEntry | undefined, teams: readonly Team[]): Promise<string | undefined> {
  if (!entry) return undefined;
  const [folder, name] = file.split("/");
  const report = validateEntry(file, await blobBytes(dir, entry.blob), folder, name.slice(0, -".json".length));
  const errors = report.record ? ownershipErrors(file, report.record, teams) : report.errors;
  return errors.length > 0 ? errors.map(formatError).join("; ") : undefined;
}
