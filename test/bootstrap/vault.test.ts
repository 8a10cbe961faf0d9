// Vault beyond its chart: the configuration made with @pulumi/vault (explicit provider,
// kv-v2, audit, Kubernetes auth, the namespace-templated read policy), and the init and
// snapshot scripts, run for real with /bin/sh against fake `vault` / `aws` commands to
// prove the init step is idempotent and never loses the recovery keys.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_POLICY } from "../../bootstrap/vault/init-policy";
import { INIT_SCRIPT } from "../../bootstrap/vault/init";
import { IMAGES } from "../../bootstrap/versions";
import { invokeResults } from "../../cli/plan/mocks";
import { SNAPSHOT_SCRIPT, UPLOAD_SCRIPT } from "../../bootstrap/vault/snapshots";
import { serviceReadPolicy } from "../../bootstrap/vault/config";
import { TLS_RELOAD_SCRIPT } from "../../bootstrap/vault/server-config";
import { recordedStack, runStack, stackConfig, type StackRecording } from "../harness/stacks";
import { stackOnEdge } from "./edges";
import { FACTS, STACKS, input, k8sObject, release } from "./helpers";

describe.each(STACKS)("%s Vault configuration", (stack) => {
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });
  const vaultResource = (type: string, suffix: string) => rec.one(type, suffix);

  it("configures Vault through one explicit provider at the public address, logging in with the deployer's AWS identity", () => {
    const providers = rec.byType("pulumi:providers:vault");
    expect(providers).toHaveLength(1);
    expect(input<string>(providers[0], "address")).toBe(`https://vault.${FACTS[stack].domain}`);
    // Provider inputs reach the engine as JSON strings, as in a real deployment.
    expect(JSON.parse(input<string>(providers[0], "authLoginAws"))).toEqual({
      mount: "aws",
      role: "pulumi-deploy",
      awsRegion: FACTS[stack].region,
      awsStsEndpoint: `https://sts.${FACTS[stack].region}.amazonaws.com`,
      headerValue: `vault.${FACTS[stack].domain}`,
    });
    expect(providers[0].inputs).not.toHaveProperty("token");
    // The mock holds no value for the init secret: every read of it would have failed the run.
    const readRoot = () => invokeResults["aws:secretsmanager/getSecretVersion:getSecretVersion"]({ secretId: `holodeck/${stack}/vault-init` }, {} as never);
    expect(readRoot).toThrow(/no value for secret holodeck\/.*\/vault-init/);
    for (const r of rec.resources.filter((x) => x.type.startsWith("vault:"))) expect(String(r.provider).startsWith(providers[0].urn)).toBe(true);
  });

  it("mounts kv-v2 at secret/, audits to stdout and enables Kubernetes auth", () => {
    expect(vaultResource("vault:index/mount:Mount", "-kv").inputs).toMatchObject({ path: "secret", type: "kv", options: { version: "2" } });
    expect(vaultResource("vault:index/audit:Audit", "-audit").inputs).toMatchObject({ type: "file", options: { file_path: "stdout" } });
    expect(vaultResource("vault:index/authBackend:AuthBackend", "-k8s-auth").inputs).toMatchObject({ type: "kubernetes", path: "kubernetes" });
    expect(vaultResource("vault:kubernetes/authBackendConfig:AuthBackendConfig", "-k8s-auth-config").inputs).toMatchObject({
      kubernetesHost: "https://kubernetes.default.svc",
    });
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

  it("reloads the listener certificate with a SIGHUP sidecar in Vault's process namespace", () => {
    const server = input<Record<string, unknown>>(release(rec, "vault"), "values.server");
    expect(server.shareProcessNamespace).toBe(true);
    const [reloader] = server.extraContainers as { name: string; image: string; command: string[]; volumeMounts: unknown[] }[];
    expect([reloader.name, reloader.image, reloader.command]).toEqual(["tls-reloader", IMAGES.vault, ["/bin/sh", "-c", TLS_RELOAD_SCRIPT]]);
    // The chart names the extraVolumes entry vault-tls `userconfig-vault-tls`.
    expect(reloader.volumeMounts).toEqual([{ name: "userconfig-vault-tls", mountPath: "/vault/userconfig/vault-tls", readOnly: true }]);
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
    expect(input(vaultResource("vault:index/policy:Policy", "-raft-snapshot"), "policy")).toBe(
      'path "sys/storage/raft/snapshot" {\n  capabilities = ["read"]\n}\n',
    );
  });

  it("runs init, upload and login setup in one non-evictable container, the Vault CLI copied in by an init container", () => {
    const job = rec.one("kubernetes:batch/v1:Job", "-vault-init-job");
    expect(input(job, "spec.backoffLimit")).toBe(10);
    expect(input(job, "spec.activeDeadlineSeconds")).toBe(86400);
    expect(input(job, "spec.template.metadata.annotations")).toEqual({ "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" });
    expect(input(job, "spec.template.spec.restartPolicy")).toBe("OnFailure");
    expect(input(job, "spec.template.spec.serviceAccountName")).toBe("vault-init");
    expect(input(job, "spec.template.spec.volumes")).toContainEqual({ name: "work", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } });
    const copy = input<{ image: string; command: string[] }[]>(job, "spec.template.spec.initContainers");
    expect(copy.map((c) => [c.image, c.command])).toEqual([[IMAGES.vault, ["cp", "/bin/vault", "/vault-bin/vault"]]]);
    const main = input<{ image: string; command: string[]; env: { name: string; value: string }[] }[]>(job, "spec.template.spec.containers");
    expect(main.map((c) => c.image)).toEqual([IMAGES.awsCli]);
    expect(main[0].command).toEqual(["/bin/sh", "-c", INIT_SCRIPT]);
    const env = Object.fromEntries(main[0].env.map((e) => [e.name, e.value]));
    const cfg = stackConfig(stack);
    const admins = JSON.parse(cfg["holodeck:adminRoleArns"]) as string[];
    expect(env.DEPLOY_ROLE_ARNS).toBe([cfg["holodeck:ciRoleArn"], ...admins].join(","));
    expect(env.DEPLOY_ROLE_ARNS).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+(,arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+)+$/);
    expect(env.VAULT_HOST).toBe(`vault.${FACTS[stack].domain}`);
    expect(env.DEPLOY_POLICY).toBe(DEPLOY_POLICY);
    expect([env.AWS_AUTH_PATH, env.DEPLOY_ROLE, env.DEPLOY_POLICY_NAME]).toEqual(["aws", "pulumi-deploy", "pulumi-deploy"]);
    expect(env.VAULT_ADDR).toBe("https://vault-0.vault-internal:8200");
    const cron = rec.one("kubernetes:batch/v1:CronJob", "-vault-snapshots-cronjob");
    expect(input(cron, "spec.concurrencyPolicy")).toBe("Forbid");
    expect(input(cron, "spec.jobTemplate.spec.template.spec.serviceAccountName")).toBe("vault-snapshot");
  });
});

describe.each(STACKS)("%s Vault on the edge", (stack) => {
  let onNginx: StackRecording;
  let closed: StackRecording;
  beforeAll(async () => {
    onNginx = stackOnEdge(stack, "ingress-nginx");
    closed = await runStack(stack, { config: { "holodeck:endpointPublicAccessCidrs": "[]" } });
  });
  const vaultValues = (rec: StackRecording) => input<Record<string, unknown>>(release(rec, "vault"), "values.server.ingress");

  it("publishes the UI/API to anyone on the ingress-nginx edge (docs/edge.md: OIDC, policies, audit), over TLS to Vault", () => {
    const ingress = vaultValues(onNginx);
    expect(ingress.enabled).toBe(true);
    expect(ingress.annotations).toEqual({ "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS" });
  });

  it("stays public with a private EKS endpoint ([] CIDRs), but Pulumi and the init Job use the in-cluster address", () => {
    expect(vaultValues(closed)).toEqual({ enabled: false });
    expect(k8sObject(closed, "HTTPRoute", "vault").inputs.spec).toMatchObject({ hostnames: [`vault.${FACTS[stack].domain}`] });
    const provider = closed.byType("pulumi:providers:vault")[0];
    expect(input(provider, "address")).toBe("https://vault-active.vault.svc:8200");
    expect((JSON.parse(input<string>(provider, "authLoginAws")) as { headerValue: string }).headerValue).toBe("vault-active.vault.svc");
    const env = input<{ name: string; value: string }[]>(closed.one("kubernetes:batch/v1:Job", "-vault-init-job"), "spec.template.spec.containers.0.env");
    expect(env.find((e) => e.name === "VAULT_HOST")?.value).toBe("vault-active.vault.svc");
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
  const INIT_JSON = '{\n  "recovery_keys_b64": ["a2V5"],\n  "root_token": "hvs.root"\n}';
  /**
   * A stateful fake Vault: `auth enable` persists, `policy write` fails the first
   * POLICY_FAILURES times (a partial failure the script must retry idempotently), and every
   * call that needs a token logs the token it got.
   */
  const fakeVault = (initialized: boolean): string => `
state="$TMPDIR"
case "$1" in
  status) echo '{"initialized": ${initialized}, "sealed": ${!initialized}}'; exit ${initialized ? 0 : 2};;
  operator) printf '%s\\n' '${INIT_JSON.replace(/\n/g, "\\n")}';;
  auth) echo "token=$VAULT_TOKEN" >> "$state/tokens.log"
    if [ "$2" = enable ]; then touch "$state/aws-enabled"; exit 0; fi
    if [ -f "$state/aws-enabled" ]; then echo '{"aws/": {"type": "aws"}, "token/": {"type": "token"}}'; else echo '{"token/": {"type": "token"}}'; fi;;
  policy) cat > "$state/policy.hcl"; n=$(cat "$state/policy-failures" 2>/dev/null || echo 0)
    if [ "$n" -gt 0 ]; then echo $((n - 1)) > "$state/policy-failures"; exit 2; fi;;
esac`;
  /** Fails the first `failures` uploads (counter kept in a file), then succeeds. */
  const flakyAws = (failures: number): string =>
    `n=$(cat "$TMPDIR/aws-count" 2>/dev/null || echo 0); echo $((n + 1)) > "$TMPDIR/aws-count"; [ "$n" -ge ${failures} ]`;
  const ENV = {
    VAULT_ADDR: "https://vault-0",
    SECRET_ARN: "arn:secret",
    AWS_REGION: "eu-west-1",
    VAULT_HOST: "vault.staging.eu-west-1.holodeck.dev",
    DEPLOY_ROLE_ARNS: "arn:aws:iam::111111111111:role/ci,arn:aws:iam::111111111111:role/admin",
    DEPLOY_POLICY,
    AWS_AUTH_PATH: "aws",
    DEPLOY_ROLE: "pulumi-deploy",
    DEPLOY_POLICY_NAME: "pulumi-deploy",
  };
  const initEnv = () => ({ ...ENV, VAULT_BIN_DIR: dir, WORK_DIR: dir });
  const LOGIN_SETUP = [
    "vault auth list -format=json",
    "vault auth enable -path=aws aws",
    "vault write auth/aws/config/client sts_endpoint=https://sts.eu-west-1.amazonaws.com sts_region=eu-west-1 iam_server_id_header_value=vault.staging.eu-west-1.holodeck.dev",
    "vault policy write pulumi-deploy -",
    "vault write auth/aws/role/pulumi-deploy auth_type=iam bound_iam_principal_arn=arn:aws:iam::111111111111:role/ci,arn:aws:iam::111111111111:role/admin token_policies=pulumi-deploy token_ttl=20m token_max_ttl=1h",
  ];

  it("initialises once, stores the result first, then binds the AWS auth deploy role with the root token", () => {
    fakeCommands({ vault: fakeVault(false), aws: flakyAws(0) });
    const init = run(INIT_SCRIPT, initEnv());
    expect(init.code).toBe(0);
    expect(init.calls).toEqual([
      "vault status -format=json",
      "vault operator init -recovery-shares=5 -recovery-threshold=3 -format=json",
      `aws secretsmanager put-secret-value --secret-id arn:secret --secret-string file://${dir}/vault-init.json`,
      ...LOGIN_SETUP,
    ]);
    expect(readFileSync(path.join(dir, "tokens.log"), "utf8").trim().split("\n")).toEqual(["token=hvs.root", "token=hvs.root"]);
    expect(readFileSync(path.join(dir, "policy.hcl"), "utf8")).toBe(DEPLOY_POLICY);
    // The keys left the pod's memory volume once stored.
    expect(existsSync(path.join(dir, "vault-init.json"))).toBe(false);
  });

  it("retries a failed login setup idempotently: the auth method is enabled once, policy and role are upserts", () => {
    fakeCommands({ vault: fakeVault(false), aws: flakyAws(0), sleep: "exit 0" });
    writeFileSync(path.join(dir, "policy-failures"), "1");
    const init = run(INIT_SCRIPT, initEnv());
    expect(init.code).toBe(0);
    const setup = init.calls.slice(3);
    expect(setup).toEqual([...LOGIN_SETUP.slice(0, 4), "sleep 10", LOGIN_SETUP[0], ...LOGIN_SETUP.slice(2)]);
    expect(setup.filter((c) => c.startsWith("vault auth enable"))).toHaveLength(1);
  });

  it("retries the upload in-process with backoff and never exits while holding unsaved keys", () => {
    fakeCommands({ vault: fakeVault(false), aws: flakyAws(3), sleep: "exit 0" });
    const init = run(INIT_SCRIPT, initEnv());
    expect(init.code).toBe(0);
    const upload = `aws secretsmanager put-secret-value --secret-id arn:secret --secret-string file://${dir}/vault-init.json`;
    expect(init.calls.slice(1, 9)).toEqual([
      "vault operator init -recovery-shares=5 -recovery-threshold=3 -format=json",
      upload,
      "sleep 5",
      upload,
      "sleep 10",
      upload,
      "sleep 20",
      upload,
    ]);
    // Init ran once: the retries reuse the same result.
    expect(init.calls.filter((c) => c.startsWith("vault operator init"))).toHaveLength(1);
  });

  it("does nothing when Vault is already initialised (re-run of the Job)", () => {
    fakeCommands({ vault: fakeVault(true), aws: flakyAws(0) });
    expect(run(INIT_SCRIPT, initEnv())).toEqual({ code: 0, calls: ["vault status -format=json"] });
    expect(existsSync(path.join(dir, "vault-init.json"))).toBe(false);
  });

  it("fails before storing anything (no half-written file) when operator init fails", () => {
    fakeCommands({ vault: `case "$1" in status) echo '{"initialized": false}'; exit 2;; operator) echo partial; exit 2;; esac`, aws: "exit 0" });
    const init = run(INIT_SCRIPT, initEnv());
    expect(init.code).toBe(1);
    expect(init.calls.some((c) => c.startsWith("aws"))).toBe(false);
    expect(existsSync(path.join(dir, "vault-init.json"))).toBe(false);
  });

  it("sends Vault SIGHUP once per renewal of the mounted listener certificate, not on unchanged polls", () => {
    // Fake sleep: the 2nd poll sees a renewed certificate, the 4th ends the loop.
    fakeCommands({
      pkill: "exit 0",
      sleep: `n=$(cat "$TMPDIR/sleeps" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$TMPDIR/sleeps"
[ $n -eq 2 ] && echo renewed > "$TMPDIR/tls.crt"
[ $n -ge 4 ] && kill -TERM $PPID
exit 0`,
    });
    writeFileSync(path.join(dir, "tls.crt"), "original");
    writeFileSync(path.join(dir, "tls.key"), "key");
    const reload = run(TLS_RELOAD_SCRIPT, { TLS_DIR: dir });
    expect(reload.calls).toEqual(["sleep 60", "sleep 60", "pkill -HUP -x vault", "sleep 60", "sleep 60"]);
  });

  it("takes a snapshot with the raft-snapshot role and uploads it KMS-encrypted", () => {
    fakeCommands({ vault: 'case "$1" in write) echo s.token;; operator) echo data > "$SNAPSHOT_FILE";; esac', aws: "exit 0", date: "echo 2026/11/25/120000Z" });
    const snapshot = path.join(dir, "vault.snap");
    const login = { KUBERNETES_AUTH_PATH: "kubernetes", SNAPSHOT_ROLE: "raft-snapshot", VAULT_TOKEN_FILE: "/var/run/secrets/vault/token" };
    expect(run(SNAPSHOT_SCRIPT, { ...login, SNAPSHOT_FILE: snapshot }).code).toBe(0);
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
