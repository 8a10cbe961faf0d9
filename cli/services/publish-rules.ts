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
}

/** One commit of the source branch's first-parent chain: its id, first parent and message. */
export interface SourceCommit {
  commit: string;
  parent?: string;
  merge: boolean;
  message: string;
}

/**
 * Why `commit`'s change to an entry of `service` is not proven to be that service's own pipeline's,
 * or undefined when it is. A merge never is: what it brings in is judged as the merge's own change.
 * A token counts once: one already in an earlier commit of the branch is a replay.
 */
export async function entryAuthorship(ctx: GateContext, source: SourceCommit, service: string): Promise<string | undefined> {
  if (ctx.accepted.has(source.commit)) return undefined;
  const byAdmin = `a platform admin publishes it: holodeck services publish --accept ${source.commit}`;
  if (source.merge) return `it is a merge (changes a merge brings are unsigned: ${byAdmin})`;
  const token = tokenOfMessage(source.message);
  if (!token) return `it carries no GitLab ID token (a hand edit: ${byAdmin})`;
  try {
    verifyIdToken(token, ctx.jwks, { issuer: ctx.issuer, audience: ctx.audience, projectPath: `${ctx.projectGroup}/${service}` });
  } catch (err) {
    return redact(err instanceof Error ? err.message : String(err));
  }
  if (source.parent) {
    const earlier = (await git(ctx.dir, ["log", "-1", "--format=%H", "--fixed-strings", `--grep=${token}`, source.parent])).stdout.trim();
    if (earlier) return `its token was already used by ${earlier}: a token proves one write`;
  }
  return undefined;
}

/** Why a team file change of `source` is not a platform admin's, or undefined. */
export function teamAuthorship(ctx: GateContext, source: SourceCommit): string | undefined {
  if (ctx.accepted.has(source.commit)) return undefined;
  return `team files change only by merge request; a platform admin publishes it: holodeck services publish --accept ${source.commit}`;
}

export const blobBytes = async (dir: string, blob: string): Promise<Buffer> => (await git(dir, ["cat-file", "blob", blob])).raw;

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
