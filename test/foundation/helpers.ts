// Shared helpers of the foundation tests.
import { runStack, type RecordedResource, type StackRecording } from "../harness/run-stack";
import { STACKS } from "./expected";

/** Runs every stack once, one after another (the Pulumi runtime is process-global). */
export async function recordAllStacks(): Promise<Record<string, StackRecording>> {
  const recordings: Record<string, StackRecording> = {};
  for (const stack of STACKS) recordings[stack] = await runStack(stack);
  return recordings;
}

export interface PolicyStatementJson {
  Effect: string;
  Principal?: Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export function policyStatements(policy: unknown): PolicyStatementJson[] {
  if (typeof policy !== "string") throw new Error(`policy is not a JSON string: ${JSON.stringify(policy)}`);
  return (JSON.parse(policy) as { Statement: PolicyStatementJson[] }).Statement;
}

/** An input object of a recorded resource (throws if absent, so a renamed key fails loudly). */
export function input<T = Record<string, unknown>>(resource: RecordedResource, key: string): T {
  if (!(key in resource.inputs)) throw new Error(`${resource.type} ${resource.name} has no input ${key}`);
  return resource.inputs[key] as T;
}
