// Disaster recovery views of a recorded stack: the order `pulumi destroy` deletes in,
// what a destroy leaves standing (protected resources and everything they need), and the
// rebuild critical path with the ordering edges that serialise it.
// Pulumi deletes a resource only after everything that depends on it is gone; a resource
// depends on its dependencies (inputs + dependsOn), its parent and its provider.

/** The parts of a recorded resource (test/harness/run-stack.ts) this module reads. */
export interface GraphResource {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
  parent?: string;
  dependsOn: string[];
  propertyDependencies?: Record<string, string[]>;
  provider?: string;
  protect: boolean;
  retainOnDelete: boolean;
  custom: boolean;
}

/** `<provider urn>::<id>` -> provider urn. */
export function providerUrnOf(reference: string | undefined): string | undefined {
  return reference ? reference.slice(0, reference.lastIndexOf("::")) : undefined;
}

/** urn -> urns that must outlive it during a destroy (deleted after it). */
export function deletionDependencies(resources: readonly GraphResource[]): Map<string, Set<string>> {
  const known = new Set(resources.map((r) => r.urn));
  const edges = new Map<string, Set<string>>();
  for (const r of resources) {
    const deps = [...r.dependsOn, r.parent, providerUrnOf(r.provider)].filter((u): u is string => u !== undefined && known.has(u));
    edges.set(r.urn, new Set(deps));
  }
  return edges;
}

/** Every urn reachable from `from` along `edges` (not including `from`). */
export function reachable(edges: ReadonlyMap<string, ReadonlySet<string>>, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(from) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return seen;
}

/**
 * The order `pulumi destroy` deletes in, as waves: everything in a wave can be deleted in
 * parallel once the earlier waves are gone (nothing left depends on it).
 */
export function destroyWaves(resources: readonly GraphResource[]): string[][] {
  const deps = deletionDependencies(resources);
  const dependents = new Map<string, number>(resources.map((r) => [r.urn, 0]));
  for (const targets of deps.values()) for (const t of targets) dependents.set(t, (dependents.get(t) ?? 0) + 1);
  const waves: string[][] = [];
  let ready = [...dependents].filter(([, count]) => count === 0).map(([urn]) => urn);
  while (ready.length > 0) {
    waves.push(ready.sort());
    const next: string[] = [];
    for (const urn of ready) {
      for (const target of deps.get(urn) ?? []) {
        const left = dependents.get(target)! - 1;
        dependents.set(target, left);
        if (left === 0) next.push(target);
      }
    }
    ready = next;
  }
  const placed = waves.flat().length;
  if (placed !== resources.length) throw new Error(`dependency cycle: ${resources.length - placed} resources never become deletable`);
  return waves;
}

export interface DestroyOutcome {
  /** Deleted by `pulumi destroy --exclude-protected`, in wave order. */
  deleted: string[];
  /** Left in the stack: protected resources and everything they depend on. */
  keptInStack: string[];
  /** Deleted from the state but left in the cloud (retainOnDelete). */
  retainedInCloud: string[];
}

/** What `pulumi destroy --exclude-protected` does (a plain destroy refuses while anything is protected). */
export function simulateDestroy(resources: readonly GraphResource[]): DestroyOutcome {
  const deps = deletionDependencies(resources);
  const kept = new Set<string>();
  for (const r of resources.filter((res) => res.protect)) {
    kept.add(r.urn);
    for (const dep of reachable(deps, r.urn)) kept.add(dep);
  }
  const deleted = destroyWaves(resources).flat().filter((urn) => !kept.has(urn));
  const retainOnDelete = new Set(resources.filter((r) => r.retainOnDelete).map((r) => r.urn));
  return {
    deleted,
    keptInStack: [...kept].sort(),
    retainedInCloud: deleted.filter((urn) => retainOnDelete.has(urn)),
  };
}
