// Disaster recovery for Vault: an hourly CronJob takes a raft snapshot (logging in with
// Kubernetes auth role `raft-snapshot`, which may only read sys/storage/raft/snapshot)
// and uploads it to a versioned, KMS-encrypted, protected bucket with a write-only role.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { bucketAccessStatements, SecureBucket } from "../../components/secure-bucket";
import type { Tags } from "../../model";
import { addonRole, roleAnnotation } from "../shared/irsa";
import { readScript } from "../shared/scripts";
import type { AccountRef, ClusterIdentity } from "../shared/types";
import { KUBERNETES_AUTH_PATH, SNAPSHOT_ROLE, SNAPSHOT_SERVICE_ACCOUNT, VAULT_NAMESPACE, VAULT_TOKEN_AUDIENCE } from "./constants";
import { vaultThenAwsPod } from "./job-pod";

const SNAPSHOT_DIR = "/snapshot";
const SNAPSHOT_FILE = `${SNAPSHOT_DIR}/vault.snap`;
const VAULT_TOKEN_DIR = "/var/run/secrets/vault";

export interface VaultSnapshotsArgs {
  cluster: ClusterIdentity;
  bucketName: pulumi.Input<string>;
  region: string;
  vaultAddress: string;
  schedule: string;
  tags: Tags;
  account: AccountRef;
  keyAlias: string;
  /** Vault configuration (the raft-snapshot role) must exist first. */
  after: pulumi.Resource[];
}

export const SNAPSHOT_SCRIPT = readScript(__dirname, "snapshot.sh");
export const UPLOAD_SCRIPT = readScript(__dirname, "upload.sh");

export class VaultSnapshots extends pulumi.ComponentResource {
  public readonly bucket: SecureBucket;
  public readonly cronJob: k8s.batch.v1.CronJob;

  constructor(name: string, args: VaultSnapshotsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:VaultSnapshots", name, {}, opts);
    this.bucket = new SecureBucket(
      `${name}-store`,
      {
        bucketName: args.bucketName,
        description: "Vault raft snapshots",
        noncurrentVersionDays: 90,
        expireAfterDays: 90,
        tags: args.tags,
        account: args.account,
        keyAlias: args.keyAlias,
      },
      { parent: this },
    );
    const role = addonRole(
      name,
      args.cluster,
      { namespace: VAULT_NAMESPACE, serviceAccount: SNAPSHOT_SERVICE_ACCOUNT },
      bucketAccessStatements(this.bucket, false),
      args.tags,
      { parent: this },
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: SNAPSHOT_SERVICE_ACCOUNT, namespace: VAULT_NAMESPACE, annotations: roleAnnotation(role) } },
      { parent: this, dependsOn: args.after },
    );
    this.cronJob = new k8s.batch.v1.CronJob(
      `${name}-cronjob`,
      {
        metadata: { name: "vault-raft-snapshot", namespace: VAULT_NAMESPACE },
        spec: {
          schedule: args.schedule,
          concurrencyPolicy: "Forbid",
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 5,
          jobTemplate: {
            spec: {
              backoffLimit: 2,
              activeDeadlineSeconds: 1800,
              template: {
                spec: vaultThenAwsPod({
                  serviceAccountName: serviceAccount.metadata.name,
                  // Only a short-lived token for Vault's audience is mounted, no API token.
                  automountServiceAccountToken: false,
                  handoff: { name: "snapshot", emptyDir: { sizeLimit: "2Gi" } },
                  extraVolumes: [
                    {
                      name: "vault-token",
                      projected: { sources: [{ serviceAccountToken: { path: "token", audience: VAULT_TOKEN_AUDIENCE, expirationSeconds: 600 } }] },
                    },
                  ],
                  vaultStep: {
                    name: "snapshot",
                    script: SNAPSHOT_SCRIPT,
                    env: [
                      { name: "VAULT_ADDR", value: args.vaultAddress },
                      { name: "KUBERNETES_AUTH_PATH", value: KUBERNETES_AUTH_PATH },
                      { name: "SNAPSHOT_ROLE", value: SNAPSHOT_ROLE },
                      { name: "VAULT_TOKEN_FILE", value: `${VAULT_TOKEN_DIR}/token` },
                      { name: "SNAPSHOT_FILE", value: SNAPSHOT_FILE },
                    ],
                    mounts: [
                      { name: "snapshot", mountPath: SNAPSHOT_DIR },
                      { name: "vault-token", mountPath: VAULT_TOKEN_DIR, readOnly: true },
                    ],
                  },
                  awsStep: {
                    name: "upload",
                    script: UPLOAD_SCRIPT,
                    env: [
                      { name: "BUCKET", value: this.bucket.name },
                      { name: "KMS_KEY_ARN", value: this.bucket.key.keyArn },
                      { name: "AWS_REGION", value: args.region },
                      { name: "SNAPSHOT_FILE", value: SNAPSHOT_FILE },
                    ],
                    mounts: [{ name: "snapshot", mountPath: SNAPSHOT_DIR, readOnly: true }],
                  },
                }),
              },
            },
          },
        },
      },
      { parent: this, dependsOn: [...args.after, serviceAccount] },
    );
    this.registerOutputs({ bucketName: this.bucket.name });
  }
}
