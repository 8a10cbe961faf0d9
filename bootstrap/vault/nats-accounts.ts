// NATS credentials are per service and NATS accounts per team, both from services-root's team
// files, written by the Vault team sync (team-sync.py) — the one job that already reads them:
//   - secret/nats/<service> {user, password}: generated once, kept; the service's own
//     ExternalSecret reads it (a namespace reads secret/data/+/<namespace>, config.ts), its team
//     cannot write it (team policies cover <domain>/<service> only, and `nats` is no domain);
//   - secret/platform/nats/accounts {accounts.conf}: one NATS account per team (its own subjects
//     and JetStream, with limits) holding its services' users. The NATS server includes it
//     (platform-apps/values/nats/common.yaml) and its config reloader applies a change.
// Why accounts per team: NATS isolates subjects and streams by account, so another team's
// service can neither read nor publish on a team's subjects, nor touch its streams.
import type { Environment } from "../../model";
import { KV_MOUNT } from "./constants";

/** KV path prefix of the services' NATS credentials: `<kv>/<prefix>/<service>`. */
export const NATS_CREDENTIALS_PREFIX = "nats";
/** KV path of the generated accounts file (ExternalSecret nats-accounts in namespace nats reads it). */
export const NATS_ACCOUNTS_SECRET = "platform/nats/accounts";
/** The key of that secret, and the file name the NATS server includes. */
export const NATS_ACCOUNTS_KEY = "accounts.conf";
/**
 * What Pulumi writes there first (and never again: ignoreChanges), so that on a fresh Vault the
 * NATS server starts with its SYS account before the first team sync writes the teams'.
 */
export const NATS_ACCOUNTS_SEED = "# No team yet: the Vault team sync writes the teams' accounts here.\n";

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * Each NATS server's JetStream file store per environment: the PVC size of
 * platform-apps/values/nats/<environment>.yaml (the chart makes it max_file_store; a test keeps
 * the two equal). The chart enables no memory store (max_memory_store 0).
 */
export const NATS_STORE_BYTES: Readonly<Record<Environment, number>> = { staging: 5 * GIB, production: 50 * GIB };

/**
 * Each team account's JetStream limits per environment: a team cannot fill the store for everyone
 * else. File streams only (the servers have no memory store). A standalone server reserves every
 * account's max_file up front, so the team sync refuses more teams than the store holds
 * (staging: 20, production: 25) instead of writing a file the server would not start with.
 */
export const NATS_TEAM_JETSTREAM: Readonly<Record<Environment, { max_memory: 0; max_file: number; max_streams: number; max_consumers: number }>> = {
  staging: { max_memory: 0, max_file: 256 * MIB, max_streams: 50, max_consumers: 500 },
  production: { max_memory: 0, max_file: 2 * GIB, max_streams: 50, max_consumers: 500 },
};

/**
 * Each team account's connection and subscription limits: one team's runaway clients (a crash
 * loop, a subscription leak) cannot take the shared servers' capacity from the others.
 */
export const NATS_TEAM_LIMITS = { max_connections: 1000, max_subscriptions: 100_000 } as const;

/** What the team sync may do for NATS: its two paths only, never a service's own secrets. */
export const NATS_SYNC_POLICY_HCL = `path "${KV_MOUNT}/data/${NATS_CREDENTIALS_PREFIX}/*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "${KV_MOUNT}/metadata/${NATS_CREDENTIALS_PREFIX}/" {
  capabilities = ["list"]
}
path "${KV_MOUNT}/data/${NATS_ACCOUNTS_SECRET}" {
  capabilities = ["create", "read", "update"]
}
`;
