// The destroy/rebuild graph helpers on small hand-made graphs (exact waves and outcomes).
import { describe, expect, it } from "vitest";
import { deletionDependencies, destroyWaves, reachable, simulateDestroy, type GraphResource } from "../../cli/plan/dr";

function node(name: string, extra: Partial<GraphResource> = {}): GraphResource {
  return { type: `test:index:${name}`, name, urn: `urn:${name}`, inputs: {}, dependsOn: [], protect: false, retainOnDelete: false, custom: true, ...extra };
}

// vpc <- cluster <- provider <- app ; key (protected) <- cluster ; component parent of app
const graph = [
  node("vpc"),
  node("key", { protect: true }),
  node("cluster", { dependsOn: ["urn:vpc", "urn:key"] }),
  node("k8s", { dependsOn: ["urn:cluster"] }),
  node("component", { custom: false }),
  node("app", { provider: "urn:k8s::k8s-id", parent: "urn:component" }),
  node("logs", { retainOnDelete: true, dependsOn: ["urn:vpc"] }),
];

describe("destroy graph", () => {
  it("counts dependsOn, parent and provider as deletion dependencies", () => {
    expect([...deletionDependencies(graph).get("urn:app")!].sort()).toEqual(["urn:component", "urn:k8s"]);
    expect([...reachable(deletionDependencies(graph), "urn:app")].sort()).toEqual(["urn:cluster", "urn:component", "urn:k8s", "urn:key", "urn:vpc"]);
  });

  it("deletes dependents first, in parallel waves", () => {
    expect(destroyWaves(graph)).toEqual([["urn:app", "urn:logs"], ["urn:component", "urn:k8s"], ["urn:cluster"], ["urn:key", "urn:vpc"]]);
  });

  it("keeps protected resources and what they depend on; retainOnDelete leaves the cloud object", () => {
    const protectedBucketOnVpc = [...graph, node("bucket", { protect: true, dependsOn: ["urn:vpc"] })];
    expect(simulateDestroy(graph)).toEqual({
      deleted: ["urn:app", "urn:logs", "urn:component", "urn:k8s", "urn:cluster", "urn:vpc"],
      keptInStack: ["urn:key"],
      retainedInCloud: ["urn:logs"],
    });
    expect(simulateDestroy(protectedBucketOnVpc).keptInStack).toEqual(["urn:bucket", "urn:key", "urn:vpc"]);
  });

  it("reports a dependency cycle instead of looping", () => {
    expect(() => destroyWaves([node("a", { dependsOn: ["urn:b"] }), node("b", { dependsOn: ["urn:a"] })])).toThrow(/dependency cycle: 2 resources/);
  });
});
