import { InvalidArgumentError, Option } from "commander";
import { DEFAULT_RETRY, type RetryPolicy } from "../services/change";
import { EXPECT_SHA, ENVIRONMENTS, isFullSha, serviceNameProblem } from "../services/record";

const parseWith =
  (test: (v: string) => boolean, expected: string) =>
  (value: string): string => {
    if (!test(value)) throw new InvalidArgumentError(`"${value}" is not ${expected}.`);
    return value;
  };

export function parseServiceName(value: string): string {
  const problem = serviceNameProblem(value);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}
export const parseSha = parseWith(isFullSha, EXPECT_SHA);

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError(`"${value}" is not an integer between 1 and 100.`);
  return n;
}

/** Options every command that talks to the services-root repository shares. */
export interface RepoOptions {
  repo: string;
  branch: string;
  workdir?: string;
  maxAttempts: number;
  json?: boolean;
  pipelineUrl?: string;
}

export const environmentOption = (flags: string, description: string): Option =>
  new Option(flags, description).choices([...ENVIRONMENTS]).makeOptionMandatory();

export const serviceOption = (): Option => new Option("--service <name>", "service name (a DNS label)").argParser(parseServiceName).makeOptionMandatory();

/** --repo falls back to $HOLODECK_SERVICES_REPO; help shows the variable's name, never its value. */
export function repoOptions(withRetry: boolean): Option[] {
  const options = [
    new Option("--repo <url>", "services-root git URL (a CI token in it is never printed)").env("HOLODECK_SERVICES_REPO").makeOptionMandatory(),
    new Option("--branch <name>", "branch to read and write: the pipelines write main; status --branch published shows what Argo CD runs").default("main"),
    new Option("--workdir <dir>", "reuse this working copy between runs (default: a temporary shallow clone)"),
  ];
  if (withRetry) {
    options.push(
      new Option("--max-attempts <n>", "push attempts before giving up (exit 4)").argParser(parsePositiveInt).default(DEFAULT_RETRY.maxAttempts),
      new Option("--pipeline-url <url>", "CI pipeline URL recorded in the commit message").env("CI_PIPELINE_URL"),
      new Option("--json", "print the result as JSON"),
    );
  }
  return options;
}

export function retryPolicy(options: RepoOptions): RetryPolicy {
  return { ...DEFAULT_RETRY, maxAttempts: options.maxAttempts };
}
