// The chart README documents every value the schema accepts, with its default, and every
// value has a default or is marked required (so no key is undocumented or unusable).
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHART_DIR, renderExample } from "./render";

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
}

/** Dotted paths of every key the schema declares; map entries appear as `<name>`/`<NAME>`. */
function schemaPaths(node: SchemaNode, prefix: string, mapKey = "<name>"): string[] {
  const paths: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    // Grouping objects are documented through their keys; leaves and maps get a row.
    if (!child.properties) paths.push(dotted);
    paths.push(...schemaPaths(child, dotted, /^(envVars|envVarsFromVault)$/.test(key) ? "<NAME>" : "<name>"));
  }
  if (typeof node.additionalProperties === "object" && prefix) {
    const dotted = `${prefix}.${mapKey}`;
    if (!node.additionalProperties.properties) paths.push(dotted);
    paths.push(...schemaPaths(node.additionalProperties, dotted));
  }
  return paths;
}

const schema = JSON.parse(fs.readFileSync(path.join(CHART_DIR, "values.schema.json"), "utf8")) as SchemaNode;
const readme = fs.readFileSync(path.join(CHART_DIR, "README.md"), "utf8");
const documented = new Set([...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));

describe("chart README", () => {
  // Annotation maps take any annotation: their entries need no row of their own.
  const paths = schemaPaths(schema, "").filter((p) => !p.endsWith("annotations.<name>"));

  it("has a row for every value in values.schema.json", () => {
    expect(paths.length).toBeGreaterThan(80);
    expect(paths.filter((p) => !documented.has(p))).toEqual([]);
  });

  it("documents no value the schema does not accept", () => {
    expect([...documented].filter((p) => !paths.includes(p))).toEqual([]);
  });

  it("states the default of every top-level value in values.yaml", () => {
    const values = parse(fs.readFileSync(path.join(CHART_DIR, "values.yaml"), "utf8")) as Record<string, unknown>;
    for (const key of Object.keys(values)) {
      expect(
        [...documented].some((p) => p === key || p.startsWith(`${key}.`)),
        key,
      ).toBe(true);
    }
  });
});

describe("docs/chart.md", () => {
  it("states the number of objects the documented example renders (the benchmark's render)", () => {
    const doc = fs.readFileSync(path.resolve(__dirname, "..", "..", "docs", "chart.md"), "utf8");
    const stated = [...doc.matchAll(/(\d+) objects/g)].map((m) => Number(m[1]));
    expect(stated).toEqual([renderExample().length]);
  });
});
