// bootstrap/vault/team-sync.py, run for real (python3) against a model of Vault's API
// (fake-vault.ts) that checks each of its calls against the team sync's own policy
// (TEAM_SYNC_POLICY_HCL) with a model of Vault's ACL evaluation (vault-acl.ts: no Vault server
// can be built here in CI's time). Then the team policies it wrote are evaluated as Vault would:
// a member of team A reads and writes A's services' secrets and A's alert secret, nothing of B's,
// nothing of the platform's.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KV_MOUNT } from "../../bootstrap/vault/constants";
import { ALERTS_SECRET_PREFIX, OIDC_AUTH_PATH, TEAM_PREFIX, TEAM_SYNC_POLICY_HCL } from "../../bootstrap/vault/human-access-policy";
import { tempDir } from "../harness/copier";
import { FakeVault } from "./fake-vault";
import { allows, parsePolicy, type PathRule } from "./vault-acl";

const SCRIPT = path.resolve(__dirname, "..", "..", "bootstrap", "vault", "team-sync.py");
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
};

let vault: FakeVault;
let address: string;
let teamsDir: string;

/** Runs the script (asynchronously: the Vault model answers from this process). */
function sync(): Promise<{ code: number; out: string }> {
  const child = spawn("python3", [SCRIPT], {
    env: {
      PATH: process.env.PATH,
      VAULT_ADDR: address,
      VAULT_TOKEN: "team-sync-token",
      TEAMS_DIR: teamsDir,
      KV_MOUNT,
      OIDC_AUTH_PATH,
      ALERTS_SECRET_PREFIX,
    },
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

function writeTeams(teams: (typeof TEAMS)[keyof typeof TEAMS][]): void {
  fs.rmSync(teamsDir, { recursive: true, force: true });
  fs.mkdirSync(teamsDir, { recursive: true });
  for (const team of teams) fs.writeFileSync(path.join(teamsDir, `${team.team}.json`), `${JSON.stringify(team, null, 2)}\n`);
}

const teamRules = (team: string): PathRule[] => parsePolicy(vault.policies.get(`${TEAM_PREFIX}${team}`) ?? "");
const secret = (p: string): string => `${KV_MOUNT}/data/${p}`;

beforeAll(async () => {
  vault = new FakeVault(parsePolicy(TEAM_SYNC_POLICY_HCL), OIDC_AUTH_PATH);
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

  it("runs to the end, every call permitted by TEAM_SYNC_POLICY_HCL and known to the model", () => {
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
    const sync = [parsePolicy(TEAM_SYNC_POLICY_HCL)];
    expect(allows(sync, "update", "sys/policies/acl/team-checkout")).toBe(true);
    expect(allows(sync, "update", "sys/policies/acl/platform-admin")).toBe(false);
    expect(allows(sync, "create", "identity/group/name/team-x", { type: "external", policies: ["team-x"], metadata: { team: "x" } })).toBe(true);
    expect(allows(sync, "create", "identity/group/name/team-x", { type: "external", policies: ["platform-admin"] })).toBe(false);
    expect(allows(sync, "create", "identity/group/name/team-x", { type: "internal", policies: ["team-x"] })).toBe(false);
    expect(allows(sync, "update", "identity/group/name/platform-admins-0", { type: "external", policies: ["team-x"] })).toBe(false);
    expect(allows(sync, "read", secret("services/python-example"))).toBe(false);
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
    expect(vault.calls.filter((c) => !c.allowed)).toEqual([]);
  });
});
