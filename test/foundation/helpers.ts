// Shared helpers of the foundation tests.
import { recordedStack, type RecordedResource, type StackRecording } from "../harness/stacks";
import { STACKS } from "../harness/stack-facts";

/** Every stack's shared recording (test/harness/stacks.ts). */
export function recordAllStacks(): Record<string, StackRecording> {
  const recordings: Record<string, StackRecording> = {};
  for (const stack of STACKS) recordings[stack] = recordedStack(stack);
  return recordings;
}

export { policyStatements } from "../harness/iam-policy";

/** An input object of a recorded resource (throws if absent, so a renamed key fails loudly). */
export function input<T = Record<string, unknown>>(resource: RecordedResource, key: string): T {
  if (!(key in resource.inputs)) throw new Error(`${resource.type} ${resource.name} has no input ${key}`);
  return resource.inputs[key] as T;
}
