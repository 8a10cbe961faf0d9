// Initialises Vault exactly once, keeps its recovery keys and root token in AWS Secrets
// Manager (KMS-encrypted, protected) and enables the AWS auth login Pulumi deploys with
// (script: init.sh, policy: init-policy.ts). Idempotent: when Vault reports `initialized: true` the
// Job does nothing. Init, upload and login setup run in ONE process (the init container
// only copies the Vault CLI next to the AWS CLI), so the keys are stored before anything
// else can fail, and the pod may not be evicted while it holds them.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { KmsKey } from "../../components/kms";
import type { Tags } from "../../model";
import { IMAGES } from "../versions";
import { addonRole, roleAnnotation } from "../shared/irsa";
import { readScript } from "../shared/scripts";
import type { AccountRef, ClusterIdentity } from "../shared/types";
import {
  AWS_AUTH_PATH,
  DEPLOY_POLICY_NAME,
  DEPLOY_ROLE,
  INIT_SERVICE_ACCOUNT,
  VAULT_NAMESPACE,
  VAULT_RELEASE,
  VAULT_TLS_DIR,
  VAULT_TLS_SECRET,
} from "./constants";
import { DEPLOY_POLICY } from "./init-policy";
import { restrictedContainer } from "./job-pod";

export const INIT_SCRIPT = readScript(__dirname, "init.sh");
const VAULT_BIN_DIR = "/vault-bin";
const WORK_DIR = "/work";

export interface VaultInitArgs {
  cluster: ClusterIdentity;
  /** Secrets Manager name, e.g. holodeck/staging-eu-west-1/vault-init. */
  secretName: string;
  region: string;
  tags: Tags;
  account: AccountRef;
  /** KMS alias (without `alias/`). */
  keyAlias: string;
  /** The Vault release: the Job talks to vault-0. */
  after: pulumi.Resource[];
  /** IAM roles bound to Vault's AWS auth deploy role (the stack's ciRoleArn + adminRoleArns). */
  deployRoleArns: string[];
  /** Value the deployers' signed AWS login must carry in X-Vault-AWS-IAM-Server-ID. */
  loginHost: string;
}

export class VaultInit extends pulumi.ComponentResource {
  public readonly secret: aws.secretsmanager.Secret;
  public readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: VaultInitArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:VaultInit", name, {}, opts);
    const key = new KmsKey(`${name}-kms`, { description: "Vault recovery keys and root token", aliasName: args.keyAlias, ...args.account }, { parent: this });
    this.secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        name: args.secretName,
        description: "Vault recovery keys and initial root token (written once by the init Job)",
        kmsKeyId: key.keyArn,
        recoveryWindowInDays: 30,
        tags: args.tags,
      },
      { parent: this, protect: true },
    );
    const role = addonRole(
      name,
      args.cluster,
      { namespace: VAULT_NAMESPACE, serviceAccount: INIT_SERVICE_ACCOUNT },
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
      { metadata: { name: INIT_SERVICE_ACCOUNT, namespace: VAULT_NAMESPACE, annotations: roleAnnotation(role) } },
      { parent: this, dependsOn: args.after },
    );

    const env = [
      { name: "VAULT_ADDR", value: `https://${VAULT_RELEASE}-0.${VAULT_RELEASE}-internal:8200` },
      { name: "VAULT_CACERT", value: `${VAULT_TLS_DIR}/ca.crt` },
      { name: "VAULT_BIN_DIR", value: VAULT_BIN_DIR },
      { name: "WORK_DIR", value: WORK_DIR },
      { name: "HOME", value: WORK_DIR },
      { name: "SECRET_ARN", value: this.secret.arn },
      { name: "AWS_REGION", value: args.region },
      { name: "VAULT_HOST", value: args.loginHost },
      { name: "AWS_AUTH_PATH", value: AWS_AUTH_PATH },
      { name: "DEPLOY_ROLE", value: DEPLOY_ROLE },
      { name: "DEPLOY_ROLE_ARNS", value: args.deployRoleArns.join(",") },
      { name: "DEPLOY_POLICY_NAME", value: DEPLOY_POLICY_NAME },
      { name: "DEPLOY_POLICY", value: DEPLOY_POLICY },
    ];
    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: { name: "vault-init", namespace: VAULT_NAMESPACE },
        spec: {
          // The script retries in-process; pod-level retries only cover crashes before init.
          backoffLimit: 10,
          // A day to fix e.g. a missing IAM permission while the pod keeps the unsaved keys.
          activeDeadlineSeconds: 86400,
          template: {
            metadata: { annotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" } },
            spec: {
              serviceAccountName: serviceAccount.metadata.name,
              restartPolicy: "OnFailure",
              // uid 100 is the vault user of the Vault image; the AWS CLI runs under whichever uid.
              securityContext: { runAsNonRoot: true, runAsUser: 100, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
              volumes: [
                { name: "vault-bin", emptyDir: { sizeLimit: "512Mi" } },
                { name: "work", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
                { name: "tls", secret: { secretName: VAULT_TLS_SECRET, items: [{ key: "ca.crt", path: "ca.crt" }] } },
              ],
              initContainers: [
                {
                  name: "vault-cli",
                  image: IMAGES.vault,
                  command: ["cp", "/bin/vault", `${VAULT_BIN_DIR}/vault`],
                  volumeMounts: [{ name: "vault-bin", mountPath: VAULT_BIN_DIR }],
                  securityContext: restrictedContainer(),
                },
              ],
              containers: [
                {
                  name: "init",
                  image: IMAGES.awsCli,
                  command: ["/bin/sh", "-c", INIT_SCRIPT],
                  env,
                  volumeMounts: [
                    { name: "vault-bin", mountPath: VAULT_BIN_DIR, readOnly: true },
                    { name: "work", mountPath: WORK_DIR },
                    { name: "tls", mountPath: VAULT_TLS_DIR, readOnly: true },
                  ],
                  securityContext: restrictedContainer(),
                },
              ],
            },
          },
        },
      },
      { parent: this, dependsOn: [...args.after, serviceAccount], customTimeouts: { create: "20m" } },
    );
    this.registerOutputs({ secretArn: this.secret.arn });
  }
}
