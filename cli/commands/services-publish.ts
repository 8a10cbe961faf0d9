import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import type { Io } from "../io";
import { EXIT } from "../exit-codes";
import { UsageError } from "../errors";
import { SERVICES_ROOT_AUDIENCE, type Jwks } from "../services/id-token";
import { publish } from "../services/publish";
import { SERVICES_ROOT_PUBLISHED_BRANCH } from "../../model/team";
import type { SetExit } from "./services-read";

interface PublishOptions {
  repo: string;
  source: string;
  jwks: string;
  issuer: string;
  audience: string;
  projectGroup: string;
  accept: string[];
  json?: boolean;
}

/** The instance's JWKS from a file or an https URL (GitLab: <instance>/oauth/discovery/keys). */
async function loadJwks(location: string): Promise<Jwks> {
  let text: string;
  if (/^https:\/\//.test(location)) {
    const response = await fetch(location);
    if (!response.ok) throw new UsageError(`--jwks ${location}: HTTP ${response.status}`);
    text = await response.text();
  } else {
    try {
      text = readFileSync(location, "utf8");
    } catch (err) {
      throw new UsageError(`--jwks ${location}: ${err instanceof Error ? err.message : String(err)} (a file or an https:// URL)`);
    }
  }
  const jwks = JSON.parse(text) as Partial<Jwks>;
  if (!Array.isArray(jwks.keys)) throw new UsageError(`--jwks ${location}: not a JWKS (no "keys" array)`);
  return { keys: jwks.keys };
}

export function addPublishCommand(services: Command, io: Io, setExit: SetExit): void {
  services
    .command("publish")
    .description(
      `services-root's own pipeline: copy --source to the branch Argo CD reads (${SERVICES_ROOT_PUBLISHED_BRANCH}), withholding every entry whose last change lacks a valid GitLab ID token of its own service's project`,
    )
    .addOption(
      new Option("--repo <url>", "services-root git URL with a token that may push the published branch").env("HOLODECK_SERVICES_REPO").makeOptionMandatory(),
    )
    .option("--source <branch>", "the branch the service pipelines push", "main")
    .addOption(new Option("--jwks <file-or-url>", "the GitLab instance's signing keys, e.g. $CI_SERVER_URL/oauth/discovery/keys").makeOptionMandatory())
    .addOption(new Option("--issuer <url>", "the GitLab instance URL (the tokens' iss)").env("CI_SERVER_URL").makeOptionMandatory())
    .option("--audience <aud>", "the aud the deploy jobs request", SERVICES_ROOT_AUDIENCE)
    .addOption(
      new Option("--project-group <path>", "GitLab group of the service projects (service <s> is <group>/<s>)")
        .env("HOLODECK_SERVICES_GROUP")
        .makeOptionMandatory(),
    )
    .option(
      "--accept <commit>",
      "a platform admin's run only: publish the changes this commit of the source branch made (a team file, a hand edit) without a token; repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--json", "print {source, status, published, accepted, refused}")
    .action(async (options: PublishOptions) => {
      const report = await publish({
        repoUrl: options.repo,
        source: options.source,
        jwks: await loadJwks(options.jwks),
        issuer: options.issuer,
        audience: options.audience,
        projectGroup: options.projectGroup,
        accept: options.accept,
        log: (line) => io.err(`${line}\n`),
      });
      if (options.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
      else
        io.out(
          `${report.status === "published" ? `published ${report.published}` : "nothing new to publish"}: ${report.accepted.length} entries accepted, ${report.refused.length} withheld\n`,
        );
      // Withheld entries fail the job (someone must look), after everything else was published.
      setExit(report.refused.length === 0 ? EXIT.ok : EXIT.invalid);
    });
}
