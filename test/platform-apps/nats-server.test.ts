// NATS tenancy on a real nats-server (.tools/bin/nats-server, built from its Go module by
// scripts/install/control-plane.sh). Its configuration is the platform's: `config.merge` of
// platform-apps/values/nats rendered the way the pinned chart does it (natsConfig below), which
// includes the accounts file the Vault team sync generates (team-sync.py run for real against the
// Vault API model). Services log in with their own password only; a team's subjects and streams
// are invisible to another team's services; a changed team file is served after a reload.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OIDC_AUTH_PATH } from "../../bootstrap/vault/human-access-policy";
import { NATS_ACCOUNTS_KEY, NATS_ACCOUNTS_SECRET, NATS_CREDENTIALS_PREFIX, NATS_TEAM_JETSTREAM } from "../../bootstrap/vault/nats-accounts";
import { tempDir } from "../harness/copier";
import { NatsConnection } from "../harness/nats-client";
import { freePort } from "../harness/ports";
import { FakeVault } from "../self-service/fake-vault";
import { runTeamSync, TEAM_SYNC_POLICY, writeTeams, type TeamFile } from "../self-service/team-sync-run";
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
 * The server configuration the nats chart (2.14.2, server image 2.14.10 from the values) renders for staging: `config.merge` through its
 * nats.formatConfig (the map pretty-printed as JSON with sorted keys, a `"…$include": "<file>"`
 * entry turned into `include <file>;`, `"<< X >>"` into X), and its files/config/jetstream.yaml
 * for `config.jetstream` (no memory store: max_memory_store 0; the file store's size is the PVC
 * size). Here with this test's port and store directory.
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
  const jetstream = { max_memory_store: 0, store_dir: storeDir, max_file_store: `<< ${STAGING_STORE} >>` };
  const json = JSON.stringify(sorted({ ...merge, port, jetstream }), null, 2);
  return json.replace(/".*\$include": "(.*)",?/g, "include $1;").replace(/"<<\s+(.*?)\s+>>"/g, "$1");
}

/** A nats-server run as the pod runs it: the chart's config at etc/nats-config, the Secret's accounts file beside it. */
class NatsServer {
  log = "";
  port = 0;
  readonly configFile: string;
  readonly accountsFile: string;
  private process?: ChildProcess;

  constructor(private readonly root: string) {
    this.configFile = path.join(root, "etc", "nats-config", "nats.conf");
    this.accountsFile = path.resolve(path.dirname(this.configFile), ACCOUNTS_INCLUDE);
    fs.mkdirSync(path.dirname(this.configFile), { recursive: true });
    fs.mkdirSync(path.dirname(this.accountsFile), { recursive: true });
  }

  async start(accounts: string): Promise<void> {
    fs.writeFileSync(this.accountsFile, accounts);
    this.port = await freePort();
    fs.writeFileSync(this.configFile, natsConfig(VALUES.config.merge, this.port, path.join(this.root, "jetstream")));
    this.process = spawn(NATS_SERVER, ["-c", this.configFile], { env: { PATH: process.env.PATH, NATS_SYS_PASSWORD: SYS_PASSWORD } });
    this.process.stderr?.on("data", (chunk: Buffer) => (this.log += chunk.toString()));
    await this.waitForLog("Server is ready");
  }

  /** What the chart's config reloader does when the mounted file changes: SIGHUP. */
  async reload(accounts: string): Promise<void> {
    fs.writeFileSync(this.accountsFile, accounts);
    const mark = this.log.length;
    this.process?.kill("SIGHUP");
    await this.waitForLog("Reloaded server configuration", mark);
  }

  async waitForLog(text: string, after = 0): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.log.slice(after).includes(text)) {
      if (this.process?.exitCode !== null) throw new Error(`nats-server exited ${this.process?.exitCode}:\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not log "${text}" within 10 s:\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  stop(): void {
    this.process?.kill("SIGTERM");
  }
}

// The platform's values: the chart's config.merge and the include of the accounts file.
const VALUES = parse(fs.readFileSync(path.join(REPO, "platform-apps", "values", "nats", "common.yaml"), "utf8")) as {
  config: { merge: Record<string, unknown> };
  container: { image: { repository: string; tag: string } };
};
/** The nats-server module version the test tool is built from (its wrapper's go.mod). */
const TOOL_VERSION = /^\s+github\.com\/nats-io\/nats-server\/v2 (v\S+)/m.exec(
  fs.readFileSync(path.join(REPO, "scripts", "install", "control-plane", "nats-server", "go.mod"), "utf8"),
)?.[1];
const ACCOUNTS_INCLUDE = (VALUES.config.merge["accounts"] as Record<string, string>)["$include"];
const STAGING = parse(fs.readFileSync(path.join(REPO, "platform-apps", "values", "nats", "staging.yaml"), "utf8")) as {
  config: { jetstream: { fileStore: { pvc: { size: string } } } };
};
const STAGING_STORE = STAGING.config.jetstream.fileStore.pvc.size;
const LIMITS = NATS_TEAM_JETSTREAM.staging;

let vault: FakeVault;
let vaultAddress: string;
let teamsDir: string;
let main: NatsServer;
const open: NatsConnection[] = [];

const password = (service: string): string => vault.kv.get(`${NATS_CREDENTIALS_PREFIX}/${service}`)?.data["password"] ?? "";
async function login(user: string, secret = password(user), server = main): Promise<NatsConnection> {
  const connection = await NatsConnection.open(server.port, user, secret);
  open.push(connection);
  return connection;
}

/** Runs the team sync for these team files; answers the accounts file it wrote (what the Secret holds). */
async function syncTeams(teams: TeamFile[], overrides: Record<string, string> = {}): Promise<string> {
  writeTeams(teamsDir, teams);
  const run = await runTeamSync(vaultAddress, teamsDir, overrides);
  expect(run.code, run.out).toBe(0);
  return vault.kv.get(NATS_ACCOUNTS_SECRET)?.data[NATS_ACCOUNTS_KEY] ?? "";
}

async function jetstream(connection: NatsConnection, api: string, body: unknown, inbox: string): Promise<Record<string, unknown>> {
  return JSON.parse((await connection.request(`$JS.API.${api}`, JSON.stringify(body), inbox)).data) as Record<string, unknown>;
}

beforeAll(async () => {
  if (!fs.existsSync(NATS_SERVER)) throw new Error(`${NATS_SERVER} is missing: run npm run tools (scripts/install/control-plane.sh builds it)`);
  vault = new FakeVault(parsePolicy(TEAM_SYNC_POLICY), OIDC_AUTH_PATH);
  vaultAddress = await vault.start();
  const root = tempDir("nats-server");
  teamsDir = path.join(root, "teams");
  main = new NatsServer(path.join(root, "main"));
  await main.start(await syncTeams([CHECKOUT, PAYMENTS]));
});

afterAll(async () => {
  for (const connection of open) connection.close();
  main?.stop();
  await vault?.stop();
});

describe("the platform's NATS configuration on a real nats-server", () => {
  it("is the server the platform runs: the values pin the image of the nats-server built here", () => {
    expect(TOOL_VERSION).toBe("v2.14.10");
    expect(VALUES.container.image).toEqual({ repository: "nats", tag: `${TOOL_VERSION?.slice(1)}-alpine` });
  });

  it("the included accounts file is where the Secret is mounted: /etc/nats-accounts/accounts.conf", () => {
    expect(path.basename(path.dirname(main.accountsFile))).toBe("nats-accounts");
    expect(path.basename(main.accountsFile)).toBe(NATS_ACCOUNTS_KEY);
  });

  it("starts without an error; its one warning is about the plaintext passwords (Vault holds them too: docs/tenancy.md)", () => {
    const complaints = main.log.split("\n").filter((line) => /\[(ERR|WRN|FTL)\]/.test(line));
    expect(complaints.map((line) => line.replace(/^.*\] /, ""))).toEqual(["Plaintext passwords detected, use nkeys or bcrypt"]);
  });

  it("refuses anonymous clients, the retired shared user `app`, a wrong password and another service's password", async () => {
    const port = main.port;
    await expect(NatsConnection.open(port)).rejects.toThrow("-ERR 'Authorization Violation'");
    await expect(NatsConnection.open(port, "app", "anything")).rejects.toThrow("-ERR 'Authorization Violation'");
    await expect(NatsConnection.open(port, "cart", "not-the-password")).rejects.toThrow("-ERR 'Authorization Violation'");
    await expect(NatsConnection.open(port, "cart", password("ledger"))).rejects.toThrow("-ERR 'Authorization Violation'");
    await login("SYS", SYS_PASSWORD);
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
      LIMITS.max_memory,
      LIMITS.max_file,
      LIMITS.max_streams,
      LIMITS.max_consumers,
    ]);
    const tooBig = await jetstream(
      owner,
      "STREAM.CREATE.HUGE",
      { name: "HUGE", subjects: ["huge.>"], storage: "file", max_bytes: 2 * LIMITS.max_file },
      "_INBOX.huge",
    );
    expect((tooBig["error"] as { description: string }).description).toBe("insufficient storage resources available");
    const inMemory = await jetstream(owner, "STREAM.CREATE.FAST", { name: "FAST", subjects: ["fast.>"], storage: "memory" }, "_INBOX.fast");
    expect((inMemory["error"] as { description: string }).description).toBe("insufficient memory resources available");
  });

  it("serves a changed team file after a reload (the chart's config reloader sends SIGHUP): a new service logs in, a removed one no longer", async () => {
    // A service may be called `sys`: the operator's user is SYS, so the names never collide.
    const SEARCH: TeamFile = {
      team: "search",
      ssoGroups: ["holodeck-team-search"],
      domains: ["catalog"],
      services: [
        { name: "indexer", domain: "catalog" },
        { name: "sys", domain: "catalog" },
      ],
    };
    const cartPassword = password("cart");
    await main.reload(await syncTeams([{ ...CHECKOUT, services: [CHECKOUT.services[0]] }, PAYMENTS, SEARCH]));
    await login("indexer");
    await login("sys");
    await expect(NatsConnection.open(main.port, "cart", cartPassword)).rejects.toThrow("-ERR 'Authorization Violation'");
    await login("python-example");
  });
});

describe("each team account's connection and subscription limits, enforced by nats-server", () => {
  // The same sync with small limits (the shipped ones, NATS_TEAM_LIMITS, are in the accounts file
  // test of vault-team-sync.test.ts): the server enforces them per team, not per server.
  let small: NatsServer;
  beforeAll(async () => {
    small = new NatsServer(path.join(tempDir("nats-limits"), "small"));
    await small.start(await syncTeams([CHECKOUT, PAYMENTS], { NATS_TEAM_LIMITS: JSON.stringify({ max_connections: 2, max_subscriptions: 2 }) }));
  });
  afterAll(() => small?.stop());

  it("refuses a team's connection beyond its limit, while another team still connects", async () => {
    await login("python-example", password("python-example"), small);
    await login("cart", password("cart"), small);
    await expect(NatsConnection.open(small.port, "cart", password("cart"))).rejects.toThrow("-ERR 'maximum account active connections exceeded'");
    await login("ledger", password("ledger"), small);
  });

  it("refuses a team's subscription beyond its limit", async () => {
    const connection = await login("ledger", password("ledger"), small);
    connection.subscribe("a", 1);
    connection.subscribe("b", 2);
    connection.subscribe("c", 3);
    await connection.flush();
    expect(connection.errors).toEqual(["-ERR 'maximum subscriptions exceeded'"]);
  });
});
