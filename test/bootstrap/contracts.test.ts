// The other side of what the bootstrap configures (contracts §5): the ClusterSecretStore
// platform-apps ships must log in to exactly the Vault mount, role and per-namespace
// service account that bootstrap/vault/config.ts creates, trusting the internal CA.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INTERNAL_CA_ISSUER } from "../../bootstrap/cert-manager/cluster-issuers";
import { CERT_MANAGER_NAMESPACE } from "../../bootstrap/cert-manager/cert-manager";
import { EXTERNAL_SECRETS_ROLE, EXTERNAL_SECRETS_SERVICE_ACCOUNT, KUBERNETES_AUTH_PATH, KV_MOUNT, VAULT_TOKEN_AUDIENCE } from "../../bootstrap/vault/constants";
import { recordedStack, REPO_ROOT, type StackRecording } from "../harness/stacks";
import { STACKS, at, input } from "./helpers";

const STORE_FILE = path.join(REPO_ROOT, "platform-apps", "manifests", "external-secrets", "cluster-secret-store.yaml");

describe("ClusterSecretStore vault (platform-apps) against the bootstrap's Vault configuration", () => {
  const store = parse(readFileSync(STORE_FILE, "utf8")) as Record<string, unknown>;

  it("reads kv-v2 at the bootstrap's mount", () => {
    expect([at(store, "kind"), at(store, "metadata.name")]).toEqual(["ClusterSecretStore", "vault"]);
    expect(at(store, "spec.provider.vault.path")).toBe(KV_MOUNT);
    expect(at(store, "spec.provider.vault.version")).toBe("v2");
  });

  it("logs in with the external-secrets role as the ExternalSecret's own namespace (referent auth)", () => {
    expect(at(store, "spec.provider.vault.auth.kubernetes")).toEqual({
      mountPath: KUBERNETES_AUTH_PATH,
      role: EXTERNAL_SECRETS_ROLE,
      serviceAccountRef: { name: EXTERNAL_SECRETS_SERVICE_ACCOUNT, audiences: [VAULT_TOKEN_AUDIENCE] },
    });
  });

  it("trusts Vault's TLS through the internal CA the bootstrap creates", () => {
    expect(at(store, "spec.provider.vault.caProvider")).toEqual({ type: "Secret", name: INTERNAL_CA_ISSUER, namespace: CERT_MANAGER_NAMESPACE, key: "ca.crt" });
  });
});

describe.each(STACKS)("%s: the store's token audience is the one Vault's external-secrets role is bound to", (stack) => {
  const store = parse(readFileSync(STORE_FILE, "utf8")) as Record<string, unknown>;
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });

  it("ESO mints the token for exactly the audience the role accepts, and the role accepts no other", () => {
    const role = rec.one("vault:kubernetes/authBackendRole:AuthBackendRole", "-external-secrets-role");
    expect(input(role, "roleName")).toBe(at(store, "spec.provider.vault.auth.kubernetes.role"));
    // Vault checks one audience; ESO must request that one alone (an extra audience would
    // make the token usable elsewhere too, a missing one would be refused).
    expect(at(store, "spec.provider.vault.auth.kubernetes.serviceAccountRef.audiences")).toEqual([input<string>(role, "audience")]);
    expect(input(role, "audience")).toBe("vault");
  });
});
