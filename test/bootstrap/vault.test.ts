// Vault beyond its chart: the configuration made with @pulumi/vault (explicit provider,
// kv-v2, audit, Kubernetes auth, the namespace-templated read policy), and the init and
// snapshot scripts, run for real with /bin/sh against fake `vault` / `aws` commands to
// prove the init step is idempotent and never loses the recovery keys.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { INIT_SCRIPT, STORE_SCRIPT } from "../../bootstrap/vault-init";
import { SNAPSHOT_SCRIPT, UPLOAD_SCRIPT } from "../../bootstrap/vault-snapshots";
import { serviceReadPolicy } from "../../bootstrap/vault-config";
import { runStack, type StackRecording } from "../harness/run-stack";
import { STACKS, input } from "./helpers";

describe.each(STACKS)("%s Vault configuration", (stack) => {
  let rec: StackRecording;
  beforeAll(async () => {
    rec = await runStack(stack);
  });
  const vaultResource = (type: string, suffix: string) => rec.one(type, suffix);

  it("configures Vault through one explicit provider at the public address", () => {
    const providers = rec.byType("pulumi:providers:vault");
    expect(providers).toHaveLength(1);
    expect(input<string>(providers[0], "address")).toMatch(/^https:\/\/vault\.(staging|prod)\.eu-(west|central)-1\.holodeck\.dev$/);
    for (const r of rec.resources.filter((x) => x.type.startsWith("vault:"))) expect(String(r.provider).startsWith(providers[0].urn)).toBe(true);
  });

  it("mounts kv-v2 at secret/, audits to stdout and enables Kubernetes auth", () => {
    expect(vaultResource("vault:index/mount:Mount", "-kv").inputs).toMatchObject({ path: "secret", type: "kv", options: { version: "2" } });
    expect(vaultResource("vault:index/audit:Audit", "-audit").inputs).toMatchObject({ type: "file", options: { file_path: "stdout" } });
    expect(vaultResource("vault:index/authBackend:AuthBackend", "-k8s-auth").inputs).toMatchObject({ type: "kubernetes", path: "kubernetes" });
    expect(vaultResource("vault:kubernetes/authBackendConfig:AuthBackendConfig", "-k8s-auth-config").inputs).toMatchObject({ kubernetesHost: "https://kubernetes.default.svc" });
  });

  it("binds External Secrets' role to the vault-secrets account of any namespace, confined by the templated policy", () => {
    const role = vaultResource("vault:kubernetes/authBackendRole:AuthBackendRole", "-external-secrets-role");
    expect(role.inputs).toMatchObject({
      roleName: "external-secrets",
      boundServiceAccountNames: ["vault-secrets"],
      boundServiceAccountNamespaces: ["*"],
      audience: "vault",
      tokenPolicies: ["service-read"],
      tokenTtl: 900,
    });
    const accessor = /^auth_kubernetes_[0-9a-f]{8}$/;
    const policy = input<string>(vaultResource("vault:index/policy:Policy", "-service-read"), "policy");
    const template = policy.match(/\{\{identity\.entity\.aliases\.(\w+)\.metadata\.service_account_namespace\}\}/g) ?? [];
    expect(template).toHaveLength(3);
    expect(template[0]?.split(".")[3]).toMatch(accessor);
    expect(policy).not.toMatch(/path "secret\/data\/\*"/);
  });

  it("lets the snapshot role only read the raft snapshot, from the vault namespace", () => {
    expect(vaultResource("vault:kubernetes/authBackendRole:AuthBackendRole", "-raft-snapshot-role").inputs).toMatchObject({
      roleName: "raft-snapshot",
      boundServiceAccountNames: ["vault-snapshot"],
      boundServiceAccountNamespaces: ["vault"],
      audience: "vault",
    });
    const pod = input<Record<string, unknown>>(rec.one("kubernetes:batch/v1:CronJob", "-vault-snapshots-cronjob"), "spec.jobTemplate.spec.template.spec");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes).toContainEqual({
      name: "vault-token",
      projected: { sources: [{ serviceAccountToken: { path: "token", audience: "vault", expirationSeconds: 600 } }] },
    });
    expect(input(vaultResource("vault:index/policy:Policy", "-raft-snapshot"), "policy")).toBe('path "sys/storage/raft/snapshot" {\n  capabilities = ["read"]\n}\n');
  });

  it("runs the init Job as two restricted containers sharing an in-memory volume, restarting in place", () => {
    const job = rec.one("kubernetes:batch/v1:Job", "-vault-init-job");
    expect(input(job, "spec.template.spec.restartPolicy")).toBe("OnFailure");
    expect(input(job, "spec.template.spec.serviceAccountName")).toBe("vault-init");
    expect(input(job, "spec.template.spec.volumes")).toContainEqual({ name: "handoff", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } });
    expect(input<{ image: string }[]>(job, "spec.template.spec.initContainers").map((c) => c.image)).toEqual(["hashicorp/vault:2.0.4"]);
    expect(input<{ image: string }[]>(job, "spec.template.spec.containers").map((c) => c.image)).toEqual(["public.ecr.aws/aws-cli/aws-cli:2.36.49"]);
    const cron = rec.one("kubernetes:batch/v1:CronJob", "-vault-snapshots-cronjob");
    expect(input(cron, "spec.concurrencyPolicy")).toBe("Forbid");
    expect(input(cron, "spec.jobTemplate.spec.template.spec.serviceAccountName")).toBe("vault-snapshot");
  });
});

describe("the namespace-templated read policy", () => {
  it("grants read on <domain>/<namespace> and below, nothing else", () => {
    expect(serviceReadPolicy("auth_kubernetes_1234")).toBe(
      [
        'path "secret/data/+/{{identity.entity.aliases.auth_kubernetes_1234.metadata.service_account_namespace}}" {',
        '  capabilities = ["read"]',
        "}",
        'path "secret/data/+/{{identity.entity.aliases.auth_kubernetes_1234.metadata.service_account_namespace}}/*" {',
        '  capabilities = ["read"]',
        "}",
        'path "secret/metadata/+/{{identity.entity.aliases.auth_kubernetes_1234.metadata.service_account_namespace}}" {',
        '  capabilities = ["read"]',
        "}",
        "",
      ].join("\n"),
    );
  });
});

describe("init and snapshot scripts (real /bin/sh, fake vault and aws commands)", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A fake CLI that logs its arguments and answers from the test's script. */
  function fakeCommands(commands: Record<string, string>): string {
    dir = mkdtempSync(path.join(tmpdir(), "vault-scripts-"));
    for (const [name, body] of Object.entries(commands)) {
      const file = path.join(dir, name);
      writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> "${dir}/calls.log"\n${body}\n`);
      chmodSync(file, 0o755);
    }
    return dir;
  }
  function run(script: string, env: Record<string, string>): { code: number; calls: string[] } {
    let code = 0;
    try {
      execFileSync("/bin/sh", ["-c", script], { env: { PATH: `${dir}:/usr/bin:/bin`, TMPDIR: dir, ...env }, stdio: "pipe" });
    } catch (error) {
      code = (error as { status: number }).status;
    }
    const log = path.join(dir, "calls.log");
    return { code, calls: existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [] };
  }
  const INIT_JSON = '{"recovery_keys_b64":["a2V5"],"root_token":"hvs.root"}';
  const fakeVault = (initialized: boolean): string => `
case "$1" in
  status) echo '{"initialized": ${initialized}, "sealed": ${!initialized}}'; exit ${initialized ? 0 : 2};;
  operator) echo '${INIT_JSON}';;
esac`;

  it("initialises an uninitialised Vault once and hands the result to the store step", () => {
    fakeCommands({ vault: fakeVault(false), aws: "exit 0" });
    const handoff = path.join(dir, "vault-init.json");
    const init = run(INIT_SCRIPT, { HANDOFF_FILE: handoff, VAULT_ADDR: "https://vault-0" });
    expect(init.code).toBe(0);
    expect(init.calls).toEqual(["vault status -format=json", "vault operator init -recovery-shares=5 -recovery-threshold=3 -format=json"]);
    expect(readFileSync(handoff, "utf8").trim()).toBe(INIT_JSON);
    const store = run(STORE_SCRIPT, { HANDOFF_FILE: handoff, SECRET_ARN: "arn:secret" });
    expect(store.code).toBe(0);
    expect(store.calls.at(-1)).toBe(`aws secretsmanager put-secret-value --secret-id arn:secret --secret-string file://${handoff}`);
  });

  it("does nothing when Vault is already initialised (re-run of the Job)", () => {
    fakeCommands({ vault: fakeVault(true), aws: "exit 0" });
    const handoff = path.join(dir, "vault-init.json");
    expect(run(INIT_SCRIPT, { HANDOFF_FILE: handoff, VAULT_ADDR: "https://vault-0" })).toEqual({ code: 0, calls: ["vault status -format=json"] });
    expect(existsSync(handoff)).toBe(false);
    expect(run(STORE_SCRIPT, { HANDOFF_FILE: handoff, SECRET_ARN: "arn:secret" })).toEqual({ code: 0, calls: ["vault status -format=json"] });
  });

  it("keeps the init result when the upload fails, so the restarted store container retries it", () => {
    fakeCommands({ vault: fakeVault(false), aws: "exit 255" });
    const handoff = path.join(dir, "vault-init.json");
    run(INIT_SCRIPT, { HANDOFF_FILE: handoff, VAULT_ADDR: "https://vault-0" });
    expect(run(STORE_SCRIPT, { HANDOFF_FILE: handoff, SECRET_ARN: "arn:secret" }).code).toBe(255);
    expect(readFileSync(handoff, "utf8").trim()).toBe(INIT_JSON);
  });

  it("fails the init step (no half-written file) when operator init fails", () => {
    fakeCommands({ vault: `case "$1" in status) echo '{"initialized": false}'; exit 2;; operator) echo partial; exit 2;; esac` });
    const handoff = path.join(dir, "vault-init.json");
    expect(run(INIT_SCRIPT, { HANDOFF_FILE: handoff, VAULT_ADDR: "https://vault-0" }).code).toBe(1);
    expect(existsSync(handoff)).toBe(false);
  });

  it("takes a snapshot with the raft-snapshot role and uploads it KMS-encrypted", () => {
    fakeCommands({ vault: 'case "$1" in write) echo s.token;; operator) echo data > "$SNAPSHOT_FILE";; esac', aws: "exit 0", date: "echo 2026/11/25/120000Z" });
    const snapshot = path.join(dir, "vault.snap");
    expect(run(SNAPSHOT_SCRIPT, { SNAPSHOT_FILE: snapshot }).code).toBe(0);
    const upload = run(UPLOAD_SCRIPT, { SNAPSHOT_FILE: snapshot, BUCKET: "snapshots", KMS_KEY_ARN: "arn:key" });
    expect(upload.code).toBe(0);
    expect(upload.calls).toEqual([
      "vault write -field=token auth/kubernetes/login role=raft-snapshot jwt=@/var/run/secrets/vault/token",
      `vault operator raft snapshot save ${snapshot}`,
      "date -u +%Y/%m/%d/%H%M%SZ",
      `aws s3 cp ${snapshot} s3://snapshots/raft/2026/11/25/120000Z.snap --sse aws:kms --sse-kms-key-id arn:key`,
    ]);
  });
});
