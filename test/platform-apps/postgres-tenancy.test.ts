// Tenancy of the database API (issue 14, docs/tenancy.md): the composition, not the service,
// names each RDS instance `<namespace>-<8 hex of the XR uid>` (its external name), tags it with
// the namespace and derives the final snapshot from it, so no PostgresInstance can name — and so
// adopt — another namespace's instance; a service's deployer may create PostgresInstances only.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { kustomizeBuild, PLATFORM_DIR, type Doc } from "./platform";
import { helmTemplate } from "../harness/helm";
import { REPO_ROOT } from "../harness/stacks";

const APIS = path.join(PLATFORM_DIR, "manifests", "crossplane", "apis");

interface Patch {
  type: string;
  fromFieldPath?: string;
  toFieldPath: string;
  combine?: { variables: { fromFieldPath: string }[]; strategy: string; string: { fmt: string } };
  transforms?: { type: string; string: { type: string; fmt?: string; regexp?: { match: string; group: number } } }[];
}

function instancePatches(environment: string): Patch[] {
  const composition = kustomizeBuild(APIS, "crossplane apis").find(
    (d) => d.kind === "Composition" && (d.metadata as Doc).name === `postgresinstance-${environment}`,
  );
  const pipeline = (composition?.spec as { pipeline: { functionRef: { name: string }; input?: { resources: { patches: Patch[] }[] } }[] }).pipeline;
  const input = pipeline.find((s) => s.functionRef.name === "function-patch-and-transform")?.input;
  if (!input) throw new Error(`postgresinstance-${environment}: no patch-and-transform step`);
  return input.resources[0].patches;
}

/** What function-patch-and-transform computes for a combine + Regexp patch (Go RE2; this pattern means the same in JS). */
function applyIdentity(patch: Patch, namespace: string, uid: string): string {
  const combined = patch.combine?.string.fmt.replace("%s", namespace).replace("%s", uid) ?? "";
  let value = combined;
  for (const t of patch.transforms ?? []) {
    if (t.string.type === "Regexp" && t.string.regexp) {
      const match = new RegExp(t.string.regexp.match).exec(value);
      if (!match) throw new Error(`Regexp ${t.string.regexp.match} does not match ${value}`);
      value = match[t.string.regexp.group];
    } else if (t.string.type === "Format" && t.string.fmt) value = t.string.fmt.replace("%s", value);
  }
  return value;
}

const RDS_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/;

describe.each(["production", "staging"])("PostgresInstance composition (%s)", (environment) => {
  const patches = (): Patch[] => instancePatches(environment);
  const identity = (): Patch => {
    const found = patches().find((p) => p.toFieldPath === "metadata.annotations[crossplane.io/external-name]");
    if (!found) throw new Error("the composition sets no external name");
    return found;
  };

  it("sets the instance's external name from the XR's namespace and uid only (nothing the service writes)", () => {
    expect(identity().type).toBe("CombineFromComposite");
    expect(identity().combine?.variables.map((v) => v.fromFieldPath)).toEqual(["metadata.namespace", "metadata.uid"]);
    // No other patch writes metadata (a later one could override the name).
    expect(
      patches()
        .filter((p) => p.toFieldPath.startsWith("metadata."))
        .map((p) => p.toFieldPath),
    ).toEqual(["metadata.annotations[crossplane.io/external-name]"]);
  });

  it("gives a valid RDS identifier that starts with the namespace, for the longest namespace", () => {
    const uid = "3f2b9c1e-7a4d-4e2f-9b1a-0c8d7e6f5a4b";
    expect(applyIdentity(identity(), "python-example", uid)).toBe("python-example-3f2b9c1e");
    const longest = "a".repeat(29) + "z";
    const id = applyIdentity(identity(), longest, uid);
    expect(id).toBe(`${longest}-3f2b9c1e`);
    expect(id).toMatch(RDS_IDENTIFIER);
    // A namespace that itself looks like a uid piece still parses from the end.
    expect(applyIdentity(identity(), "a-deadbeef-1234", uid)).toBe("a-deadbeef-1234-3f2b9c1e");
  });

  it("two namespaces never share an identifier prefix: the namespace is the whole prefix", () => {
    const uid = "00000000-0000-4000-8000-000000000000";
    const mine = applyIdentity(identity(), "payments-api", uid);
    expect(mine.startsWith("payments-api-")).toBe(true);
    expect(mine.slice(0, -"-00000000".length)).toBe("payments-api");
  });

  it("tags the instance with its namespace", () => {
    expect(patches().find((p) => p.toFieldPath === "spec.forProvider.tags[holodeck-namespace]")).toEqual({
      type: "FromCompositeFieldPath",
      fromFieldPath: "metadata.namespace",
      toFieldPath: "spec.forProvider.tags[holodeck-namespace]",
    });
  });

  it(environment === "production" ? "names the final snapshot after the instance's identity" : "takes no final snapshot", () => {
    const snapshot = patches().find((p) => p.toFieldPath === "spec.forProvider.finalSnapshotIdentifier");
    if (environment === "staging") expect(snapshot).toBeUndefined();
    else expect(snapshot && applyIdentity(snapshot, "python-example", "3f2b9c1e-7a4d-4e2f-9b1a-0c8d7e6f5a4b")).toBe("python-example-3f2b9c1e-final");
  });
});

describe("a service cannot make or adopt RDS resources directly", () => {
  it("its deployer's Role grants postgresinstances and no AWS provider kind", () => {
    const objects = helmTemplate(
      path.join(REPO_ROOT, "platform-apps", "charts", "team"),
      [path.join(REPO_ROOT, "services-root", "example", "teams", "checkout.json")],
      { platform: { serviceRepoUrlPrefix: "https://git.example/services", serviceChartRepository: "registry.example/charts" } },
    );
    const role = objects.find((o) => o.kind === "Role") as unknown as { rules: { apiGroups: string[]; resources: string[] }[] };
    const groups = role.rules.flatMap((r) => r.apiGroups);
    expect(groups).toContain("platform.holodeck.dev");
    expect(groups.filter((g) => g.includes("upbound.io") || g.includes("crossplane.io") || g === "*")).toEqual([]);
  });
});
