// Pulumi configures Vault as the deploy identity, whose only policy is DEPLOY_POLICY (written by
// the init Job). Every vault resource a stack records must be manageable under it: each type's
// API paths (the ones terraform-provider-vault calls to create, read, update and delete it) are
// evaluated against the policy with the ACL model (test/self-service/vault-acl.ts). A new
// resource type fails here until its paths are listed, and then until the policy grants them.
import { describe, expect, it } from "vitest";
import { DEPLOY_POLICY } from "../../bootstrap/vault/init-policy";
import { recordedStack } from "../harness/stacks";
import { allows, parsePolicy, type Capability } from "../self-service/vault-acl";
import { STACKS } from "./helpers";

const CRUD: Capability[] = ["create", "read", "update", "delete"];
type Inputs = Record<string, unknown>;
const str = (inputs: Inputs, key: string): string => {
  const value = inputs[key];
  if (typeof value !== "string") throw new Error(`input ${key} is not a recorded string: ${JSON.stringify(value)}`);
  return value;
};

/** The API paths (and what is done on them) of each vault resource type, from its inputs. */
const PATHS: Record<string, (inputs: Inputs) => [string, Capability[]][]> = {
  "vault:index/mount:Mount": (i) => [
    [`sys/mounts/${str(i, "path")}`, CRUD],
    [`sys/mounts/${str(i, "path")}/tune`, ["read", "update"]],
  ],
  "vault:index/audit:Audit": (i) => [[`sys/audit/${str(i, "path")}`, CRUD]],
  "vault:index/authBackend:AuthBackend": (i) => [
    [`sys/auth/${str(i, "path")}`, CRUD],
    [`sys/mounts/auth/${str(i, "path")}/tune`, ["read", "update"]],
  ],
  "vault:jwt/authBackend:AuthBackend": (i) => [
    [`sys/auth/${str(i, "path")}`, CRUD],
    [`sys/mounts/auth/${str(i, "path")}/tune`, ["read", "update"]],
    [`auth/${str(i, "path")}/config`, CRUD],
  ],
  "vault:kubernetes/authBackendConfig:AuthBackendConfig": (i) => [[`auth/${str(i, "backend")}/config`, CRUD]],
  "vault:kubernetes/authBackendRole:AuthBackendRole": (i) => [[`auth/${str(i, "backend")}/role/${str(i, "roleName")}`, CRUD]],
  "vault:jwt/authBackendRole:AuthBackendRole": (i) => [[`auth/${str(i, "backend")}/role/${str(i, "roleName")}`, CRUD]],
  "vault:index/policy:Policy": (i) => [[`sys/policies/acl/${str(i, "name")}`, CRUD]],
  "vault:identity/group:Group": () => [
    ["identity/group", ["create", "update"]],
    ["identity/group/id/0b1c2d3e", ["read", "update", "delete"]],
  ],
  "vault:identity/groupAlias:GroupAlias": () => [
    ["identity/group-alias", ["create", "update"]],
    ["identity/group-alias/id/4f5a6b7c", ["read", "update", "delete"]],
  ],
  "vault:kv/secretV2:SecretV2": (i) => [
    [`${str(i, "mount")}/data/${str(i, "name")}`, CRUD],
    [`${str(i, "mount")}/metadata/${str(i, "name")}`, ["read", "delete"]],
  ],
};

const deploy = [parsePolicy(DEPLOY_POLICY)];

describe("DEPLOY_POLICY, word for word", () => {
  it("grants the deploy policy exactly what config.ts and human-access.ts manage (below: each resource against it)", () => {
    const paths = [...DEPLOY_POLICY.matchAll(/^path "([^"]+)"/gm)].map((m) => m[1]);
    expect(paths).toEqual([
      "sys/mounts",
      "sys/mounts/secret",
      "sys/mounts/secret/tune",
      "sys/auth",
      "sys/auth/kubernetes",
      "sys/mounts/auth/kubernetes",
      "sys/mounts/auth/kubernetes/tune",
      "auth/kubernetes/config",
      "auth/kubernetes/role/*",
      "sys/policies/acl/service-read",
      "sys/policies/acl/raft-snapshot",
      "sys/policy/service-read",
      "sys/policy/raft-snapshot",
      "sys/audit",
      "sys/audit/stdout",
      "auth/token/create",
      "sys/auth/oidc",
      "sys/mounts/auth/oidc",
      "sys/mounts/auth/oidc/tune",
      "auth/oidc/config",
      "auth/oidc/role/*",
      "sys/policies/acl/platform-admin",
      "sys/policy/platform-admin",
      "sys/policies/acl/team-sync",
      "sys/policy/team-sync",
      "identity/group",
      "identity/group/id/*",
      "identity/group-alias",
      "identity/group-alias/id/*",
      "secret/data/platform/monitoring/grafana-roles",
      "secret/metadata/platform/monitoring/grafana-roles",
      "secret/data/platform/nats/accounts",
      "secret/metadata/platform/nats/accounts",
    ]);
    // The only secret data: the two secrets Pulumi writes itself.
    expect(paths.filter((path) => path.startsWith("secret/"))).toHaveLength(4);
    expect(DEPLOY_POLICY).not.toMatch(/sys\/raw|auth\/aws|"\*"/);
  });
});

describe.each(STACKS)("%s: the deploy identity may manage every vault resource the stack declares", (stack) => {
  const vaultResources = recordedStack(stack).resources.filter((r) => r.type.startsWith("vault:") && r.type !== "pulumi:providers:vault");

  it("and nothing it declares is a type without listed paths", () => {
    expect(vaultResources.length).toBeGreaterThan(10);
    expect(vaultResources.map((r) => r.type).filter((type) => !(type in PATHS))).toEqual([]);
  });

  it("each path with each capability it needs", () => {
    const denied = vaultResources.flatMap((r) =>
      PATHS[r.type](r.inputs).flatMap(([path, capabilities]) =>
        capabilities.filter((capability) => !allows(deploy, capability, path)).map((capability) => `${r.name}: ${capability} ${path}`),
      ),
    );
    expect(denied).toEqual([]);
  });

  it("but no application secret, no team policy and no other auth method", () => {
    for (const path of [
      "secret/data/services/python-example",
      "secret/data/platform/nats/auth",
      "sys/policies/acl/team-checkout",
      "sys/auth/userpass",
      "sys/raw/core",
    ])
      expect(allows(deploy, "read", path) || allows(deploy, "update", path), path).toBe(false);
  });
});
