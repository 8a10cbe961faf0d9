// Logs per team (issue 15) on the real Loki server (test/tools/loki, the version the platform's
// image pins), run with the platform's own tenancy settings (auth_enabled, querier, schema, read
// from the merged values) and local storage in place of S3. Lines are pushed as Alloy's
// stage.tenant sends them (tenant = the pod's namespace; Alloy itself is not built here, its
// config is asserted in log-tenancy.test.ts) and read back with the X-Scope-OrgID headers Grafana
// sends: a team's organisation (its namespaces joined by '|', team-sync.py) and the main
// organisation (the values' data source).
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLATFORM_NAMESPACES } from "../../bootstrap/handoff/handoff";
import { tempDir } from "../harness/copier";
import { freePort } from "../harness/ports";
import { applicationsFor, REPO_ROOT, type Doc } from "./platform";
import { at, helmValues } from "./values";

const LOKI = path.join(process.env.HOLODECK_TOOLS ?? path.join(REPO_ROOT, ".tools"), "bin", "loki");
const TEAM_A = ["a-web", "a-api"];
const TEAM_B = ["b-shop"];
/** What team-sync.py gives a team with no namespace yet: a tenant no namespace can be. */
const NO_NAMESPACE = "_no-namespace_";

const lokiApp = applicationsFor("production").find((a) => a.metadata.name === "loki");
const grafanaApp = applicationsFor("production").find((a) => a.metadata.name === "grafana");
const values = (at(helmValues(lokiApp ?? fail("no Application loki")), "loki") ?? {}) as Doc;
const grafanaSources = at(helmValues(grafanaApp ?? fail("no Application grafana")), "datasources", "datasources.yaml", "datasources") as Doc[];
/** The main organisation's header, as the platform's Grafana values write it. */
const MAIN_ORG_TENANTS = String(at(grafanaSources.find((s) => s.uid === "loki") ?? {}, "secureJsonData", "httpHeaderValue1"));

function fail(message: string): never {
  throw new Error(message);
}

/** The platform's tenancy and schema; where to listen and store is this test's. */
function lokiConfig(dir: string, httpPort: number, grpcPort: number): string {
  const schema = (at(values, "schemaConfig", "configs") as Doc[]).map((c) => ({ ...c, object_store: "filesystem" }));
  return stringify({
    auth_enabled: values.auth_enabled,
    querier: values.querier,
    schema_config: { configs: schema },
    analytics: { reporting_enabled: false },
    server: { http_listen_address: "127.0.0.1", http_listen_port: httpPort, grpc_listen_address: "127.0.0.1", grpc_listen_port: grpcPort, log_level: "warn" },
    common: {
      path_prefix: dir,
      replication_factor: 1,
      instance_addr: "127.0.0.1",
      ring: { kvstore: { store: "inmemory" } },
      storage: { filesystem: { chunks_directory: path.join(dir, "chunks"), rules_directory: path.join(dir, "rules") } },
    },
    // Ready as soon as it has joined its one-member ring (15 s by default).
    ingester: { lifecycler: { min_ready_duration: "0s", final_sleep: "0s" } },
  });
}

let loki: ChildProcess;
let log = "";
let base = "";
const now = BigInt(Date.now()) * 1_000_000n;

async function waitReady(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (loki.exitCode !== null) throw new Error(`loki exited ${loki.exitCode}:\n${log}`);
    const ready = await fetch(`${base}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`loki not ready within 60 s:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** One line from a pod of `namespace`, pushed as Alloy pushes it: tenant = namespace. */
async function push(namespace: string): Promise<number> {
  const stream = { namespace, pod: `${namespace}-0`, container: "app", app: namespace, cluster: "holodeck-production-eu-central-1", environment: "production" };
  const response = await fetch(`${base}/loki/api/v1/push`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Scope-OrgID": namespace },
    body: JSON.stringify({ streams: [{ stream, values: [[String(now), `line from ${namespace}`]] }] }),
  });
  return response.status;
}

/** The lines a query returns with this X-Scope-OrgID (none: no header), or the refusal. */
async function read(tenants: string | undefined, query = '{cluster="holodeck-production-eu-central-1"}'): Promise<string[] | string> {
  const params = new URLSearchParams({ query, start: String(now - 60_000_000_000n), end: String(now + 60_000_000_000n), limit: "100" });
  const response = await fetch(`${base}/loki/api/v1/query_range?${params.toString()}`, { headers: tenants === undefined ? {} : { "X-Scope-OrgID": tenants } });
  const text = await response.text();
  if (!response.ok) return `${response.status} ${text.trim()}`;
  const result = (JSON.parse(text) as { data: { result: Array<{ values: Array<[string, string]> }> } }).data.result;
  return result.flatMap((r) => r.values.map((v) => v[1])).sort();
}

beforeAll(async () => {
  if (!fs.existsSync(LOKI)) throw new Error(`${LOKI} is missing: run \`npm run tools\` (scripts/install/loki.sh)`);
  const dir = tempDir("loki-tenancy-");
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  fs.writeFileSync(path.join(dir, "loki.yaml"), lokiConfig(dir, httpPort, grpcPort));
  base = `http://127.0.0.1:${httpPort}`;
  loki = spawn(LOKI, [`-config.file=${path.join(dir, "loki.yaml")}`], { env: { PATH: process.env.PATH } });
  loki.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  loki.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  await waitReady();
  for (const namespace of [...TEAM_A, ...TEAM_B, "vault", "argocd"]) expect(await push(namespace)).toBe(204);
}, 90_000);

afterAll(() => {
  loki?.kill("SIGTERM");
});

describe("the platform's Loki, real, with tenants per namespace", () => {
  it("is the Loki the platform runs: the image tag equals the tests' module version", () => {
    const goMod = fs.readFileSync(path.join(REPO_ROOT, "test", "tools", "loki", "go.mod"), "utf8");
    expect(at(values, "image")).toEqual({
      registry: "docker.io",
      repository: "grafana/loki",
      tag: /^require github\.com\/grafana\/loki\/v3 v(\S+)$/m.exec(goMod)?.[1],
    });
  });

  it("a team's organisation reads its own namespaces' lines, all of them, and nothing else", async () => {
    expect(await read(TEAM_A.join("|"))).toEqual(["line from a-api", "line from a-web"]);
    expect(await read(TEAM_B.join("|"))).toEqual(["line from b-shop"]);
  });

  it("asking for another team's namespace by label gives nothing: the tenant decides, not the query", async () => {
    expect(await read(TEAM_A.join("|"), '{namespace="b-shop"}')).toEqual([]);
    expect(await read(TEAM_A.join("|"), '{namespace=~".+"} |= "vault"')).toEqual([]);
  });

  it("the main organisation (platform admins) reads the platform namespaces, no team's", async () => {
    expect(MAIN_ORG_TENANTS).toBe(PLATFORM_NAMESPACES.join("|"));
    expect(await read(MAIN_ORG_TENANTS)).toEqual(["line from argocd", "line from vault"]);
  });

  it("a team with no namespace yet reads nothing", async () => {
    expect(await read(NO_NAMESPACE)).toEqual([]);
  });

  it("refuses a query or a push without a tenant", async () => {
    expect(await read(undefined)).toBe("401 no org id");
    const response = await fetch(`${base}/loki/api/v1/push`, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"streams":[]}' });
    expect(`${response.status} ${(await response.text()).trim()}`).toBe("401 no org id");
  });
});
