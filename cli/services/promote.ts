import { RefusedError, type Change } from "./change";
import { commitBody, shortSha } from "./deploy";
import { formatError, validateEntry } from "./validate";
import { requireOwner, TEAMS_FOLDER } from "./teams";
import { formatRecord, recordPath, type Environment, type ServiceRecord } from "./record";
import type { WorkingCopy } from "./working-copy";
import type { ServiceOwner } from "../../model/team";

export interface PromoteArgs {
  from: Environment;
  to: Environment;
  service: string;
  /** when given, refuse unless the source runs exactly this image (what the pipeline tested) */
  expectImageTag?: string;
  pipelineUrl?: string;
}

/** Reads and validates `<environment>/<service>.json`; refuses when it is missing or invalid. */
export async function readRecord(copy: WorkingCopy, environment: Environment, service: string): Promise<ServiceRecord> {
  const file = recordPath(environment, service);
  const bytes = await copy.read(file);
  if (bytes === undefined) {
    throw new RefusedError(`service "${service}" has no entry in ${environment} (${file} does not exist)`);
  }
  const report = validateEntry(file, bytes, environment, service);
  if (!report.record) throw new RefusedError(`${file} is invalid:\n${report.errors.map(formatError).join("\n")}`);
  return report.record;
}

/** The owner of `service` as the team files at the fetched tip say (refuses when no team lists it). */
export async function ownerAtTip(copy: WorkingCopy, service: string): Promise<ServiceOwner> {
  return requireOwner(await copy.readFolders([TEAMS_FOLDER]), service);
}

/** Copies the source environment's imageTag and targetRevision unchanged into the target; team and domain from the team files. */
export async function promoteChange(copy: WorkingCopy, args: PromoteArgs): Promise<Change> {
  if (args.from === args.to) throw new RefusedError(`--from and --to are both "${args.from}"`);
  const source = await readRecord(copy, args.from, args.service);
  if (args.expectImageTag !== undefined && source.imageTag !== args.expectImageTag) {
    throw new RefusedError(
      `${args.from} runs ${args.service} at ${source.imageTag}, not the expected ${args.expectImageTag} (a newer deploy landed); nothing promoted`,
    );
  }
  const record: ServiceRecord = { ...source, ...(await ownerAtTip(copy, args.service)), cluster: args.to };
  return {
    path: recordPath(args.to, args.service),
    content: formatRecord(record),
    message: `promote ${args.service} from ${args.from} to ${args.to}: ${shortSha(record.imageTag)}\n\n${commitBody(record, args.pipelineUrl)}\n`,
  };
}
