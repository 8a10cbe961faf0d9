// An S3 bucket for state the platform cannot lose (Vault snapshots, Loki chunks): its own
// KMS key, versioning, no public access, TLS-only policy, old versions expire; the bucket
// and key are protected from deletion.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Tags } from "../model";
import type { PolicyStatement } from "./iam-policy";
import { KmsKey } from "./kms";

export interface SecureBucketArgs {
  /** Globally unique name: <cluster name>-<account id>-<purpose>. */
  bucketName: pulumi.Input<string>;
  description: string;
  /** Days a replaced or deleted object version is kept. */
  noncurrentVersionDays: number;
  /** Days current objects live (Loki retention); undefined = forever. */
  expireAfterDays?: number;
  tags: Tags;
  /** Account the key policy is written for. */
  account: { accountId: pulumi.Input<string>; partition: pulumi.Input<string> };
  /** KMS alias (without `alias/`), e.g. holodeck-<stack>-loki. */
  keyAlias: string;
}

export class SecureBucket extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly key: KmsKey;
  public readonly arn: pulumi.Output<string>;
  public readonly name: pulumi.Output<string>;

  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    // Token from when this lived in bootstrap/, kept so the recorded URNs do not change.
    super("holodeck:bootstrap:SecureBucket", name, {}, opts);
    this.key = new KmsKey(`${name}-kms`, { description: args.description, aliasName: args.keyAlias, ...args.account }, { parent: this });
    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName, forceDestroy: false, tags: args.tags }, { parent: this, protect: true });
    const bucket = this.bucket.bucket;
    const child = { parent: this };
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.keyArn }, bucketKeyEnabled: true }] },
      child,
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket,
        policy: this.bucket.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              },
            ],
          }),
        ),
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "retention",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            ...(args.expireAfterDays === undefined ? {} : { expiration: { days: args.expireAfterDays } }),
          },
        ],
      },
      child,
    );
    this.arn = this.bucket.arn;
    this.name = this.bucket.bucket;
    this.registerOutputs({ arn: this.arn, name: this.name, keyArn: this.key.keyArn });
  }
}

/**
 * Statements for an IRSA role using the bucket: write-only (snapshots) or read-write (Loki).
 * kms:Decrypt is needed by writers too: multipart uploads of SSE-KMS objects decrypt parts.
 */
export function bucketAccessStatements(bucket: SecureBucket, read: boolean): pulumi.Output<PolicyStatement[]> {
  return pulumi.all([bucket.arn, bucket.key.keyArn]).apply(([arn, keyArn]): PolicyStatement[] => [
    ...(read ? [{ Sid: "ListBucket", Effect: "Allow" as const, Action: ["s3:ListBucket"], Resource: [arn] }] : []),
    {
      Sid: "Objects",
      Effect: "Allow",
      Action: read ? ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"] : ["s3:PutObject"],
      Resource: [`${arn}/*`],
    },
    { Sid: "BucketKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [keyArn] },
  ]);
}
