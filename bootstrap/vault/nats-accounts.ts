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
import { KV_MOUNT } from "./constants";

/** KV path prefix of the services' NATS credentials: `<kv>/<prefix>/<service>`. */
export const NATS_CREDENTIALS_PREFIX = "nats";
/** KV path of the generated accounts file (ExternalSecret nats-accounts in namespace nats reads it). */
export const NATS_ACCOUNTS_SECRET = "platform/nats/accounts";
/** The key of that secret, and the file name the NATS server includes. */
export const NATS_ACCOUNTS_KEY = "accounts.conf";

/**
 * Each team account's JetStream limits: a team cannot fill the servers' file store (5 GiB in
 * staging, 50 GiB per server in production) nor their memory for everyone else.
 */
export const NATS_TEAM_JETSTREAM = {
  max_memory: 128 * 1024 ** 2,
  max_file: 2 * 1024 ** 3,
  max_streams: 50,
  max_consumers: 500,
} as const;

/**
 * Each team account's connection and subscription limits: one team's runaway clients (a crash
 * loop, a subscription leak) cannot take the shared servers' capacity from the others.
 */
export const NATS_TEAM_LIMITS = { max_connections: 1000, max_subscriptions: 100_000 } as const;

/** What the team sync may do for NATS: its two paths only, never a service's own secrets. */
export const NATS_SYNC_POLICY_HCL = `path "${KV_MOUNT}/data/${NATS_CREDENTIALS_PREFIX}/*" {
  capabilities = ["create", "read", "update"]
}
path "${KV_MOUNT}/metadata/${NATS_CREDENTIALS_PREFIX}/" {
  capabilities = ["list"]
}
path "${KV_MOUNT}/metadata/${NATS_CREDENTIALS_PREFIX}/*" {
  capabilities = ["delete"]
}
path "${KV_MOUNT}/data/${NATS_ACCOUNTS_SECRET}" {
  capabilities = ["create", "read", "update"]
}
`;
