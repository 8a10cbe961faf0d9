// Metrics per team: the real prom-label-proxy (test/tools/prom-label-proxy, the version of the
// platform's image), run with the Deployment's own args (platform-apps/manifests/grafana/
// prom-label-proxy.yaml; only where it listens and its upstream are this test's), in front of a
// fake Prometheus that records what reaches it. Requests carry the header a team organisation's
// Prometheus data source sends (team-sync.py: the team's namespaces joined by ','), so this
// proves what a team can make Prometheus evaluate: only selectors bound to its namespaces.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../harness/ports";
import { readDocs, REPO_ROOT, type Doc } from "./platform";

const PROXY = path.join(process.env.HOLODECK_TOOLS ?? path.join(REPO_ROOT, ".tools"), "bin", "prom-label-proxy");
const MANIFEST = path.join(REPO_ROOT, "platform-apps", "manifests", "grafana", "prom-label-proxy.yaml");
const GO_MOD = path.join(REPO_ROOT, "test", "tools", "prom-label-proxy", "go.mod");
/** What team-sync.py's data sources send (PROMETHEUS_HEADER). */
const HEADER = "X-Holodeck-Namespaces";
const TEAM_A = "a-web,a-api";
/** Every namespace the fake's series could be in: what a selector admits is asked of these. */
const NAMESPACES = ["a-api", "a-web", "b-shop", "vault"];

const VECTOR = '{"status":"success","data":{"resultType":"vector","result":[]}}';
const LIST = '{"status":"success","data":[]}';
const ALERT = (namespace?: string): Doc => ({
  labels: { alertname: "Down", ...(namespace ? { namespace } : {}) },
  annotations: {},
  state: "firing",
  value: "1e+00",
});
const RULE = (namespace?: string): Doc => ({
  state: "inactive",
  name: "Down",
  query: "up == 0",
  duration: 0,
  keepFiringFor: 0,
  labels: { severity: "critical", ...(namespace ? { namespace } : {}) },
  annotations: {},
  alerts: [],
  health: "ok",
  evaluationTime: 0,
  lastEvaluation: "2026-01-01T00:00:00Z",
  type: "alerting",
});
const ALERTS = { status: "success", data: { alerts: [ALERT("a-web"), ALERT("b-shop"), ALERT()] } };
const RULES = { status: "success", data: { groups: [{ name: "all", file: "all.yaml", rules: [RULE("a-api"), RULE("b-shop"), RULE()], interval: 30 }] } };

/** One request as the fake Prometheus saw it; params from the URL and a form body, decoded. */
interface Received {
  method: string;
  path: string;
  params: Record<string, string[]>;
}

interface Container {
  name: string;
  image: string;
  args: string[];
}

const deployment = readDocs(MANIFEST).find((d) => d.kind === "Deployment" && (d.metadata as Doc).name === "prom-label-proxy");
const container = ((deployment?.spec as { template: { spec: { containers: Container[] } } } | undefined)?.template.spec.containers ?? []).find(
  (c) => c.name === "prom-label-proxy",
);

let received: Received[] = [];
let upstream: Server;
let proxy: ChildProcess;
let log = "";
let base = "";

function answer(path: string): { type: string; body: string } {
  if (path === "/api/v1/alerts") return { type: "application/json", body: JSON.stringify(ALERTS) };
  if (path === "/api/v1/rules") return { type: "application/json", body: JSON.stringify(RULES) };
  if (path === "/federate") return { type: "text/plain", body: "" };
  if (path.startsWith("/api/v1/query")) return { type: "application/json", body: VECTOR };
  return { type: "application/json", body: LIST };
}

function record(req: IncomingMessage, res: ServerResponse): void {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString()));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://upstream");
    const params: Record<string, string[]> = {};
    const form = (req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded") ? new URLSearchParams(body) : new URLSearchParams();
    for (const [key, value] of [...url.searchParams, ...form]) (params[key] ??= []).push(value);
    received.push({ method: req.method ?? "", path: url.pathname, params });
    const { type, body: text } = answer(url.pathname);
    res.writeHead(200, { "Content-Type": type }).end(text);
  });
}

/** The proxy's answer to a request with this header value (none: no header). */
async function ask(pathAndQuery: string, namespaces: string | undefined, init: { method?: string; form?: Record<string, string> } = {}): Promise<string> {
  const response = await fetch(`${base}${pathAndQuery}`, {
    method: init.method ?? (init.form ? "POST" : "GET"),
    headers: namespaces === undefined ? {} : { [HEADER]: namespaces },
    body: init.form ? new URLSearchParams(init.form) : undefined,
  });
  return `${response.status} ${await response.text()}`;
}

/** The namespaces a selector's namespace matchers admit (Prometheus anchors its regexes). */
function admitted(selector: string): string[] {
  const matchers = [...selector.matchAll(/namespace(=~|!~|!=|=)("(?:[^"\\]|\\.)*")/g)].map(([, op, quoted]) => ({ op, value: JSON.parse(quoted) as string }));
  expect(matchers.length).toBeGreaterThan(0);
  return NAMESPACES.filter((namespace) =>
    matchers.every(({ op, value }) => {
      const full = new RegExp(`^(?:${value})$`).test(namespace);
      return { "=": namespace === value, "!=": namespace !== value, "=~": full, "!~": !full }[op as "=" | "!=" | "=~" | "!~"];
    }),
  );
}

/** The one query the fake received, with the team's header on a GET of /api/v1/query. */
async function sentFor(query: string, namespaces = TEAM_A): Promise<string> {
  received = [];
  expect(await ask(`/api/v1/query?${new URLSearchParams({ query }).toString()}`, namespaces)).toBe(`200 ${VECTOR}`);
  expect(received).toHaveLength(1);
  return received[0].params.query[0];
}

async function waitReady(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proxy.exitCode !== null) throw new Error(`prom-label-proxy exited ${proxy.exitCode}:\n${log}`);
    const ready = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`prom-label-proxy not ready within 30 s:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  if (!fs.existsSync(PROXY)) throw new Error(`${PROXY} is missing: run \`npm run tools\` (scripts/install/prom-label-proxy.sh)`);
  if (!container) throw new Error(`${MANIFEST}: no Deployment prom-label-proxy with a container prom-label-proxy`);
  const [upstreamPort, proxyPort] = [await freePort(), await freePort()];
  upstream = createServer(record);
  await new Promise<void>((resolve) => upstream.listen(upstreamPort, "127.0.0.1", resolve));
  // The Deployment's args; only the listen address and the upstream are this test's.
  const own: Record<string, string> = {
    "-insecure-listen-address": `127.0.0.1:${proxyPort}`,
    "-upstream": `http://127.0.0.1:${upstreamPort}`,
  };
  const args = container.args.map((arg) => {
    const [flag] = arg.split("=");
    return flag in own ? `${flag}=${own[flag]}` : arg;
  });
  expect(args.filter((arg) => !container.args.includes(arg))).toHaveLength(2);
  base = `http://127.0.0.1:${proxyPort}`;
  proxy = spawn(PROXY, args, { env: { PATH: process.env.PATH } });
  proxy.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  proxy.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  await waitReady();
}, 60_000);

afterAll(async () => {
  proxy?.kill("SIGTERM");
  await new Promise((resolve) => upstream?.close(resolve));
});

beforeEach(() => {
  received = [];
});

describe("prom-label-proxy, real, with the Deployment's args, in front of Prometheus", () => {
  it("is the proxy the platform runs: the image tag equals the tests' module version", () => {
    const version = /^require github\.com\/prometheus-community\/prom-label-proxy (v\S+)$/m.exec(fs.readFileSync(GO_MOD, "utf8"))?.[1];
    expect(container?.image).toBe(`quay.io/prometheuscommunity/prom-label-proxy:${version}`);
  });

  it("binds a team's query to its namespaces: one regex matcher of the sorted, quoted values", async () => {
    const sent = await sentFor("up");
    expect(sent).toBe('up{namespace=~"a-api|a-web"}');
    expect(admitted(sent)).toEqual(["a-api", "a-web"]);
    expect(received).toEqual([{ method: "GET", path: "/api/v1/query", params: { query: ['up{namespace=~"a-api|a-web"}'] } }]);
  });

  it("binds a query Grafana POSTs (the data source's default method) in the form body", async () => {
    expect(await ask("/api/v1/query", TEAM_A, { form: { query: "up", time: "1767225600" } })).toBe(`200 ${VECTOR}`);
    expect(received).toEqual([{ method: "POST", path: "/api/v1/query", params: { query: ['up{namespace=~"a-api|a-web"}'], time: ["1767225600"] } }]);
  });

  it("keeps a matcher naming another team's namespace but ANDs the team's: the query selects nothing", async () => {
    const sent = await sentFor('up{namespace="b-shop"}');
    expect(sent).toBe('up{namespace="b-shop",namespace=~"a-api|a-web"}');
    expect(admitted(sent)).toEqual([]);
    const wide = await sentFor('sum by (namespace) (rate(http_requests_total{namespace=~".+"}[5m])) / on() group_left() count(up{namespace!="a-web"})');
    expect(wide).toBe(
      'sum by (namespace) (rate(http_requests_total{namespace=~".+",namespace=~"a-api|a-web"}[5m])) / on () group_left () count(up{namespace!="a-web",namespace=~"a-api|a-web"})',
    );
  });

  it("gives a one-namespace team an equality matcher that replaces the query's own", async () => {
    expect(await sentFor("up", "a-web")).toBe('up{namespace="a-web"}');
    expect(await sentFor('up{namespace="b-shop"}', "a-web")).toBe('up{namespace="a-web"}');
    // team-sync.py's value for a team with no namespace yet: a namespace that cannot exist.
    expect(await sentFor("up", "_no-namespace_")).toBe('up{namespace="_no-namespace_"}');
  });

  it("quotes the header's values, so no value widens the regex", async () => {
    const sent = await sentFor("up", "a-web, .+");
    expect(sent).toBe('up{namespace=~"\\\\.\\\\+|a-web"}');
    expect(admitted(sent)).toEqual(["a-web"]);
  });

  it("binds /api/v1/query_range the same, its other params untouched", async () => {
    const params = new URLSearchParams({ query: 'rate(up{namespace="b-shop"}[5m])', start: "1767225600", end: "1767229200", step: "60" });
    expect(await ask(`/api/v1/query_range?${params.toString()}`, TEAM_A)).toBe(`200 ${VECTOR}`);
    expect(received).toEqual([
      {
        method: "GET",
        path: "/api/v1/query_range",
        params: { end: ["1767229200"], query: ['rate(up{namespace="b-shop",namespace=~"a-api|a-web"}[5m])'], start: ["1767225600"], step: ["60"] },
      },
    ]);
  });

  it("adds the team's matcher to every match[] of /api/v1/series, and one to the label APIs", async () => {
    expect(
      await ask(
        `/api/v1/series?${new URLSearchParams([
          ["match[]", "up"],
          ["match[]", '{namespace="b-shop"}'],
        ]).toString()}`,
        TEAM_A,
      ),
    ).toBe(`200 ${LIST}`);
    expect(await ask("/api/v1/labels", TEAM_A)).toBe(`200 ${LIST}`);
    expect(await ask("/api/v1/label/namespace/values", TEAM_A)).toBe(`200 ${LIST}`);
    expect(received).toEqual([
      {
        method: "GET",
        path: "/api/v1/series",
        params: { "match[]": ['{__name__="up",namespace=~"a-api|a-web"}', '{namespace="b-shop",namespace=~"a-api|a-web"}'] },
      },
      { method: "GET", path: "/api/v1/labels", params: { "match[]": ['{namespace=~"a-api|a-web"}'] } },
      { method: "GET", path: "/api/v1/label/namespace/values", params: { "match[]": ['{namespace=~"a-api|a-web"}'] } },
    ]);
  });

  it("refuses a request without the header, or with no value in it, and passes nothing on", async () => {
    const refusal = `400 {"error":"Missing HTTP header \\"${HEADER}\\".","errorType":"prom-label-proxy","status":"error"}\n`;
    expect(await ask("/api/v1/query?query=up", undefined)).toBe(refusal);
    expect(await ask("/api/v1/query", undefined, { form: { query: "up" } })).toBe(refusal);
    expect(await ask("/api/v1/series?match[]=up", undefined)).toBe(refusal);
    expect(await ask("/api/v1/labels", undefined)).toBe(refusal);
    expect(await ask("/api/v1/query?query=up", "")).toBe(refusal);
    expect(await ask("/api/v1/query?query=up", " , ")).toBe(refusal);
    expect(received).toEqual([]);
  });

  it("passes no path it does not enforce: the admin, status and metadata APIs are 404, with the header too", async () => {
    for (const pathAndQuery of [
      "/api/v1/admin/tsdb/delete_series?match[]=up",
      "/api/v1/admin/tsdb/snapshot",
      "/api/v1/status/config",
      "/api/v1/status/buildinfo",
      "/api/v1/targets",
      "/api/v1/metadata",
      "/api/v1/write",
      "/",
    ]) {
      expect(await ask(pathAndQuery, TEAM_A, { method: "POST" })).toBe("404 404 page not found\n");
      expect(await ask(pathAndQuery, TEAM_A)).toBe("404 404 page not found\n");
    }
    expect(received).toEqual([]);
  });

  it("binds /federate like the series API (GET only)", async () => {
    expect(await ask("/federate?match[]=up", TEAM_A)).toBe("200 ");
    expect(await ask("/federate", TEAM_A, { form: { "match[]": "up" } })).toBe("404 404 page not found\n");
    expect(received).toEqual([{ method: "GET", path: "/federate", params: { "match[]": ['{__name__="up",namespace=~"a-api|a-web"}'] } }]);
  });

  it("passes /api/v1/alerts and /api/v1/rules on as they are and keeps, of the answer, the team's namespaces only", async () => {
    const alerts = await ask("/api/v1/alerts", TEAM_A);
    expect(JSON.parse(alerts.slice(4))).toEqual({ status: "success", data: { alerts: [ALERT("a-web")] } });
    const rules = await ask("/api/v1/rules?type=alert", TEAM_A);
    expect(JSON.parse(rules.slice(4))).toEqual({
      status: "success",
      data: { groups: [{ name: "all", file: "all.yaml", rules: [RULE("a-api")], interval: 30 }] },
    });
    expect([alerts.slice(0, 4), rules.slice(0, 4)]).toEqual(["200 ", "200 "]);
    expect(received).toEqual([
      { method: "GET", path: "/api/v1/alerts", params: {} },
      { method: "GET", path: "/api/v1/rules", params: { type: ["alert"] } },
    ]);
  });
});
