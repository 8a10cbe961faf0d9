// Initialises Vault exactly once and keeps its recovery keys and root token in AWS Secrets
// Manager (KMS-encrypted, protected). Idempotent: when Vault reports `initialized: true`
// the Job stores nothing. Two containers share an in-memory volume: the Vault CLI runs
// `operator init`, the AWS CLI stores the result. restartPolicy OnFailure keeps the pod
// (and its volume) while the AWS step retries, so a failed upload does not lose the keys.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { KmsKey } from "../components/kms";
import { addonRole, roleAnnotation } from "./irsa";
import { VAULT_NAMESPACE } from "./vault";
import { vaultThenAwsPod } from "./cli-pod";
import type { AccountRef, ClusterIdentity, Tags } from "./types";

export const VAULT_INIT_SERVICE_ACCOUNT = "vault-init";
const HANDOFF_DIR = "/handoff";
const HANDOFF_FILE = `${HANDOFF_DIR}/vault-init.json`;

export interface VaultInitArgs {
  cluster: ClusterIdentity;
  /** Secrets Manager name, e.g. holodeck/staging-eu-west-1/vault-init. */
  secretName: string;
  region: string;
  tags: Tags;
  account: AccountRef;
  /** KMS alias (without `alias/`). */
  keyAlias: string;
  /** The Vault release (the Job talks to vault-0). */
  vaultRelease: pulumi.Resource;
}

/** Waits for vault-0 to answer, then runs `operator init` only if it is not initialised. */
export const INIT_SCRIPT = `set -u
while true; do
  vault status -format=json > "\${TMPDIR:-/tmp}/status.json" 2>/dev/null
  code=$?
  # 0 = unsealed, 2 = sealed: the server answers. 1 = not reachable yet.
  if [ "$code" -ne 1 ]; then break; fi
  echo "waiting for $VAULT_ADDR"; sleep 5
done
if grep -q '"initialized": true' "\${TMPDIR:-/tmp}/status.json"; then
  echo "Vault is already initialised; nothing to do"; exit 0
fi
vault operator init -recovery-shares=5 -recovery-threshold=3 -format=json > "$HANDOFF_FILE.tmp" || exit 1
mv "$HANDOFF_FILE.tmp" "$HANDOFF_FILE"
echo "Vault initialised"`;

export const STORE_SCRIPT = `set -eu
if [ ! -s "$HANDOFF_FILE" ]; then echo "no new init result to store"; exit 0; fi
aws secretsmanager put-secret-value --secret-id "$SECRET_ARN" --secret-string "file://$HANDOFF_FILE"
echo "recovery keys and root token stored in $SECRET_ARN"`;

export class VaultInit extends pulumi.ComponentResource {
  public readonly secret: aws.secretsmanager.Secret;
  public readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: VaultInitArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:VaultInit", name, {}, opts);
    const key = new KmsKey(`${name}-kms`, { description: "Vault recovery keys and root token", aliasName: args.keyAlias, ...args.account }, { parent: this });
    this.secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      { name: args.secretName, description: "Vault recovery keys and initial root token (written once by the init Job)", kmsKeyId: key.keyArn, recoveryWindowInDays: 30, tags: args.tags },
      { parent: this, protect: true },
    );
    const role = addonRole(
      name,
      args.cluster,
      { namespace: VAULT_NAMESPACE, serviceAccount: VAULT_INIT_SERVICE_ACCOUNT },
      // Write-only: the Job can store a value but never read one back.
      [
        { Sid: "StoreInitResult", Effect: "Allow", Action: ["secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"], Resource: [this.secret.arn] },
        {
          Sid: "EncryptForSecretsManager",
          Effect: "Allow",
          Action: ["kms:GenerateDataKey", "kms:Decrypt"],
          Resource: [key.keyArn],
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
        },
      ],
      args.tags,
      { parent: this },
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: VAULT_INIT_SERVICE_ACCOUNT, namespace: VAULT_NAMESPACE, annotations: roleAnnotation(role) } },
      { parent: this, dependsOn: [args.vaultRelease] },
    );

    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: { name: "vault-init", namespace: VAULT_NAMESPACE },
        spec: {
          backoffLimit: 6,
          template: {
            spec: vaultThenAwsPod({
              serviceAccountName: serviceAccount.metadata.name,
              handoff: { name: "handoff", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
              vaultStep: {
                name: "init",
                script: INIT_SCRIPT,
                env: [
                  { name: "VAULT_ADDR", value: "https://vault-0.vault-internal:8200" },
                  { name: "HANDOFF_FILE", value: HANDOFF_FILE },
                ],
                mounts: [{ name: "handoff", mountPath: HANDOFF_DIR }],
              },
              awsStep: {
                name: "store",
                script: STORE_SCRIPT,
                env: [
                  { name: "SECRET_ARN", value: this.secret.arn },
                  { name: "AWS_REGION", value: args.region },
                  { name: "HANDOFF_FILE", value: HANDOFF_FILE },
                ],
                mounts: [{ name: "handoff", mountPath: HANDOFF_DIR }],
              },
            }),
          },
        },
      },
      { parent: this, dependsOn: [args.vaultRelease, serviceAccount], customTimeouts: { create: "20m" } },
    );
    this.registerOutputs({ secretArn: this.secret.arn });
  }
}
