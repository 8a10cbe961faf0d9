// Pulumi.yaml and the stack files: every config key declared and described, stack files
// following the backend conventions, and stacks that never overlap.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { IPv4CidrRange } from "ip-num";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { listStacks, REPO_ROOT, runStack, stackConfig } from "../harness/stacks";

interface ConfigDecl {
  type?: string;
  description?: string;
  default?: unknown;
  items?: { type: string };
}
const project = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
  name: string;
  runtime: { name: string; options: { typescript: boolean } };
  main: string;
  stackConfigDir: string;
  config: Record<string, ConfigDecl>;
};

// docs/contracts.md section 1 (region comes from aws:region).
const CONTRACT_KEYS = [
  "environment",
  "vpcCidr",
  "azCount",
  "natGateways",
  "kubernetesVersion",
  "edge",
  "edgeStandby",
  "endpointPublicAccessCidrs",
  "systemNodeGroup",
  "workloadNodeGroup",
  "adminRoleArns",
  "ciRoleArn",
  "previewRoleArn",
  "driftRoleArn",
  "domain",
  "hostedZoneId",
  "letsencryptEmail",
  "platformRepoUrl",
  "platformRepoRevision",
  "servicesRepoUrl",
  "serviceRepoUrlPrefix",
  "gitCredentialsSecretName",
  "argocdOidc",
  "platformAdminGroups",
  "deletionProtection",
  "tags",
  "registry",
];

describe("Pulumi.yaml", () => {
  it("is the holodeck TypeScript project with its program and stacks in stacks/", () => {
    expect([project.name, project.runtime.name, project.runtime.options.typescript, project.main, project.stackConfigDir]).toEqual([
      "holodeck",
      "nodejs",
      true,
      "stacks/",
      "stacks",
    ]);
  });

  it("declares and describes exactly the contract's keys", () => {
    expect(Object.keys(project.config).sort()).toEqual(CONTRACT_KEYS.map((k) => `holodeck:${k}`).sort());
    for (const [key, decl] of Object.entries(project.config)) {
      expect(decl.description?.length, key).toBeGreaterThan(10);
      // Pulumi's project schema knows only these types; objects stay untyped (pulumi/pulumi#11321).
      if (decl.type !== undefined) expect(["string", "integer", "boolean", "array"], key).toContain(decl.type);
      if (decl.type === "array") expect(decl.items, key).toEqual({ type: "string" });
    }
  });

  it("has the documented defaults", () => {
    expect(project.config["holodeck:azCount"].default).toBe(3);
    expect(project.config["holodeck:kubernetesVersion"].default).toBe("1.36");
    expect(project.config["holodeck:edge"].default).toBe("gateway");
    expect(project.config["holodeck:deletionProtection"].default).toBe(false);
    expect(project.config["holodeck:endpointPublicAccessCidrs"].default).toEqual([]);
  });
});

describe("stack files", () => {
  it.each(listStacks())("%s uses the KMS secrets provider of its region", (stack) => {
    const file = parse(readFileSync(path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { secretsprovider: string };
    const region = stackConfig(stack)["aws:region"];
    expect(file.secretsprovider).toBe(`awskms://alias/holodeck-pulumi-secrets?region=${region}`);
  });

  it("give every stack its own, non-overlapping VPC range", () => {
    const ranges = listStacks().map((s) => IPv4CidrRange.fromCidr(stackConfig(s)["holodeck:vpcCidr"]));
    ranges.forEach((a, i) => ranges.slice(i + 1).forEach((b) => expect(a.isOverlapping(b), `${a.toCidrString()} vs ${b.toCidrString()}`).toBe(false)));
  });

  it("apply Pulumi.yaml defaults under the stack's values", () => {
    const config = stackConfig("staging-eu-west-1", { "holodeck:azCount": undefined });
    expect(config["holodeck:platformRepoUrl"]).toBe("https://gitlab.com/holodeck/holodeck.git");
    expect(config["holodeck:natGateways"]).toBe("single");
    expect(config["holodeck:azCount"]).toBeUndefined();
    expect(JSON.parse(config["holodeck:systemNodeGroup"])).toEqual({ instanceTypes: ["t3a.large"], minSize: 2, desiredSize: 2, maxSize: 3, diskSizeGiB: 30 });
  });
});

describe("README and .ci/run", () => {
  it("start with the fresh-machine commands, and CI runs exactly those", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1].trim().split("\n");
    expect(firstBlock).toEqual(["npm ci && npm run plan", "npm test"]);
    const ciCommands = readFileSync(path.join(REPO_ROOT, ".ci/run"), "utf8")
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("set ") && !line.startsWith("cd "));
    expect(ciCommands).toEqual(firstBlock);
  });
});

describe("README links", () => {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((target) => !/^[a-z]+:/.test(target));

  it("link every part's doc and runbook from the Parts section", () => {
    const parts = readme.split("## Parts")[1] ?? "";
    const docs = [
      ...readdirSync(path.join(REPO_ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
      ...readdirSync(path.join(REPO_ROOT, "docs", "runbooks"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/runbooks/${f}`),
      "charts/holodeck-service/README.md",
    ];
    for (const doc of docs) expect(parts, doc).toContain(`](${doc})`);
  });

  it("point at files that exist", () => {
    expect(links.length).toBeGreaterThan(10);
    for (const target of links) expect(existsSync(path.join(REPO_ROOT, target)), target).toBe(true);
  });
});

describe("README's add-a-region example", () => {
  it("is a complete stack file: it validates and plans as production-us-east-1", async () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const example = /For example `stacks\/Pulumi\.(production-us-east-1)\.yaml`:\n\n```yaml\n([\s\S]*?)```/.exec(readme);
    expect(example?.[1]).toBe("production-us-east-1");
    const dir = mkdtempSync(path.join(tmpdir(), "holodeck-region-"));
    const file = path.join(dir, "Pulumi.production-us-east-1.yaml");
    writeFileSync(file, example![2]);
    const rec = await runStack("production-us-east-1", { stackFile: file }).finally(() => rmSync(dir, { recursive: true }));
    expect(rec.outputs.clusterName).toBe("holodeck-production-us-east-1");
    expect(rec.outputs.vpcCidr).toBe("10.50.0.0/16");
    expect(rec.byType("aws:ec2/natGateway:NatGateway").length).toBe(3);
    expect(rec.one("aws:eks/cluster:Cluster", "prd-use1-eks").protect).toBe(true);
  });
});
