// NATS tenancy on a real nats-server (.tools/bin/nats-server, built from its Go module by
// scripts/install/control-plane.sh). Its configuration is the platform's: `config.merge` of
// platform-apps/values/nats rendered the way the pinned chart does it (natsConfig below), which
// includes the accounts file the Vault team sync generates (team-sync.py run for real against the
// Vault API model). Services log in with their own password only; a team's subjects and streams
// are invisible to another team's services; a changed team file is served after a reload.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEAM_SYNC_POLICY_HCL, OIDC_AUTH_PATH } from "../../bootstrap/vault/human-access-policy";
import { NATS_ACCOUNTS_KEY, NATS_ACCOUNTS_SECRET, NATS_CREDENTIALS_PREFIX, NATS_TEAM_JETSTREAM } from "../../bootstrap/vault/nats-accounts";
import { tempDir } from "../harness/copier";
import { NatsConnection } from "../harness/nats-client";
import { FakeVault } from "../self-service/fake-vault";
import { runTeamSync, writeTeams, type TeamFile } from "../self-service/team-sync-run";
import { parsePolicy } from "../self-service/vault-acl";

const REPO = path.resolve(__dirname, "..", "..");
const NATS_SERVER = path.join(process.env.HOLODECK_TOOLS ?? path.join(REPO, ".tools"), "bin", "nats-server");
const SYS_PASSWORD = "sys-password-from-vault";
const CHECKOUT: TeamFile = {
  team: "checkout",
  ssoGroups: ["holodeck-team-checkout"],
  domains: ["services"],
  services: [
    { name: "python-example", domain: "services" },
    { name: "cart", domain: "services" },
  ],
};
const PAYMENTS: TeamFile = {
  team: "payments",
  ssoGroups: ["holodeck-team-payments"],
  domains: ["payments"],
  services: [{ name: "ledger", domain: "payments" }],
};

/**
 * The server configuration the nats chart (2.14.2) renders from `config.merge`: its
 * nats.formatConfig pretty-prints the map as JSON (keys sorted), turns a `"…$include": "<file>"`
 * entry into `include <file>;` and `"<< X >>"` into X. Here with the port and store of this test.
 */
function natsConfig(merge: Record<string, unknown>, port: number, storeDir: string): string {
  const sorted = (value: unknown): unknown =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, v]) => [k, sorted(v)]),
        )
      : Array.isArray(value)
        ? value.map(sorted)
        : value;
  const json = JSON.stringify(sorted({ ...merge, port, jetstream: { store_dir: storeDir } }), null, 2);
  return json.replace(/".*\$include": "(.*)",?/g, "include $1;").replace(/"<<\s+(.*?)\s+>>"/g, "$1");
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let vault: FakeVault;
let vaultAddress: string;
let teamsDir: string;
let accountsFile: string;
let server: ChildProcess;
let log = "";
let port: number;
const open: NatsConnection[] = [];

const password = (service: string): string => vault.kv.get(`${NATS_CREDENTIALS_PREFIX}/${service}`)?.data["password"] ?? "";
async function login(user: string, secret = password(user)): Promise<NatsConnection> {
  const connection = await NatsConnection.open(port, user, secret);
  open.push(connection);
  return connection;
}

/** Runs the team sync for these team files and puts the accounts file where the Secret volume is mounted. */
async function syncTeams(teams: TeamFile[]): Promise<void> {
  writeTeams(teamsDir, teams);
  const run = await runTeamSync(vaultAddress, teamsDir);
  expect(run.code, run.out).toBe(0);
  fs.writeFileSync(accountsFile, vault.kv.get(NATS_ACCOUNTS_SECRET)?.data[NATS_ACCOUNTS_KEY] ?? "");
}

async function waitForLog(text: string, after = 0): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!log.slice(after).includes(text)) {
    if (server.exitCode !== null) throw new Error(`nats-server exited ${server.exitCode}:\n${log}`);
    if (Date.now() > deadline) throw new Error(`nats-server did not log "${text}" within 10 s:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function jetstream(connection: NatsConnection, api: string, body: unknown, inbox: string): Promise<Record<string, unknown>> {
  return JSON.parse((await connection.request(`$JS.API.${api}`, JSON.stringify(body), inbox)).data) as Record<string, unknown>;
}

beforeAll(async () => {
  if (!fs.existsSync(NATS_SERVER)) throw new Error(`${NATS_SERVER} is missing: run npm run tools (scripts/install/control-plane.sh builds it)`);
  vault = new FakeVault(parsePolicy(TEAM_SYNC_POLICY_HCL), OIDC_AUTH_PATH);
  vaultAddress = await vault.start();
  const root = tempDir("nats-server");
  teamsDir = path.join(root, "teams");
  // The pod's layout: the chart's ConfigMap at /etc/nats-config, the Secret nats-accounts beside it.
  const values = parse(fs.readFileSync(path.join(REPO, "platform-apps", "values", "nats", "common.yaml"), "utf8")) as {
    config: { merge: Record<string, unknown> };
  };
  const include = (values.config.merge["accounts"] as Record<string, string>)["$include"];
  const configFile = path.join(root, "etc", "nats-config", "nats.conf");
  accountsFile = path.resolve(path.dirname(configFile), include);
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  fs.mkdirSync(path.dirname(accountsFile), { recursive: true });
  await syncTeams([CHECKOUT, PAYMENTS]);
  port = await freePort();
  fs.writeFileSync(configFile, natsConfig(values.config.merge, port, path.join(root, "jetstream")));
  server = spawn(NATS_SERVER, ["-c", configFile], { env: { PATH: process.env.PATH, NATS_SYS_PASSWORD: SYS_PASSWORD } });
  server.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  await waitForLog("Server is ready");
});

afterAll(async () => {
  for (const connection of open) connection.close();
  server?.kill("SIGTERM");
  await vault?.stop();
});

describe("the platform's NATS configuration on a real nats-server", () => {
  it("the included accounts file is where the Secret is mounted: /etc/nats-accounts/accounts.conf", () => {
    expect(path.basename(path.dirname(accountsFile))).toBe("nats-accounts");
    expect(path.basename(accountsFile)).toBe(NATS_ACCOUNTS_KEY);
  });

  it("starts without an error; its one warning is about the plaintext passwords (Vault holds them too: docs/tenancy.md)", () => {
    const complaints = log.split("\n").filter((line) => /\[(ERR|WRN|FTL)\]/.test(line));
    expect(complaints.map((line) => line.replace(/^.*\] /, ""))).toEqual(["Plaintext passwords detected, use nkeys or bcrypt"]);
  });

  it("refuses anonymous clients, the retired shared user `app`, a wrong password and another service's password", async () => {
    await expect(NatsConnection.open(port)).rejects.toThrow("-ERR 'Authorization Violation'");
    await expect(NatsConnection.open(port, "app", "anything")).rejects.toThrow("-ERR 'Authorization Violation'");
    await expect(NatsConnection.open(port, "cart", "not-the-password")).rejects.toThrow("-ERR 'Authorization Violation'");
    await expect(NatsConnection.open(port, "cart", password("ledger"))).rejects.toThrow("-ERR 'Authorization Violation'");
    await login("sys", SYS_PASSWORD);
  });

  it("services of one team share subjects; another team's service neither receives them nor can inject into them", async () => {
    const [publisher, sameTeam, otherTeam] = [await login("python-example"), await login("cart"), await login("ledger")];
    sameTeam.subscribe("orders.>", 1);
    otherTeam.subscribe("orders.>", 1);
    await Promise.all([sameTeam.flush(), otherTeam.flush()]);
    publisher.publish("orders.created", "order 1");
    otherTeam.publish("orders.created", "forged by payments");
    await Promise.all([publisher.flush(), otherTeam.flush()]);
    expect((await sameTeam.waitFor((m) => m.subject === "orders.created")).data).toBe("order 1");
    await Promise.all([sameTeam.flush(), otherTeam.flush()]);
    expect(sameTeam.messages.map((m) => m.data)).toEqual(["order 1"]);
    expect(otherTeam.messages.map((m) => m.data)).toEqual(["forged by payments"]);
  });

  it("JetStream is per team: a stream is its team's only, within the team's limits", async () => {
    const [owner, sameTeam, otherTeam] = [await login("python-example"), await login("cart"), await login("ledger")];
    const created = await jetstream(owner, "STREAM.CREATE.ORDERS", { name: "ORDERS", subjects: ["orders.>"], storage: "file" }, "_INBOX.create");
    expect((created["config"] as { name: string }).name).toBe("ORDERS");
    expect((await jetstream(sameTeam, "STREAM.NAMES", {}, "_INBOX.names"))["streams"]).toEqual(["ORDERS"]);
    expect((await jetstream(otherTeam, "STREAM.NAMES", {}, "_INBOX.names"))["streams"]).toBeNull();
    const limits = (await jetstream(owner, "INFO", {}, "_INBOX.info"))["limits"] as Record<string, number>;
    expect([limits["max_memory"], limits["max_storage"], limits["max_streams"], limits["max_consumers"]]).toEqual([
      NATS_TEAM_JETSTREAM.max_memory,
      NATS_TEAM_JETSTREAM.max_file,
      NATS_TEAM_JETSTREAM.max_streams,
      NATS_TEAM_JETSTREAM.max_consumers,
    ]);
    const tooBig = await jetstream(
      owner,
      "STREAM.CREATE.HUGE",
      { name: "HUGE", subjects: ["huge.>"], storage: "file", max_bytes: 3 * 1024 ** 3 },
      "_INBOX.huge",
    );
    expect((tooBig["error"] as { description: string }).description).toBe("insufficient storage resources available");
  });

  it("serves a changed team file after a reload (the chart's config reloader sends SIGHUP): a new service logs in, a removed one no longer", async () => {
    const SEARCH: TeamFile = { team: "search", ssoGroups: ["holodeck-team-search"], domains: ["catalog"], services: [{ name: "indexer", domain: "catalog" }] };
    const cartPassword = password("cart");
    await syncTeams([{ ...CHECKOUT, services: [CHECKOUT.services[0]] }, PAYMENTS, SEARCH]);
    const mark = log.length;
    server.kill("SIGHUP");
    await waitForLog("Reloaded server configuration", mark);
    await login("indexer");
    await expect(NatsConnection.open(port, "cart", cartPassword)).rejects.toThrow("-ERR 'Authorization Violation'");
    await login("python-example");
  });
});
