// Vault's own configuration with @pulumi/vault through an explicit provider: kv-v2 at
// `secret/`, the file audit device (stdout, collected with the pod logs), Kubernetes auth,
// the per-namespace read policy External Secrets uses, the raft-snapshot role, and people's
// access: SSO login and teams (human-access.ts, team-sync.ts).
//
// Least privilege: one ClusterSecretStore with one wide role would let any namespace read
// every secret. Instead ESO logs in with the `vault-secrets` ServiceAccount of the
// ExternalSecret's own namespace (referent auth, contracts §5) and the policy is templated
// on that namespace: namespace <service> may read only secret/data/<any domain>/<service>.
// Services never enter Pulumi (their number must not change the plan), yet each one still
// gets exactly its own domain/service path.
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { Environment } from "../../model";
import type { OidcSettings } from "../argocd/argocd";
import {
  AUDIT_DEVICE_PATH,
  AWS_AUTH_PATH,
  DEPLOY_ROLE,
  EXTERNAL_SECRETS_ROLE,
  EXTERNAL_SECRETS_SERVICE_ACCOUNT,
  KUBERNETES_AUTH_PATH,
  KV_MOUNT,
  SERVICE_READ_POLICY,
  SNAPSHOT_ROLE,
  SNAPSHOT_SERVICE_ACCOUNT,
  VAULT_NAMESPACE,
  VAULT_TOKEN_AUDIENCE,
} from "./constants";
import { VaultHumanAccess } from "./human-access";
import { NATS_ACCOUNTS_KEY, NATS_ACCOUNTS_SECRET, NATS_ACCOUNTS_SEED } from "./nats-accounts";
import { VaultTeamSync } from "./team-sync";

export interface VaultConfigArgs {
  /** Public (ingress) address, or the in-cluster one when Vault has no public ingress. */
  address: string;
  /** Region of the regional STS endpoint the AWS login is signed for. */
  region: string;
  /** Value of the X-Vault-AWS-IAM-Server-ID header (Vault's host): a signed login cannot be replayed elsewhere. */
  loginHeaderValue: string;
  /**
   * The init Job (Vault initialised, the deploy login set up) and, when the address is the
   * public one, what makes it answer: DNS record, NLB Service and wildcard certificate.
   */
  after: pulumi.Resource[];
  /** People: SSO login, platform admins, teams from services-root. */
  people: VaultPeopleArgs;
}

export interface VaultPeopleArgs {
  /** The team sync's NATS store and limits depend on it. */
  environment: Environment;
  oidc: OidcSettings;
  platformAdminGroups: readonly string[];
  /** vault.<domain>: the UI's OIDC callback host. */
  vaultHost: string;
  /** In-cluster address the team sync CronJob talks to. */
  internalAddress: string;
  servicesRepoUrl: string;
  gitCredentialsSecretName: string;
}

/** Read access for a namespace to `secret/data/<domain>/<namespace>` and below. */
export function serviceReadPolicy(kubernetesAuthAccessor: string): string {
  const namespace = `{{identity.entity.aliases.${kubernetesAuthAccessor}.metadata.service_account_namespace}}`;
  return [
    `path "${KV_MOUNT}/data/+/${namespace}" {`,
    `  capabilities = ["read"]`,
    `}`,
    `path "${KV_MOUNT}/data/+/${namespace}/*" {`,
    `  capabilities = ["read"]`,
    `}`,
    `path "${KV_MOUNT}/metadata/+/${namespace}" {`,
    `  capabilities = ["read"]`,
    `}`,
    "",
  ].join("\n");
}

export function stsEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com`;
}

export const SNAPSHOT_POLICY = `path "sys/storage/raft/snapshot" {
  capabilities = ["read"]
}
`;

export class VaultConfig extends pulumi.ComponentResource {
  public readonly provider: vault.Provider;
  /** The role the raft-snapshot CronJob logs in with (VaultSnapshots waits for it alone). */
  public readonly snapshotRole: vault.kubernetes.AuthBackendRole;

  constructor(name: string, args: VaultConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:VaultConfig", name, {}, opts);
    this.provider = new vault.Provider(
      `${name}-provider`,
      {
        address: args.address,
        // The deploying identity's own AWS credentials log in (IAM auth); the root token
        // stays in Secrets Manager for break-glass and is never read by Pulumi.
        authLoginAws: {
          mount: AWS_AUTH_PATH,
          role: DEPLOY_ROLE,
          awsRegion: args.region,
          awsStsEndpoint: stsEndpoint(args.region),
          headerValue: args.loginHeaderValue,
        },
        skipChildToken: false,
        maxLeaseTtlSeconds: 1200,
      },
      { parent: this, dependsOn: args.after },
    );
    const inVault = { parent: this, provider: this.provider, dependsOn: args.after };

    const kv = new vault.Mount(`${name}-kv`, { path: KV_MOUNT, type: "kv", options: { version: "2" }, description: "Application secrets (kv-v2)" }, inVault);
    // Seeded once; the team sync owns it afterwards (a restored Vault keeps its own).
    new vault.kv.SecretV2(
      `${name}-nats-accounts`,
      { mount: kv.path, name: NATS_ACCOUNTS_SECRET, dataJson: JSON.stringify({ [NATS_ACCOUNTS_KEY]: NATS_ACCOUNTS_SEED }) },
      { ...inVault, dependsOn: [...args.after, kv], ignoreChanges: ["dataJson"] },
    );
    new vault.Audit(`${name}-audit`, { type: "file", path: AUDIT_DEVICE_PATH, options: { file_path: "stdout", log_raw: "false" } }, inVault);

    const kubernetes = new vault.AuthBackend(`${name}-k8s-auth`, { type: "kubernetes", path: KUBERNETES_AUTH_PATH }, inVault);
    const k8sAuth = { ...inVault, dependsOn: [...args.after, kubernetes] };
    // Vault runs in the cluster: it reviews tokens with its own service account (chart's authDelegator).
    new vault.kubernetes.AuthBackendConfig(
      `${name}-k8s-auth-config`,
      { backend: kubernetes.path, kubernetesHost: "https://kubernetes.default.svc", disableLocalCaJwt: false },
      k8sAuth,
    );

    const servicePolicy = new vault.Policy(
      `${name}-service-read`,
      { name: SERVICE_READ_POLICY, policy: kubernetes.accessor.apply(serviceReadPolicy) },
      k8sAuth,
    );
    new vault.kubernetes.AuthBackendRole(
      `${name}-external-secrets-role`,
      {
        backend: kubernetes.path,
        roleName: EXTERNAL_SECRETS_ROLE,
        boundServiceAccountNames: [EXTERNAL_SECRETS_SERVICE_ACCOUNT],
        // Any namespace may log in; the templated policy confines it to its own path.
        boundServiceAccountNamespaces: ["*"],
        audience: VAULT_TOKEN_AUDIENCE,
        tokenPolicies: [servicePolicy.name],
        tokenTtl: 900,
        tokenMaxTtl: 3600,
      },
      k8sAuth,
    );

    const snapshotPolicy = new vault.Policy(`${name}-raft-snapshot`, { name: SNAPSHOT_ROLE, policy: SNAPSHOT_POLICY }, inVault);
    this.snapshotRole = new vault.kubernetes.AuthBackendRole(
      `${name}-raft-snapshot-role`,
      {
        backend: kubernetes.path,
        roleName: SNAPSHOT_ROLE,
        boundServiceAccountNames: [SNAPSHOT_SERVICE_ACCOUNT],
        boundServiceAccountNamespaces: [VAULT_NAMESPACE],
        audience: VAULT_TOKEN_AUDIENCE,
        tokenPolicies: [snapshotPolicy.name],
        tokenTtl: 600,
        tokenMaxTtl: 600,
      },
      k8sAuth,
    );
    const people = new VaultHumanAccess(
      `${name}-people`,
      {
        oidc: args.people.oidc,
        platformAdminGroups: args.people.platformAdminGroups,
        vaultHost: args.people.vaultHost,
        kubernetesAuthPath: kubernetes.path,
        kvMount: kv,
      },
      { parent: this, providers: [this.provider], dependsOn: [...args.after, kubernetes] },
    );
    new VaultTeamSync(
      `${name}-team-sync`,
      {
        environment: args.people.environment,
        vaultAddress: args.people.internalAddress,
        servicesRepoUrl: args.people.servicesRepoUrl,
        gitCredentialsSecretName: args.people.gitCredentialsSecretName,
        after: [people],
      },
      { parent: this },
    );
    this.registerOutputs({ kvMount: KV_MOUNT, kubernetesAuthPath: KUBERNETES_AUTH_PATH });
  }
}
