// Publishing as documented (chart README "Publishing (OCI)"): `helm package` + `helm push`
// to an OCI registry, then a service's wrapper chart with `repository: oci://<registry>/charts`
// builds its dependency from there and renders exactly what the in-repo chart renders.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { HELM_BIN, KUBE_VERSION, type K8sObject } from "../harness/helm";
import { startOciRegistry, type OciRegistry } from "./oci-registry";
import { APPSET_PARAMS, CHART_DIR, EXAMPLE_VALUES, SERVICE, WRAPPER_DIR, renderExample } from "./render";

const run = promisify(execFile);
let registry: OciRegistry;
let work: string;

async function helm(...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    HELM_CACHE_HOME: path.join(work, "cache"),
    HELM_CONFIG_HOME: path.join(work, "config"),
    HELM_DATA_HOME: path.join(work, "data"),
  };
  const { stdout } = await run(HELM_BIN, args, { env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

beforeAll(async () => {
  registry = await startOciRegistry();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "holodeck-oci-"));
});

afterAll(async () => {
  await registry.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("the chart as an OCI artifact", () => {
  it("is packaged and pushed to <registry>/charts/holodeck-service:<version>", async () => {
    const version = String((parse(fs.readFileSync(path.join(CHART_DIR, "Chart.yaml"), "utf8")) as { version: string }).version);
    await helm("package", CHART_DIR, "--destination", work);
    await helm("push", path.join(work, `holodeck-service-${version}.tgz`), `oci://${registry.host}/charts`, "--plain-http");
    expect([...(registry.tags.get("charts/holodeck-service") ?? new Map<string, string>())]).toEqual([[version, "application/vnd.oci.image.manifest.v1+json"]]);
  });

  it("is what a service's wrapper chart pulls with repository oci://<registry>/charts, rendering the same objects", async () => {
    const wrapper = path.join(work, "helm");
    fs.cpSync(WRAPPER_DIR, wrapper, { recursive: true });
    const chart = parse(fs.readFileSync(path.join(wrapper, "Chart.yaml"), "utf8")) as { dependencies: Array<{ repository: string }> };
    chart.dependencies[0].repository = `oci://${registry.host}/charts`;
    fs.writeFileSync(path.join(wrapper, "Chart.yaml"), stringify(chart));
    await helm("dependency", "build", wrapper, "--plain-http");

    const sets = Object.entries(APPSET_PARAMS).flatMap(([key, value]) => ["--set-json", `${key}=${JSON.stringify(value)}`]);
    const stdout = await helm("template", SERVICE, wrapper, "--namespace", SERVICE, "--kube-version", KUBE_VERSION, "--values", EXAMPLE_VALUES, ...sets);
    const fromRegistry = parseAllDocuments(stdout)
      .map((doc) => doc.toJS() as K8sObject)
      .filter(Boolean);
    expect(fromRegistry.length).toBeGreaterThan(10);
    expect(fromRegistry).toEqual(renderExample());
  });
});
