// Vault for people: an OIDC login against the platform's SSO issuer (the same IdP client as
// Argo CD, holodeck:argocdOidc; its redirect URIs must list oidcRedirectUris), platform admins
// mapped from holodeck:platformAdminGroups to the `platform-admin` policy, and the Kubernetes
// auth role of the team sync (team-sync.ts), which maps each services-root team to its own
// `secret/<domain>/<service>` paths. Every request, writes included, goes to the file audit
// device VaultConfig enables.
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { OidcSettings } from "../argocd/argocd";
import { readJsonSecret } from "../shared/secrets-manager";
import { KV_MOUNT, VAULT_TOKEN_AUDIENCE, VAULT_NAMESPACE } from "./constants";
import {
  DEVELOPER_ROLE,
  DEVELOPER_ROLE_SETTINGS,
  GRAFANA_ROLES_SECRET,
  grafanaRolesSecret,
  OIDC_AUTH_PATH,
  oidcRedirectUris,
  PLATFORM_ADMIN_POLICY,
  PLATFORM_ADMIN_POLICY_HCL,
  PLATFORM_ADMINS_GROUP,
  teamSyncPolicyHcl,
  TEAM_SYNC_ROLE,
  TEAM_SYNC_SERVICE_ACCOUNT,
} from "./human-access-policy";

export interface VaultHumanAccessArgs {
  /** The platform's SSO (holodeck:argocdOidc): issuer, client id, Secrets Manager name of the client secret. */
  oidc: OidcSettings;
  platformAdminGroups: readonly string[];
  /** Vault's public host (vault.<domain>): the UI's OIDC callback. */
  vaultHost: string;
  /** The Kubernetes auth mount's path (the team sync logs in there). */
  kubernetesAuthPath: pulumi.Input<string>;
  /** The kv-v2 mount (Grafana's role mapping is written there). */
  kvMount: pulumi.Resource;
}

export class VaultHumanAccess extends pulumi.ComponentResource {
  public readonly oidcAccessor: pulumi.Output<string>;

  constructor(name: string, args: VaultHumanAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:VaultHumanAccess", name, {}, opts);
    // Children do not inherit the component's dependsOn: without it they would configure Vault before its init Job.
    const inVault = { parent: this, dependsOn: opts?.dependsOn };
    const client = readJsonSecret(args.oidc.clientSecretName, ["clientSecret"], { parent: this });
    const oidc = new vault.jwt.AuthBackend(
      `${name}-oidc`,
      {
        path: OIDC_AUTH_PATH,
        type: "oidc",
        description: "SSO login for people",
        oidcDiscoveryUrl: args.oidc.issuer,
        boundIssuer: args.oidc.issuer,
        oidcClientId: args.oidc.clientId,
        oidcClientSecret: client.clientSecret,
        defaultRole: DEVELOPER_ROLE,
        tune: {
          listingVisibility: "unauth",
          defaultLeaseTtl: `${DEVELOPER_ROLE_SETTINGS.token_ttl}s`,
          maxLeaseTtl: `${DEVELOPER_ROLE_SETTINGS.token_max_ttl}s`,
        },
      },
      inVault,
    );
    const role = DEVELOPER_ROLE_SETTINGS;
    const onOidc = { parent: this, dependsOn: [oidc] };
    new vault.jwt.AuthBackendRole(
      `${name}-developer`,
      {
        backend: OIDC_AUTH_PATH,
        roleName: DEVELOPER_ROLE,
        roleType: "oidc",
        boundAudiences: [args.oidc.clientId],
        userClaim: role.user_claim,
        groupsClaim: role.groups_claim,
        oidcScopes: role.oidc_scopes,
        allowedRedirectUris: oidcRedirectUris(args.vaultHost),
        tokenPolicies: role.token_policies,
        tokenTtl: role.token_ttl,
        tokenMaxTtl: role.token_max_ttl,
      },
      onOidc,
    );

    const adminPolicy = new vault.Policy(`${name}-platform-admin`, { name: PLATFORM_ADMIN_POLICY, policy: PLATFORM_ADMIN_POLICY_HCL }, inVault);
    // Vault allows one alias per mount on an external group: one group per admin SSO group.
    const adminGroups = args.platformAdminGroups.map((ssoGroup, index) => {
      const group = new vault.identity.Group(
        `${name}-platform-admins-${index}`,
        { name: index === 0 ? PLATFORM_ADMINS_GROUP : `${PLATFORM_ADMINS_GROUP}--${index + 1}`, type: "external", policies: [adminPolicy.name] },
        inVault,
      );
      const alias = new vault.identity.GroupAlias(
        `${name}-platform-admins-${index}-alias`,
        { name: ssoGroup, mountAccessor: oidc.accessor, canonicalId: group.id },
        inVault,
      );
      return { group, alias };
    });

    // Grafana maps the same groups to Admin (of every organisation, through the team sync): one
    // config value, no second list to keep in step.
    new vault.kv.SecretV2(
      `${name}-grafana-roles`,
      { mount: KV_MOUNT, name: GRAFANA_ROLES_SECRET, dataJson: JSON.stringify(grafanaRolesSecret(args.platformAdminGroups)) },
      { parent: this, dependsOn: [args.kvMount] },
    );

    // The team sync's policy names the admins' groups and aliases it may never touch.
    const syncPolicyHcl = pulumi
      .all([pulumi.all(adminGroups.map((a) => a.group.id)), pulumi.all(adminGroups.map((a) => a.alias.id))])
      .apply(([groupIds, aliasIds]) => teamSyncPolicyHcl({ groupIds, aliasIds }));
    const syncPolicy = new vault.Policy(`${name}-team-sync`, { name: TEAM_SYNC_ROLE, policy: syncPolicyHcl }, inVault);
    new vault.kubernetes.AuthBackendRole(
      `${name}-team-sync-role`,
      {
        backend: args.kubernetesAuthPath,
        roleName: TEAM_SYNC_ROLE,
        boundServiceAccountNames: [TEAM_SYNC_SERVICE_ACCOUNT],
        boundServiceAccountNamespaces: [VAULT_NAMESPACE],
        audience: VAULT_TOKEN_AUDIENCE,
        tokenPolicies: [syncPolicy.name],
        tokenTtl: 600,
        tokenMaxTtl: 600,
      },
      inVault,
    );
    this.oidcAccessor = oidc.accessor;
    this.registerOutputs({ oidcPath: OIDC_AUTH_PATH });
  }
}
