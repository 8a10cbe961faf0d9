// Registers the platform's CompositeResourceDefinitions (platform-apps/) with the schema
// validator, so the chart's PostgresInstance is checked against the XRD the platform serves.
import * as fs from "node:fs";
import { parseAllDocuments } from "yaml";
import { registerXrd, type Manifest } from "../harness/k8s-schema";
import { plainPlatformYamlFiles } from "../platform-apps/platform";

/** Every CompositeResourceDefinition under platform-apps/. */
export function platformXrds(): Manifest[] {
  return plainPlatformYamlFiles().flatMap((file) =>
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
