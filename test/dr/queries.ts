// Lookups over one stack's recorded resources, shared by the destroy-order tests.
import { expect } from "vitest";
import type { RecordedResource } from "../harness/stacks";

export function recordedQueries(resources: () => RecordedResource[]) {
  const all = (predicate: (r: RecordedResource) => boolean): RecordedResource[] => resources().filter(predicate);
  /** The single resource matching `predicate` (`what` names it when there are none or several). */
  const one = (what: string, predicate: (r: RecordedResource) => boolean): RecordedResource => {
    const found = all(predicate);
    expect(
      found.map((r) => r.name),
      what,
    ).toHaveLength(1);
    return found[0];
  };
  return { all, one };
}
