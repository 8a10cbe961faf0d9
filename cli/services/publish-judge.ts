import type { Team } from "../../model/team";
import { git } from "./git";
import {
  checkTeams,
  entryProblem,
  entryToken,
  modeProblem,
  oneLine,
  publishedPath,
  teamAuthorship,
  type GateContext,
  type SourceCommit,
  type TreeEntry,
} from "./publish-rules";
import { redact } from "./redact";

// The publish gate's judge (publish.ts runs it over a range of commits): applies each commit's
// changes to the published state, path by path, by the rules of publish-rules.ts, recording each
// decision and every token id it accepted.

export interface EntryDecision {
  path: string;
  /** the commit of the source branch that made the change */
  commit: string;
  /** why it was not published (absent when it was) */
  refused?: string;
}

export const teamFilesOf = (state: ReadonlyMap<string, TreeEntry>): Map<string, TreeEntry> =>
  new Map([...state].filter(([file]) => publishedPath(file)?.kind === "team"));

/** The gate's own state on the published branch (read by no ApplicationSet: not an entry or team path). */
export const LEDGER_PATH = ".holodeck/publish-gate.json";

export interface Ledger {
  /** the last source commit judged */
  source: string;
  /** token id -> its expiry (seconds): used once; dropped when the token could no longer pass anyway */
  tokens: Record<string, number>;
}

/** Applies commits' changes to the published state, path by path, recording each decision and every token id used. */
export class CommitJudge {
  readonly accepted: EntryDecision[] = [];
  readonly refused: EntryDecision[] = [];

  constructor(
    private readonly ctx: GateContext,
    private readonly state: Map<string, TreeEntry>,
    private teams: Team[],
    private readonly ledger: Ledger,
    /** token id -> the commits of this run's range whose message claims it */
    private readonly claims: ReadonlyMap<string, string[]>,
  ) {}

  async judge(c: SourceCommit, changes: [string, TreeEntry | undefined][]): Promise<void> {
    const teamChanges = changes.filter(([file]) => publishedPath(file)?.kind === "team");
    if (teamChanges.length > 0) {
      // Authorship and modes first: a team file is read only once an admin vouched for it and it is a regular file.
      let why = teamAuthorship(this.ctx, c) ?? teamChanges.map(([, entry]) => modeProblem(entry)).find(Boolean);
      let teams: Team[] | undefined;
      if (!why) {
        const candidate = teamFilesOf(this.state);
        for (const [file, entry] of teamChanges) void (entry ? candidate.set(file, entry) : candidate.delete(file));
        try {
          const checked = await checkTeams(this.ctx.dir, candidate);
          if (checked.problems.length > 0) why = `the team files would be invalid: ${checked.problems.join("; ")}`;
          teams = checked.teams;
        } catch (err) {
          why = `cannot be read: ${redact(err instanceof Error ? err.message : String(err))}`;
        }
      }
      for (const [file, entry] of teamChanges) this.decide(file, entry, c, why);
      if (!why && teams) this.teams = teams;
    }
    const used: { jti: string; exp: number }[] = [];
    for (const [file, entry] of changes.filter(([file]) => publishedPath(file)?.kind === "entry")) {
      const service = (publishedPath(file) as { service: string }).service;
      let why: string | undefined;
      try {
        why = modeProblem(entry) ?? (await this.authorship(c, service, used)) ?? (await entryProblem(this.ctx.dir, file, entry, this.teams));
      } catch (err) {
        why = `cannot be read: ${redact(err instanceof Error ? err.message : String(err))}`;
      }
      this.decide(file, entry, c, why);
    }
    for (const { jti, exp } of used) this.ledger.tokens[jti] = exp;
  }

  /** Why `c` may not change an entry of `service`, or undefined; a token that passes is noted in `used`. */
  private async authorship(c: SourceCommit, service: string, used: { jti: string; exp: number }[]): Promise<string | undefined> {
    if (this.ctx.accepted.has(c.commit)) return undefined;
    const verdict = entryToken(this.ctx, c, service);
    if ("problem" in verdict) return verdict.problem;
    const replay = `its token (jti ${verdict.jti}) was used by an earlier commit: a token proves one write`;
    if (this.ledger.tokens[verdict.jti] !== undefined) return replay;
    // Another commit of the range with the same token: this one counts only if it came first
    // (every other is its descendant); one beside it (a branch merged in) makes both ambiguous.
    for (const other of (this.claims.get(verdict.jti) ?? []).filter((id) => id !== c.commit)) {
      const first = (await git(this.ctx.dir, ["merge-base", "--is-ancestor", c.commit, other], { allowFailure: true })).code === 0;
      if (!first) return replay;
    }
    used.push(verdict);
    return undefined;
  }

  private decide(file: string, entry: TreeEntry | undefined, c: SourceCommit, why: string | undefined): void {
    if (why) {
      this.refused.push({ path: file, commit: c.commit, refused: oneLine(why) });
      return;
    }
    this.accepted.push({ path: file, commit: c.commit });
    if (entry) this.state.set(file, entry);
    else this.state.delete(file);
  }
}
