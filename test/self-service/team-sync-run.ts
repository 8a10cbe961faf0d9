// Runs bootstrap/vault/team-sync.py for real (python3) with the environment its CronJob gives it
// (bootstrap/vault/team-sync.ts), against a Vault address (the API model of fake-vault.ts).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { KV_MOUNT } from "../../bootstrap/vault/constants";
import { ALERTS_SECRET_PREFIX, OIDC_AUTH_PATH, teamSyncPolicyHcl } from "../../bootstrap/vault/human-access-policy";
import {
  NATS_ACCOUNTS_KEY,
  NATS_ACCOUNTS_SECRET,
  NATS_CREDENTIALS_PREFIX,
  NATS_STORE_BYTES,
  NATS_TEAM_JETSTREAM,
  NATS_TEAM_LIMITS,
} from "../../bootstrap/vault/nats-accounts";
import { SERVICE_DOMAINS } from "../../model/team";

/** The platform admins' group and its alias as Pulumi made them: ids the team sync's policy protects. */
export const ADMINS = { groupId: "1f0e5a7c-admins-group", aliasId: "9b2d4c6e-admins-alias" };
/** The team sync's policy as Pulumi writes it for ADMINS (bootstrap/vault/human-access.ts). */
export const TEAM_SYNC_POLICY = teamSyncPolicyHcl({ groupIds: [ADMINS.groupId], aliasIds: [ADMINS.aliasId] });

const SCRIPT = path.resolve(__dirname, "..", "..", "bootstrap", "vault", "team-sync.py");

export interface TeamFile {
  team: string;
  ssoGroups: string[];
  domains: string[];
  services: { name: string; domain: string }[];
}

/** Replaces the folder's team files with these. */
export function writeTeams(teamsDir: string, teams: TeamFile[]): void {
  fs.rmSync(teamsDir, { recursive: true, force: true });
  fs.mkdirSync(teamsDir, { recursive: true });
  for (const team of teams) fs.writeFileSync(path.join(teamsDir, `${team.team}.json`), `${JSON.stringify(team, null, 2)}\n`);
}

/** Runs the script (asynchronously: the Vault model answers from this process) as staging's CronJob; `overrides` replace environment values. */
export function runTeamSync(vaultAddress: string, teamsDir: string, overrides: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const child = spawn("python3", [SCRIPT], {
    env: {
      PATH: process.env.PATH,
      VAULT_ADDR: vaultAddress,
      VAULT_TOKEN: "team-sync-token",
      TEAMS_DIR: teamsDir,
      KV_MOUNT,
      OIDC_AUTH_PATH,
      ALERTS_SECRET_PREFIX,
      NATS_CREDENTIALS_PREFIX,
      NATS_ACCOUNTS_SECRET,
      NATS_ACCOUNTS_KEY,
      SERVICE_DOMAINS: SERVICE_DOMAINS.join(","),
      NATS_TEAM_JETSTREAM: JSON.stringify(NATS_TEAM_JETSTREAM.staging),
      NATS_TEAM_LIMITS: JSON.stringify(NATS_TEAM_LIMITS),
      NATS_STORE_BYTES: String(NATS_STORE_BYTES.staging),
      ...overrides,
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
