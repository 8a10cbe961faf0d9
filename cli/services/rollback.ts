import { RefusedError, type Change } from "./change";
import { commitBody, shortSha } from "./deploy";
import { ownerAtTip, readRecord } from "./promote";
import type { ServiceOwner } from "../../model/team";
import { validateEntry } from "./validate";
import { formatRecord, recordPath, type Environment, type ServiceRecord } from "./record";
import type { WorkingCopy } from "./working-copy";

export interface RollbackArgs {
  env: Environment;
  service: string;
  pipelineUrl?: string;
}

interface RollbackTarget {
  from: ServiceRecord;
  to: ServiceRecord;
  /** the commit that last wrote the version we go back to */
  toCommit: string;
}

/**
 * A version from the file's history, owned as the team files say today. Entries written before
 * team and domain were required (exactly the four old keys) count as that version too.
 */
function historicRecord(file: string, bytes: Buffer, args: RollbackArgs, owner: ServiceOwner): ServiceRecord | undefined {
  const current = validateEntry(file, bytes, args.env, args.service).record;
  if (current) return { ...current, ...owner };
  let legacy: unknown;
  try {
    legacy = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof legacy !== "object" || legacy === null || Object.keys(legacy).sort().join() !== "cluster,imageTag,service,targetRevision") return undefined;
  const upgraded = formatRecord({ ...(legacy as ServiceRecord), ...owner });
  return validateEntry(file, Buffer.from(upgraded, "utf8"), args.env, args.service).record;
}

const sameVersion = (a: ServiceRecord, b: ServiceRecord): boolean => a.imageTag === b.imageTag && a.targetRevision === b.targetRevision;

/**
 * Walks the file's history (deepening the shallow clone as needed) to the newest valid version
 * that differs from the current one. Like `helm rollback` without a revision, rolling back
 * twice returns to where you started.
 */
async function findPrevious(copy: WorkingCopy, args: RollbackArgs): Promise<RollbackTarget> {
  const file = recordPath(args.env, args.service);
  const current = await readRecord(copy, args.env, args.service);
  const owner = await ownerAtTip(copy, args.service);
  const inspected = new Set<string>();
  for (let depth = 32; ; depth *= 4) {
    for (const commit of await copy.fileHistory(file)) {
      if (inspected.has(commit)) continue;
      inspected.add(commit);
      const bytes = await copy.fileAt(commit, file);
      const record = bytes && historicRecord(file, bytes, args, owner);
      if (record && !sameVersion(record, current)) return { from: current, to: record, toCommit: commit };
    }
    if (!(await copy.deepen(depth))) {
      throw new RefusedError(`${file} has no earlier version different from ${current.imageTag}; nothing to roll back to`);
    }
  }
}

/**
 * Plans a rollback. The target is chosen once, on the first attempt; when a retry finds that
 * someone changed the service meanwhile, it refuses instead of rolling back their deploy.
 */
export function rollbackPlanner(args: RollbackArgs): (copy: WorkingCopy) => Promise<Change> {
  let target: RollbackTarget | undefined;
  return async (copy) => {
    if (target === undefined) target = await findPrevious(copy, args);
    else if (!sameVersion(await readRecord(copy, args.env, args.service), target.from)) {
      throw new RefusedError(`${args.service} in ${args.env} changed while rolling back; check \`holodeck services status\` and re-run`);
    }
    const record = target.to;
    return {
      path: recordPath(args.env, args.service),
      content: formatRecord(record),
      message:
        `rollback ${args.service} in ${args.env}: ${shortSha(target.from.imageTag)} -> ${shortSha(record.imageTag)}\n\n` +
        `${commitBody(record, args.pipelineUrl)}\nrestores: ${target.toCommit}\n`,
    };
  };
}
