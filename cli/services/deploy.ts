import type { ServiceOwner } from "../../model/team";
import { formatRecord, recordPath, type Environment, type ServiceRecord } from "./record";
import type { Change } from "./change";
import { redact } from "./redact";

export interface DeployArgs {
  env: Environment;
  service: string;
  imageTag: string;
  revision: string;
  pipelineUrl?: string;
}

/** Trailer lines shared by every services-root commit, so `git log` answers who/what/where. */
export function commitBody(record: ServiceRecord, pipelineUrl: string | undefined): string {
  const lines = [`service: ${record.service}`, `environment: ${record.cluster}`, `imageTag: ${record.imageTag}`, `targetRevision: ${record.targetRevision}`];
  if (pipelineUrl) lines.push(`pipeline: ${redact(pipelineUrl)}`);
  return lines.join("\n");
}

export const shortSha = (sha: string): string => sha.slice(0, 12);

/**
 * The file and commit a deploy makes; identical content later means no commit at all. Team and
 * domain come from the team file of the services-root checkout, never from the pipeline.
 */
export function deployChange(args: DeployArgs, owner: ServiceOwner): Change {
  const record: ServiceRecord = { cluster: args.env, service: args.service, ...owner, imageTag: args.imageTag, targetRevision: args.revision };
  return {
    path: recordPath(args.env, args.service),
    content: formatRecord(record),
    message: `deploy ${args.service} to ${args.env}: ${shortSha(args.imageTag)}\n\n${commitBody(record, args.pipelineUrl)}\n`,
  };
}
