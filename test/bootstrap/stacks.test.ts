// The bootstrap suites run for every stack file: helpers.ts checks STACKS against
// stacks/Pulumi.<stack>.yaml when any suite imports it; this shows the check can fail.
import { describe, expect, it } from "vitest";
import { listStacks } from "../harness/stacks";
import { STACKS, assertStacksCovered } from "./helpers";

describe("stack coverage of the bootstrap suites", () => {
  it("covers exactly the stack files", () => {
    expect([...STACKS].sort()).toEqual(listStacks());
  });

  it("names the stack file that has no bootstrap tests, and a stale entry", () => {
    expect(() => assertStacksCovered(["a"], ["a", "b"])).toThrow("Add b to STACKS and its facts to FACTS");
    expect(() => assertStacksCovered(["a", "c"], ["a"])).toThrow("Remove c (no stack file)");
    expect(() => assertStacksCovered(["a"], ["a"])).not.toThrow();
  });
});
