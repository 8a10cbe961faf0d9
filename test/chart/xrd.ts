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
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

/** Kinds of the XRDs found under platform-apps/ (each registered with validateManifest). */
export function registerPlatformXrds(): string[] {
  const kinds: string[] = [];
  for (const file of yamlFiles(platformApps)) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
      const value = doc.toJS() as Manifest | null;
      if (value?.kind !== "CompositeResourceDefinition") continue;
      registerXrd(value);
      kinds.push(String((value.spec as { names: { kind: string } }).names.kind));
    }
  }
  return kinds;
}
