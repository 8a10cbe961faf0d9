import type { Command } from "commander";
import type { Io } from "../io";
import { EXIT } from "../exit-codes";
import { applyChange, type Change, type ChangeResult } from "../services/change";
import { deployChange } from "../services/deploy";
import { ID_TOKEN_ENV, withTokenTrailer } from "../services/id-token";
import { ownerAtTip, promoteChange } from "../services/promote";
import { rollbackPlanner } from "../services/rollback";
import type { Environment } from "../services/record";
import type { WorkingCopy } from "../services/working-copy";
import { environmentOption, parseSha, repoOptions, retryPolicy, serviceOption, type RepoOptions } from "./options";
import type { SetExit } from "./services-read";

type Planner = (copy: WorkingCopy, attempt: number) => Change | Promise<Change>;

/** Runs one change with retries and reports it the same way for deploy, promote and rollback. */
async function runChange(io: Io, setExit: SetExit, options: RepoOptions, plan: Planner): Promise<void> {
  // The job's GitLab ID token rides in the commit: the publish gate checks it names this service's project.
  const token = process.env[ID_TOKEN_ENV];
  const result: ChangeResult = await applyChange(
    { repoUrl: options.repo, branch: options.branch, workdir: options.workdir, retry: retryPolicy(options), log: (line) => io.err(`${line}\n`) },
    async (copy, attempt) => {
      const change = await plan(copy, attempt);
      return { ...change, message: withTokenTrailer(change.message, token) };
    },
  );
  if (options.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.status === "unchanged") io.out(`${result.path} already has this content; no commit (tip ${result.commit})\n`);
  else io.out(`${result.path} committed as ${result.commit} and pushed (attempt ${result.attempts})\n`);
  setExit(EXIT.ok);
}

function withRepoOptions(command: Command): Command {
  for (const option of repoOptions(true)) command.addOption(option);
  return command;
}

export function addDeployCommand(services: Command, io: Io, setExit: SetExit): void {
  withRepoOptions(
    services
      .command("deploy")
      .description("set a service's version in one environment: write <env>/<service>.json, commit, push (retrying when others push first)")
      .addOption(environmentOption("--env <environment>", "environment to deploy to"))
      .addOption(serviceOption())
      .requiredOption("--image-tag <sha>", "image tag: the full commit SHA the image was built from", parseSha)
      .requiredOption("--revision <sha>", "service repository commit whose helm/ chart is deployed", parseSha),
  ).action(async (options: RepoOptions & { env: Environment; service: string; imageTag: string; revision: string }) => {
    await runChange(io, setExit, options, async (copy) => deployChange(options, await ownerAtTip(copy, options.service)));
  });
}

export function addPromoteCommand(services: Command, io: Io, setExit: SetExit): void {
  withRepoOptions(
    services
      .command("promote")
      .description("copy a service's exact imageTag and targetRevision from one environment to another; refuses when the source has no entry")
      .addOption(environmentOption("--from <environment>", "source environment"))
      .addOption(environmentOption("--to <environment>", "target environment"))
      .addOption(serviceOption())
      .option("--image-tag <sha>", "refuse unless the source runs exactly this image (the one the pipeline tested)", parseSha),
  ).action(async (options: RepoOptions & { from: Environment; to: Environment; service: string; imageTag?: string }) => {
    await runChange(io, setExit, options, (copy) => promoteChange(copy, { ...options, expectImageTag: options.imageTag }));
  });
}

export function addRollbackCommand(services: Command, io: Io, setExit: SetExit): void {
  withRepoOptions(
    services
      .command("rollback")
      .description("set a service back to its previous version in one environment, taken from the git history of its file")
      .addOption(environmentOption("--env <environment>", "environment to roll back"))
      .addOption(serviceOption()),
  ).action(async (options: RepoOptions & { env: Environment; service: string }) => {
    await runChange(io, setExit, options, rollbackPlanner(options));
  });
}
