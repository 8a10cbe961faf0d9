// The other side of what the bootstrap configures (contracts §5): the ClusterSecretStore
// platform-apps ships must log in to exactly the Vault mount, role and per-namespace
// service account that bootstrap/vault-config.ts creates, trusting the internal CA.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INTERNAL_CA_ISSUER } from "../../bootstrap/cluster-issuers";
import { CERT_MANAGER_NAMESPACE } from "../../bootstrap/cert-manager";
import { EXTERNAL_SECRETS_ROLE, EXTERNAL_SECRETS_SERVICE_ACCOUNT, KUBERNETES_AUTH_PATH, KV_MOUNT } from "../../bootstrap/vault-config";
import { REPO_ROOT } from "../harness/run-stack";
import { at } from "./helpers";

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
      serviceAccountRef: { name: EXTERNAL_SECRETS_SERVICE_ACCOUNT },
    });
  });

  it("trusts Vault's TLS through the internal CA the bootstrap creates", () => {
    expect(at(store, "spec.provider.vault.caProvider")).toEqual({ type: "Secret", name: INTERNAL_CA_ISSUER, namespace: CERT_MANAGER_NAMESPACE, key: "ca.crt" });
  });
});
