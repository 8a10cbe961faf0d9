// What the program records for people in Vault: the OIDC login against the stack's SSO issuer,
// platform admins from holodeck:platformAdminGroups (Vault groups and Grafana's role mapping
// from the same value), and the team sync CronJob with its narrow Kubernetes auth role.
import { beforeAll, describe, expect, it } from "vitest";
import { KUBERNETES_AUTH_PATH, VAULT_NAMESPACE, VAULT_TOKEN_AUDIENCE } from "../../bootstrap/vault/constants";
import {
  ALERTS_SECRET_PREFIX,
  DEVELOPER_ROLE,
  GRAFANA_ADMIN_GROUPS_KEY,
  GRAFANA_ROLE_ENV,
  GRAFANA_ROLES_SECRET,
  OIDC_AUTH_PATH,
  PLATFORM_ADMIN_POLICY,
  PLATFORM_ADMINS_GROUP,
  teamSyncPolicyHcl,
  TEAM_SYNC_ROLE,
  TEAM_SYNC_SERVICE_ACCOUNT,
} from "../../bootstrap/vault/human-access-policy";
import { TEAM_SYNC_SCHEDULE } from "../../bootstrap/vault/team-sync";
import { IMAGES } from "../../bootstrap/versions";
import { at, k8sObject } from "../bootstrap/helpers";
import { recordedStack, runStack, StackRunError, type RecordedResource, type StackRecording } from "../harness/stacks";

const STACK = "staging-eu-west-1";
const ISSUER = "https://sso.holodeck.dev/realms/holodeck";

function one(rec: StackRecording, type: string, suffix: string): RecordedResource {
  const found = rec.byType(type).filter((r) => r.name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} *${suffix}, found ${found.length}`);
  return found[0];
}

describe("Vault for people (recorded)", () => {
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(STACK);
  });

  it("lets every SSO user log in through OIDC against the stack's issuer, with no policy of its own", () => {
    expect(one(rec, "vault:jwt/authBackend:AuthBackend", "-oidc").inputs).toMatchObject({
      path: OIDC_AUTH_PATH,
      type: "oidc",
      oidcDiscoveryUrl: ISSUER,
      boundIssuer: ISSUER,
      defaultRole: DEVELOPER_ROLE,
    });
    expect(one(rec, "vault:jwt/authBackendRole:AuthBackendRole", "-developer").inputs).toMatchObject({
      backend: OIDC_AUTH_PATH,
      roleName: DEVELOPER_ROLE,
      roleType: "oidc",
      userClaim: "email",
      groupsClaim: "groups",
      tokenPolicies: ["default"],
      allowedRedirectUris: ["https://vault.staging.eu-west-1.holodeck.dev/ui/vault/auth/oidc/oidc/callback", "http://localhost:8250/oidc/callback"],
    });
  });

  it("maps holodeck:platformAdminGroups to the platform-admin policy, and the same groups to Grafana Admin", () => {
    expect(one(rec, "vault:identity/group:Group", "-platform-admins-0").inputs).toMatchObject({
      name: PLATFORM_ADMINS_GROUP,
      type: "external",
      policies: [PLATFORM_ADMIN_POLICY],
    });
    expect(one(rec, "vault:identity/groupAlias:GroupAlias", "-platform-admins-0-alias").inputs.name).toBe("holodeck-platform-admins");
    const grafana = one(rec, "vault:kv/secretV2:SecretV2", "-grafana-roles").inputs;
    expect(grafana.name).toBe(GRAFANA_ROLES_SECRET);
    expect(JSON.parse(String(grafana.dataJson))).toEqual({
      [GRAFANA_ROLE_ENV]: "(contains(groups[*], 'holodeck-platform-admins')) && 'Admin' || 'None'",
      [GRAFANA_ADMIN_GROUPS_KEY]: '["holodeck-platform-admins"]',
    });
  });

  it("follows another value of holodeck:platformAdminGroups everywhere", async () => {
    const other = await runStack(STACK, { config: { "holodeck:platformAdminGroups": '["sre","infra-leads"]' } });
    const aliases = other.byType("vault:identity/groupAlias:GroupAlias").map((r) => r.inputs.name);
    expect(aliases).toEqual(["sre", "infra-leads"]);
    expect(JSON.parse(String(one(other, "vault:kv/secretV2:SecretV2", "-grafana-roles").inputs.dataJson))).toEqual({
      [GRAFANA_ROLE_ENV]: "(contains(groups[*], 'sre') || contains(groups[*], 'infra-leads')) && 'Admin' || 'None'",
      [GRAFANA_ADMIN_GROUPS_KEY]: '["sre","infra-leads"]',
    });
    const argocd = other.byType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "argo-cd");
    expect(at(argocd?.inputs, "values.configs.rbac")).toMatchObject({ "policy.csv": "g, sre, role:admin\ng, infra-leads, role:admin\n" });
  });

  it.each([
    ['["platform admins"]', "holodeck:platformAdminGroups[0]", "not an SSO group name"],
    ["[]", "holodeck:platformAdminGroups", "empty or duplicated"],
    ['["a","a"]', "holodeck:platformAdminGroups", "empty or duplicated"],
  ])("refuses holodeck:platformAdminGroups = %s, naming the key", async (value, key, problem) => {
    const err = await runStack(STACK, { config: { "holodeck:platformAdminGroups": value } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StackRunError);
    const line = (err as Error).message.split("\n").find((l) => l.startsWith(`  - ${key} = `));
    expect(line).toContain(problem);
    expect(line).toContain("allowed: a non-empty list of distinct SSO group names");
  });

  it("gives the team sync a Kubernetes login whose policy writes only team-* policies and groups, and protects the admins' group and alias by id", () => {
    const group = one(rec, "vault:identity/group:Group", "-platform-admins-0");
    const alias = one(rec, "vault:identity/groupAlias:GroupAlias", "-platform-admins-0-alias");
    const policy = one(rec, "vault:index/policy:Policy", "-team-sync");
    // The mocks give a resource the id "<name>-id".
    const protectedGroups = { groupIds: [`${group.name}-id`], aliasIds: [`${alias.name}-id`] };
    expect(policy.inputs).toEqual(expect.objectContaining({ name: TEAM_SYNC_ROLE, policy: teamSyncPolicyHcl(protectedGroups) }));
    expect(policy.propertyDependencies.policy).toEqual(expect.arrayContaining([group.urn, alias.urn]));
    expect(one(rec, "vault:kubernetes/authBackendRole:AuthBackendRole", "-team-sync-role").inputs).toMatchObject({
      backend: KUBERNETES_AUTH_PATH,
      roleName: TEAM_SYNC_ROLE,
      boundServiceAccountNames: [TEAM_SYNC_SERVICE_ACCOUNT],
      boundServiceAccountNamespaces: [VAULT_NAMESPACE],
      audience: VAULT_TOKEN_AUDIENCE,
    });
  });

  it("runs the team sync every 5 minutes: clone services-root, then team-sync.py with the platform's names", () => {
    const cronJob = k8sObject(rec, "CronJob", "vault-team-sync");
    expect(at(cronJob.inputs, "spec.schedule")).toBe(TEAM_SYNC_SCHEDULE);
    const pod = at<{
      initContainers: { image: string; env: { name: string; value?: string }[] }[];
      containers: { image: string; env: { name: string; value?: string }[] }[];
    }>(cronJob.inputs, "spec.jobTemplate.spec.template.spec");
    expect(pod.initContainers.map((c) => c.image)).toEqual([IMAGES.git]);
    expect(pod.initContainers[0].env.find((e) => e.name === "REPO_URL")?.value).toBe("https://gitlab.com/holodeck/services-root.git");
    // Vault learns teams from what the publish gate published, never from a push to main.
    expect(pod.initContainers[0].env.find((e) => e.name === "REPO_BRANCH")?.value).toBe("published");
    expect((pod.initContainers[0] as { command?: string[] }).command?.[2]).toContain('git clone --depth 1 --quiet --branch "$REPO_BRANCH" "$REPO_URL"');
    expect(pod.containers.map((c) => c.image)).toEqual([IMAGES.python]);
    const env = Object.fromEntries(pod.containers[0].env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ OIDC_AUTH_PATH, TEAM_SYNC_ROLE, KUBERNETES_AUTH_PATH, ALERTS_SECRET_PREFIX, KV_MOUNT: "secret" });
  });
});
