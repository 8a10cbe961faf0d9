// The argocd-cm Lua health checks, executed with gopher-lua the way Argo CD runs them,
// on the status shapes Crossplane v2 and External Secrets write.
import { describe, expect, it } from "vitest";
import { EXTERNAL_SECRET_HEALTH, POSTGRES_INSTANCE_HEALTH } from "../../bootstrap/argocd/argocd-health";
import { runHealthCheck } from "../harness/appset-render";

const condition = (type: string, status: string, extra: Record<string, string> = {}) => ({
  type,
  status,
  lastTransitionTime: "2026-11-25T12:00:00Z",
  ...extra,
});
const postgres = (conditions?: unknown[]) => ({
  apiVersion: "platform.holodeck.dev/v1alpha1",
  kind: "PostgresInstance",
  metadata: { name: "db", namespace: "python-example" },
  spec: { storageGB: 20, engineVersion: "17", databaseName: "app", connectionSecretName: "db-conn" },
  ...(conditions ? { status: { conditions } } : {}),
});
const externalSecret = (conditions?: unknown[]) => ({
  apiVersion: "external-secrets.io/v1",
  kind: "ExternalSecret",
  metadata: { name: "python-example-vault", namespace: "python-example" },
  ...(conditions ? { status: { conditions } } : {}),
});

describe("PostgresInstance health (sync waves wait for the database)", () => {
  it.each([
    ["no status yet", postgres(), { status: "Progressing", message: "Waiting for Crossplane to report the database status" }],
    [
      "synced, RDS still creating",
      postgres([
        condition("Synced", "True"),
        condition("Ready", "False", { reason: "Creating", message: "Composite resource claim is waiting for composite resource to become Ready" }),
      ]),
      { status: "Progressing", message: "Composite resource claim is waiting for composite resource to become Ready" },
    ],
    [
      "synced and ready",
      postgres([condition("Synced", "True"), condition("Ready", "True", { reason: "Available" })]),
      { status: "Healthy", message: "Database is ready" },
    ],
    [
      "composition error",
      postgres([condition("Synced", "False", { reason: "ReconcileError", message: "cannot compose resources" }), condition("Ready", "False")]),
      { status: "Degraded", message: "cannot compose resources" },
    ],
  ])("%s", (_case, object, expected) => {
    expect(runHealthCheck(POSTGRES_INSTANCE_HEALTH, object)).toEqual(expected);
  });
});

describe("ExternalSecret health", () => {
  it.each([
    ["not synced yet", externalSecret(), { status: "Progressing", message: "Waiting for the secret to be synced from Vault" }],
    [
      "synced",
      externalSecret([condition("Ready", "True", { reason: "SecretSynced", message: "secret synced" })]),
      { status: "Healthy", message: "secret synced" },
    ],
    [
      "Vault denied",
      externalSecret([condition("Ready", "False", { reason: "SecretSyncedError", message: "permission denied" })]),
      { status: "Degraded", message: "permission denied" },
    ],
  ])("%s", (_case, object, expected) => {
    expect(runHealthCheck(EXTERNAL_SECRET_HEALTH, object)).toEqual(expected);
  });
});

describe("the Lua runner", () => {
  it("fails on a script that does not return a valid health status", () => {
    expect(() => runHealthCheck('return {status = "Fine"}', postgres())).toThrow(/invalid status "Fine"/);
    expect(() => runHealthCheck("return obj.status.conditions[1]", postgres())).toThrow(/lua:/);
  });
});
