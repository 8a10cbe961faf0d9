// The real pack as the Pulumi CLI runs it: policy/index.ts started in its own process (the
// analyzer prints its gRPC port), then asked over the engine's Analyzer protocol for its
// policies and to analyze resources. The tests never import policy/index.ts.
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, type AnalyzerInfo, type AnalyzeResponse, AnalyzerResourceOptions, EnforcementLevel } from "@pulumi/pulumi/proto/analyzer_pb";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHARTS } from "../../bootstrap/versions";
import { ALL_RULES } from "../../policy/rules";

const root = join(__dirname, "..", "..");
let pack: ChildProcess;
let client: AnalyzerClient;

/** Starts the pack the way the analyzer plugin does (cwd = the pack, which has package.json). */
function startPack(): Promise<number> {
  pack = spawn(join(root, "node_modules", ".bin", "tsx"), ["index.ts"], { cwd: join(root, "policy"), stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let stderr = "";
    pack.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    pack.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    pack.once("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr}`)));
  });
}

function call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => method.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));
}

function analyzeRequest(type: string, name: string, props: Record<string, unknown>, stack = "production-eu-west-1"): AnalyzeRequest {
  const options = new AnalyzerResourceOptions();
  options.setProtect(true);
  const request = new AnalyzeRequest();
  request.setType(type);
  request.setName(name);
  request.setUrn(`urn:pulumi:${stack}::holodeck::${type}::${name}`);
  request.setProperties(Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]));
  request.setOptions(options);
  return request;
}

beforeAll(async () => {
  const port = await startPack();
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(() => {
  client?.close();
  pack?.kill();
});

describe("policy pack served over the Analyzer protocol", () => {
  it("advertises every rule with its enforcement level", async () => {
    const info = await call<Empty, AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    expect(info.getName()).toBe("holodeck");
    expect(info.getVersion()).toBe("0.1.0");
    const advertised = info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]);
    const level = (l: string) => (l === "mandatory" ? EnforcementLevel.MANDATORY : EnforcementLevel.ADVISORY);
    expect(advertised).toEqual(ALL_RULES.map((rule) => [rule.name, level(rule.enforcementLevel)]));
  });

  it("reports a mandatory violation for a bad resource and none for a good one", async () => {
    const bad = await call<AnalyzeRequest, AnalyzeResponse>(
      client.analyze.bind(client),
      analyzeRequest("aws:kms/key:Key", "k", {
        enableKeyRotation: false,
        deletionWindowInDays: 30,
        tags: { Project: "p", Environment: "production", Owner: "o", CostCenter: "c" },
      }),
    );
    expect(bad.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()])).toEqual([
      ["kms-key-rotation", EnforcementLevel.MANDATORY, expect.stringContaining("enableKeyRotation must be true.")],
    ]);
    const good = await call<AnalyzeRequest, AnalyzeResponse>(
      client.analyze.bind(client),
      analyzeRequest("aws:kms/key:Key", "k", {
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: { Project: "p", Environment: "production", Owner: "o", CostCenter: "c" },
      }),
    );
    expect(good.getDiagnosticsList()).toEqual([]);
  });

  it("applies production-only rules by the stack in the URN", async () => {
    const argo = (stack: string) =>
      analyzeRequest(
        "kubernetes:helm.sh/v3:Release",
        "argocd",
        {
          chart: "argo-cd",
          version: CHARTS.argoCd.version,
          namespace: "argocd",
          repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" },
          values: { configs: { cm: { "admin.enabled": true } }, "redis-ha": { enabled: true }, server: { replicas: 2 }, repoServer: { replicas: 2 } },
        },
        stack,
      );
    const production = await call<AnalyzeRequest, AnalyzeResponse>(client.analyze.bind(client), argo("production-eu-west-1"));
    expect(production.getDiagnosticsList().map((d) => d.getPolicyname())).toEqual(["argocd-admin-disabled-production"]);
    const staging = await call<AnalyzeRequest, AnalyzeResponse>(client.analyze.bind(client), argo("staging-eu-west-1"));
    expect(staging.getDiagnosticsList()).toEqual([]);
  });
});
