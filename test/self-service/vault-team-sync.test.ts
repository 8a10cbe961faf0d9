// bootstrap/vault/team-sync.py, run for real (python3) against a model of Vault's API
// (fake-vault.ts) that checks each of its calls against the team sync's own policy
// (teamSyncPolicyHcl) with a model of Vault's ACL evaluation (vault-acl.ts: no Vault server
// can be built here in CI's time). Then the team policies it wrote are evaluated as Vault would:
// a member of team A reads and writes A's services' secrets and A's alert secret, nothing of B's,
// nothing of the platform's.
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KV_MOUNT } from "../../bootstrap/vault/constants";
import { ALERTS_SECRET_PREFIX, OIDC_AUTH_PATH, TEAM_PREFIX, teamSyncPolicyHcl } from "../../bootstrap/vault/human-access-policy";
import { NATS_ACCOUNTS_KEY, NATS_ACCOUNTS_SECRET, NATS_CREDENTIALS_PREFIX } from "../../bootstrap/vault/nats-accounts";
import { tempDir } from "../harness/copier";
import { FakeVault } from "./fake-vault";
import { ADMINS, runTeamSync, TEAM_SYNC_POLICY, type TeamFile, writeTeams as writeTeamFiles } from "./team-sync-run";
import { allows, parsePolicy, type PathRule } from "./vault-acl";

const TEAMS = {
  checkout: {
    team: "checkout",
    ssoGroups: ["holodeck-team-checkout", "holodeck-checkout-oncall"],
    domains: ["services"],
    services: [
      { name: "python-example", domain: "services" },
      { name: "cart", domain: "services" },
    ],
  },
  payments: { team: "payments", ssoGroups: ["holodeck-team-payments"], domains: ["payments"], services: [{ name: "ledger", domain: "payments" }] },
} satisfies Record<string, TeamFile>;

let vault: FakeVault;
let address: string;
let teamsDir: string;

const sync = (): Promise<{ code: number; out: string }> => runTeamSync(address, teamsDir);
const writeTeams = (teams: TeamFile[]): void => writeTeamFiles(teamsDir, teams);

const teamRules = (team: string): PathRule[] => parsePolicy(vault.policies.get(`${TEAM_PREFIX}${team}`) ?? "");
const secret = (p: string): string => `${KV_MOUNT}/data/${p}`;

beforeAll(async () => {
  vault = new FakeVault(parsePolicy(TEAM_SYNC_POLICY), OIDC_AUTH_PATH);
  address = await vault.start();
  teamsDir = path.join(tempDir("team-sync"), "teams");
  writeTeams(Object.values(TEAMS));
});

afterAll(async () => {
  await vault?.stop();
});

describe("team-sync.py against the Vault API model, within its own policy", () => {
  let first: { code: number; out: string };
  beforeAll(async () => {
    first = await sync();
  });

  it("runs to the end, every call permitted by its policy (teamSyncPolicyHcl) and known to the model", () => {
    expect(first.code, first.out).toBe(0);
    expect(vault.calls.filter((c) => !c.allowed)).toEqual([]);
    expect(vault.unknown).toEqual([]);
    expect(first.out).toContain("team-sync: team-checkout: 2 services, SSO groups holodeck-team-checkout, holodeck-checkout-oncall");
  });

  it("writes one policy and one external group per team, the group aliased to the team's first SSO group on the OIDC mount", () => {
    expect([...vault.policies.keys()].sort()).toEqual(["team-checkout", "team-payments"]);
    const checkout = vault.groupByName("team-checkout");
    expect(checkout).toMatchObject({ type: "external", policies: ["team-checkout"], metadata: { team: "checkout" } });
    expect(checkout?.alias).toMatchObject({ name: "holodeck-team-checkout", mount_accessor: vault.oidcAccessor });
  });

  it("gives each further SSO group a member group with the same policy (one alias per group and mount)", () => {
    expect([...vault.groups.keys()].sort()).toEqual(["team-checkout", "team-checkout--2", "team-payments"]);
    expect(vault.groupByName("team-checkout--2")).toMatchObject({ type: "external", policies: ["team-checkout"], alias: { name: "holodeck-checkout-oncall" } });
  });

  it("changes nothing on a second run (same policies, same groups and alias ids)", async () => {
    const before = JSON.stringify([...vault.groups.entries()]);
    const policies = JSON.stringify([...vault.policies.entries()]);
    expect((await sync()).code).toBe(0);
    expect(JSON.stringify([...vault.groups.entries()])).toBe(before);
    expect(JSON.stringify([...vault.policies.entries()])).toBe(policies);
  });
});

describe("the team policies it writes, evaluated as Vault does", () => {
  it("team checkout reads and writes its own services' secrets and its alert secret", () => {
    const own = [teamRules("checkout")];
    for (const service of ["services/python-example", "services/cart", "services/cart/db", `${ALERTS_SECRET_PREFIX}/checkout`]) {
      for (const capability of ["create", "read", "update", "delete"] as const)
        expect(allows(own, capability, secret(service)), `${capability} ${service}`).toBe(true);
    }
    expect(allows(own, "list", `${KV_MOUNT}/metadata/services`)).toBe(true);
    expect(allows(own, "read", `${KV_MOUNT}/metadata/services/cart`)).toBe(true);
  });

  it("team checkout gets nothing of team payments', of the platform's, nor of a service whose name only starts like its own", () => {
    const own = [teamRules("checkout")];
    for (const other of [
      "payments/ledger",
      `${ALERTS_SECRET_PREFIX}/payments`,
      "platform/nats/auth",
      "platform/monitoring/grafana-roles",
      "services/python-example-evil",
      "services/cartography",
    ]) {
      for (const capability of ["create", "read", "update", "delete"] as const)
        expect(allows(own, capability, secret(other)), `${capability} ${other}`).toBe(false);
    }
    expect(allows(own, "list", `${KV_MOUNT}/metadata/payments`)).toBe(false);
    expect(allows(own, "read", "sys/policies/acl/team-payments")).toBe(false);
  });

  it("the team sync itself may write team-* policies and groups only, never the platform admins' nor another policy on a group", () => {
    const sync = [parsePolicy(TEAM_SYNC_POLICY)];
    expect(allows(sync, "update", "sys/policies/acl/team-checkout")).toBe(true);
    expect(allows(sync, "update", "sys/policies/acl/platform-admin")).toBe(false);
    expect(allows(sync, "create", "identity/group/name/team-x", { type: "external", policies: ["team-x"], metadata: { team: "x" } })).toBe(true);
    expect(allows(sync, "create", "identity/group/name/team-x", { type: "external", policies: ["platform-admin"] })).toBe(false);
    expect(allows(sync, "create", "identity/group/name/team-x", { type: "internal", policies: ["team-x"] })).toBe(false);
    expect(allows(sync, "update", "identity/group/name/platform-admins-0", { type: "external", policies: ["team-x"] })).toBe(false);
    expect(allows(sync, "read", secret("services/python-example"))).toBe(false);
  });

  it("the team sync's token cannot reach the platform admins' group through an alias: none may point at it, theirs stays", () => {
    const sync = [parsePolicy(TEAM_SYNC_POLICY)];
    const alias = (canonicalId: string) => ({ name: "holodeck-team-x", mount_accessor: "auth_oidc_1", canonical_id: canonicalId });
    expect(allows(sync, "create", "identity/group-alias", alias("team-x-group-id"))).toBe(true);
    expect(allows(sync, "create", "identity/group-alias", alias(ADMINS.groupId))).toBe(false);
    expect(allows(sync, "update", "identity/group-alias", alias(ADMINS.groupId))).toBe(false);
    // Renaming an existing alias (an update naming its id) would map another SSO group to the admins.
    expect(allows(sync, "update", "identity/group-alias", { ...alias("team-x-group-id"), id: ADMINS.aliasId })).toBe(false);
    expect(allows(sync, "delete", `identity/group-alias/id/${ADMINS.aliasId}`)).toBe(false);
    expect(allows(sync, "read", `identity/group-alias/id/${ADMINS.aliasId}`)).toBe(false);
    expect(allows(sync, "delete", "identity/group-alias/id/a-team-alias-id")).toBe(true);
    expect(() => teamSyncPolicyHcl({ groupIds: [], aliasIds: [] })).toThrow("team sync policy: no platform admin group to protect");
  });
});

const natsPassword = (service: string): string => vault.kv.get(`${NATS_CREDENTIALS_PREFIX}/${service}`)?.data["password"] ?? "";
const accountsFile = (): string => vault.kv.get(NATS_ACCOUNTS_SECRET)?.data[NATS_ACCOUNTS_KEY] ?? "";
const JETSTREAM = '{"max_consumers": 500, "max_file": 268435456, "max_memory": 0, "max_streams": 50}';
const LIMITS = '{"max_connections": 1000, "max_subscriptions": 100000}';

describe("NATS: a user per service, an account per team", () => {
  it("generates each service's password once, into secret/nats/<service>", () => {
    for (const service of ["python-example", "cart", "ledger"]) {
      expect(vault.kv.get(`${NATS_CREDENTIALS_PREFIX}/${service}`)?.data["user"]).toBe(service);
      expect(natsPassword(service)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(new Set(["python-example", "cart", "ledger"].map(natsPassword)).size).toBe(3);
  });

  it("writes the accounts file: one account per team with its JetStream and connection limits, one user per service", () => {
    expect(accountsFile()).toBe(
      [
        "# Generated by the Vault team sync from services-root teams/*.json; edits are overwritten.",
        '"team-checkout": {',
        `  "jetstream": ${JETSTREAM},`,
        `  "limits": ${LIMITS},`,
        '  "users": [',
        `    {"user": "cart", "password": "${natsPassword("cart")}"},`,
        `    {"user": "python-example", "password": "${natsPassword("python-example")}"},`,
        "  ]",
        "}",
        '"team-payments": {',
        `  "jetstream": ${JETSTREAM},`,
        `  "limits": ${LIMITS},`,
        '  "users": [',
        `    {"user": "ledger", "password": "${natsPassword("ledger")}"},`,
        "  ]",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("rewrites nothing on a later run: every secret still at its first version", async () => {
    expect((await sync()).code).toBe(0);
    expect([...vault.kv.entries()].map(([key, value]) => [key, value.versions])).toEqual([
      ["nats/cart", 1],
      ["nats/ledger", 1],
      ["nats/python-example", 1],
      [NATS_ACCOUNTS_SECRET, 1],
    ]);
  });

  it("replaces a password that is not one it generates (it is written into the server's configuration)", async () => {
    const injected = 'x", "permissions": {}}, {"user": "ledger", "password": "mine';
    vault.kv.set("nats/cart", { data: { user: "cart", password: injected }, versions: 2 });
    const run = await sync();
    expect(run.out).toContain("team-sync: NATS user cart: password generated");
    expect(natsPassword("cart")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(accountsFile()).not.toContain(injected);
    expect(accountsFile()).toContain(`{"user": "cart", "password": "${natsPassword("cart")}"}`);
  });

  it("the services' NATS credentials are the platform's: no team may write them, the sync reads no service secret", () => {
    for (const team of ["checkout", "payments"]) {
      for (const capability of ["create", "update", "delete"] as const)
        for (const path of ["nats/python-example", NATS_ACCOUNTS_SECRET])
          expect(allows([teamRules(team)], capability, secret(path)), `${team} ${capability} ${path}`).toBe(false);
    }
    const own = [parsePolicy(TEAM_SYNC_POLICY)];
    expect(allows(own, "update", secret("nats/python-example"))).toBe(true);
    expect(allows(own, "update", secret(NATS_ACCOUNTS_SECRET))).toBe(true);
    expect(allows(own, "read", secret("platform/nats/auth"))).toBe(false);
    expect(allows(own, "read", secret("services/python-example"))).toBe(false);
  });
});

describe("team files the sync refuses before it writes anything", () => {
  it.each([
    [
      "a service in two teams",
      { ...TEAMS.payments, services: [...TEAMS.payments.services, { name: "cart", domain: "payments" }] },
      "team-sync: service 'cart' is in teams 'checkout' and 'payments'; a service belongs to one team",
    ],
    [
      "a service name that is no DNS label",
      { ...TEAMS.payments, services: [{ name: 'x"}', domain: "payments" }] },
      `team-sync: teams/payments.json: 'x"}' is not a DNS label (a-z, 0-9, '-')`,
    ],
    [
      "a domain outside the platform's (it would name a platform path)",
      { ...TEAMS.payments, domains: ["platform"], services: [{ name: "nats", domain: "platform" }] },
      "team-sync: teams/payments.json: domain 'platform' is not one of services, payments, identity, catalog, data",
    ],
  ])("%s", async (_case, payments, message) => {
    const before = JSON.stringify([[...vault.kv.entries()], [...vault.policies.entries()]]);
    writeTeams([TEAMS.checkout, payments]);
    const run = await sync();
    writeTeams(Object.values(TEAMS));
    expect(run.code).toBe(1);
    expect(run.out.trim()).toBe(message);
    expect(JSON.stringify([[...vault.kv.entries()], [...vault.policies.entries()]])).toBe(before);
  });
});

describe("what would break NATS for everyone is refused", () => {
  const state = (): string => JSON.stringify([[...vault.kv.entries()], [...vault.policies.entries()], [...vault.groups.keys()]]);

  it("no team file at all (a broken checkout): nothing is removed", async () => {
    const before = state();
    writeTeams([]);
    const run = await sync();
    writeTeams(Object.values(TEAMS));
    expect(run.code).toBe(1);
    expect(run.out.trim()).toBe(`team-sync: no team file in ${teamsDir}; refusing to remove every team's policies and NATS users`);
    expect(state()).toBe(before);
  });

  it("more teams than the NATS store holds: the accounts file stays as it was, the team policies are still written", async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({
      team: `team${i}`,
      ssoGroups: [`holodeck-team${i}`],
      domains: ["data"],
      services: [{ name: `svc${i}`, domain: "data" }],
    }));
    const accounts = accountsFile();
    writeTeams(many);
    const run = await sync();
    writeTeams(Object.values(TEAMS));
    expect(run.code).toBe(1);
    expect(run.out).toContain(
      "NATS: team-sync: 21 teams x 268435456 bytes of JetStream each exceed the NATS store of 5368709120 bytes; accounts file not written",
    );
    expect(accountsFile()).toBe(accounts);
    expect(vault.policies.has("team-team20")).toBe(true);
    expect((await sync()).code).toBe(0);
    expect(vault.policies.has("team-team20")).toBe(false);
  });
});

describe("a team file removed from services-root", () => {
  it("deletes its policy and groups on the next run, the other team's stay", async () => {
    writeTeams([TEAMS.payments]);
    const run = await sync();
    expect(run.code, run.out).toBe(0);
    expect([...vault.policies.keys()]).toEqual(["team-payments"]);
    expect([...vault.groups.keys()]).toEqual(["team-payments"]);
    expect(run.out).toContain("team-sync: deleted group team-checkout--2");
    expect(run.out).toContain("team-sync: deleted policy team-checkout");
    // Soft-deleted: their versions stay in Vault (`vault kv undelete` brings one back).
    expect([...vault.kv.entries()].filter(([, value]) => !value.deleted).map(([key]) => key)).toEqual(["nats/ledger", NATS_ACCOUNTS_SECRET]);
    expect(vault.kv.get("nats/cart")?.deleted).toBe(true);
    expect(accountsFile()).not.toContain("team-checkout");
    expect(run.out).toContain("team-sync: deleted NATS user cart");
    expect((await sync()).out).not.toContain("deleted NATS user");
    expect(vault.calls.filter((c) => !c.allowed)).toEqual([]);
  });
});
