// Registers the platform's CompositeResourceDefinitions (platform-apps/) with the schema
// validator, so the chart's PostgresInstance is checked against the XRD the platform serves.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { registerXrd, type Manifest } from "../harness/k8s-schema";

const platformApps = path.resolve(__dirname, "..", "..", "platform-apps");

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    // A chart's templates are Go templates, not YAML (a `{{ .name }}` reads as a mapping key).
    if (entry.isDirectory()) return entry.name === "templates" ? [] : yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

/** Every CompositeResourceDefinition under platform-apps/. */
export function platformXrds(): Manifest[] {
  return yamlFiles(platformApps).flatMap((file) =>
    parseAllDocuments(fs.readFileSync(file, "utf8"))
      .map((doc) => doc.toJS() as Manifest | null)
      .filter((value): value is Manifest => value?.kind === "CompositeResourceDefinition"),
  );
}

/** Registers every platform XRD with validateManifest; returns their kinds. */
export function registerPlatformXrds(): string[] {
  return platformXrds().map((xrd) => {
    registerXrd(xrd);
    return String((xrd.spec as { names: { kind: string } }).names.kind);
  });
}
