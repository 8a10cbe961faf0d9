// The team sync: Vault learns the teams from services-root, their one source of truth. Every
// 5 minutes a CronJob clones services-root (read token from Secrets Manager, like Argo CD's)
// and runs team-sync.py, which writes one `team-<team>` policy (the team's own
// secret/<domain>/<service> paths) and external group (aliases = the team's SSO groups) per
// team file and deletes those of removed teams, and the services' NATS users and the teams'
// NATS accounts (nats-accounts.ts). Why a sync and not templated policies: a
// Vault policy template resolves a single value (an entity alias or metadata field), never a
// lookup from SSO group to a list of services, and services must not enter Pulumi.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { IMAGES } from "../versions";
import { readScript } from "../shared/scripts";
import { readJsonSecret } from "../shared/secrets-manager";
import { KUBERNETES_AUTH_PATH, KV_MOUNT, VAULT_NAMESPACE, VAULT_TLS_DIR, VAULT_TLS_SECRET, VAULT_TOKEN_AUDIENCE } from "./constants";
import { ALERTS_SECRET_PREFIX, OIDC_AUTH_PATH, TEAM_SYNC_ROLE, TEAM_SYNC_SERVICE_ACCOUNT } from "./human-access-policy";
import { restrictedContainer } from "./job-pod";
import type { Environment } from "../../model";
import { SERVICE_DOMAINS, SERVICES_ROOT_PUBLISHED_BRANCH } from "../../model/team";
import { NATS_ACCOUNTS_KEY, NATS_ACCOUNTS_SECRET, NATS_CREDENTIALS_PREFIX, NATS_STORE_BYTES, NATS_TEAM_JETSTREAM, NATS_TEAM_LIMITS } from "./nats-accounts";

export const TEAM_SYNC_SCRIPT = readScript(__dirname, "team-sync.py");
/** Where services-root is cloned; the team files are in its teams/ folder. */
const CHECKOUT = "/work/services-root";
const TOKEN_DIR = "/var/run/secrets/vault";
export const TEAM_SYNC_SCHEDULE = "*/5 * * * *";

export interface VaultTeamSyncArgs {
  /** Which NATS store and team limits apply (nats-accounts.ts). */
  environment: Environment;
  vaultAddress: string;
  servicesRepoUrl: string;
  /** Secrets Manager secret {username, password}: the git read token (holodeck:gitCredentialsSecretName). */
  gitCredentialsSecretName: string;
  /** Vault's configuration (OIDC mount, team-sync role) first. */
  after: pulumi.Resource[];
}

export class VaultTeamSync extends pulumi.ComponentResource {
  public readonly cronJob: k8s.batch.v1.CronJob;

  constructor(name: string, args: VaultTeamSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:VaultTeamSync", name, {}, opts);
    const after = { parent: this, dependsOn: args.after };
    const git = readJsonSecret(args.gitCredentialsSecretName, ["username", "password"], { parent: this });
    const gitSecret = new k8s.core.v1.Secret(
      `${name}-git`,
      { metadata: { name: "vault-team-sync-git", namespace: VAULT_NAMESPACE }, stringData: { username: git.username, password: git.password } },
      after,
    );
    const script = new k8s.core.v1.ConfigMap(
      `${name}-script`,
      { metadata: { name: "vault-team-sync", namespace: VAULT_NAMESPACE }, data: { "team-sync.py": TEAM_SYNC_SCRIPT } },
      after,
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: TEAM_SYNC_SERVICE_ACCOUNT, namespace: VAULT_NAMESPACE }, automountServiceAccountToken: false },
      after,
    );
    const tmp = { name: "tmp", mountPath: "/tmp" };
    const checkout = { name: "checkout", mountPath: CHECKOUT };
    this.cronJob = new k8s.batch.v1.CronJob(
      `${name}-cronjob`,
      {
        metadata: { name: "vault-team-sync", namespace: VAULT_NAMESPACE },
        spec: {
          schedule: TEAM_SYNC_SCHEDULE,
          concurrencyPolicy: "Forbid",
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            spec: {
              backoffLimit: 1,
              activeDeadlineSeconds: 240,
              template: {
                spec: {
                  serviceAccountName: serviceAccount.metadata.name,
                  automountServiceAccountToken: false,
                  restartPolicy: "Never",
                  securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
                  volumes: [
                    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                    { name: "checkout", emptyDir: { sizeLimit: "256Mi" } },
                    { name: "script", configMap: { name: script.metadata.name } },
                    { name: "tls", secret: { secretName: VAULT_TLS_SECRET, items: [{ key: "ca.crt", path: "ca.crt" }] } },
                    {
                      name: "vault-token",
                      projected: { sources: [{ serviceAccountToken: { path: "token", audience: VAULT_TOKEN_AUDIENCE, expirationSeconds: 600 } }] },
                    },
                  ],
                  initContainers: [
                    {
                      name: "clone",
                      image: IMAGES.git,
                      // The token reaches git through an askpass helper, never the command line or the URL.
                      command: [
                        "/bin/sh",
                        "-c",
                        'printf \'#!/bin/sh\\ncase "$1" in Username*) echo "$GIT_USERNAME";; *) echo "$GIT_PASSWORD";; esac\\n\' >/tmp/askpass && chmod +x /tmp/askpass && GIT_ASKPASS=/tmp/askpass git clone --depth 1 --quiet --branch "$REPO_BRANCH" "$REPO_URL" "$CHECKOUT/repo"',
                      ],
                      env: [
                        { name: "HOME", value: "/tmp" },
                        { name: "REPO_URL", value: args.servicesRepoUrl },
                        // The publish gate's branch: a team file pushed to main with a pipeline's token never reaches Vault.
                        { name: "REPO_BRANCH", value: SERVICES_ROOT_PUBLISHED_BRANCH },
                        { name: "CHECKOUT", value: CHECKOUT },
                        { name: "GIT_USERNAME", valueFrom: { secretKeyRef: { name: gitSecret.metadata.name, key: "username" } } },
                        { name: "GIT_PASSWORD", valueFrom: { secretKeyRef: { name: gitSecret.metadata.name, key: "password" } } },
                      ],
                      volumeMounts: [tmp, checkout],
                      securityContext: restrictedContainer(),
                    },
                  ],
                  containers: [
                    {
                      name: "sync",
                      image: IMAGES.python,
                      command: ["python3", "/script/team-sync.py"],
                      env: [
                        { name: "VAULT_ADDR", value: args.vaultAddress },
                        { name: "VAULT_CACERT", value: `${VAULT_TLS_DIR}/ca.crt` },
                        { name: "TEAMS_DIR", value: `${CHECKOUT}/repo/teams` },
                        { name: "KV_MOUNT", value: KV_MOUNT },
                        { name: "OIDC_AUTH_PATH", value: OIDC_AUTH_PATH },
                        { name: "ALERTS_SECRET_PREFIX", value: ALERTS_SECRET_PREFIX },
                        { name: "NATS_CREDENTIALS_PREFIX", value: NATS_CREDENTIALS_PREFIX },
                        { name: "NATS_ACCOUNTS_SECRET", value: NATS_ACCOUNTS_SECRET },
                        { name: "NATS_ACCOUNTS_KEY", value: NATS_ACCOUNTS_KEY },
                        { name: "SERVICE_DOMAINS", value: SERVICE_DOMAINS.join(",") },
                        { name: "NATS_TEAM_JETSTREAM", value: JSON.stringify(NATS_TEAM_JETSTREAM[args.environment]) },
                        { name: "NATS_TEAM_LIMITS", value: JSON.stringify(NATS_TEAM_LIMITS) },
                        { name: "NATS_STORE_BYTES", value: String(NATS_STORE_BYTES[args.environment]) },
                        { name: "KUBERNETES_AUTH_PATH", value: KUBERNETES_AUTH_PATH },
                        { name: "TEAM_SYNC_ROLE", value: TEAM_SYNC_ROLE },
                        { name: "VAULT_JWT_FILE", value: `${TOKEN_DIR}/token` },
                      ],
                      volumeMounts: [
                        tmp,
                        { ...checkout, readOnly: true },
                        { name: "script", mountPath: "/script", readOnly: true },
                        { name: "tls", mountPath: VAULT_TLS_DIR, readOnly: true },
                        { name: "vault-token", mountPath: TOKEN_DIR, readOnly: true },
                      ],
                      securityContext: restrictedContainer(),
                    },
                  ],
                },
              },
            },
          },
        },
      },
      { parent: this, dependsOn: [...args.after, serviceAccount, script, gitSecret] },
    );
    this.registerOutputs({ schedule: TEAM_SYNC_SCHEDULE });
  }
}
