import {
  kmsDeletionWindow,
  kmsRotation,
  logGroupRetention,
  s3EncryptedKms,
  s3PublicAccessBlocked,
  s3TlsOnly,
  s3Versioned,
  secretsUseCmk,
  statefulProtected,
} from "../../../policy/rules/data";
import type { FakeResource } from "../adapter";
import { res, type RuleCases } from "./types";

const BUCKET = "aws:s3/bucket:Bucket";
const key = (props: Record<string, unknown>, protect = true) =>
  res("aws:kms/key:Key", { enableKeyRotation: true, deletionWindowInDays: 30, ...props }, { name: "secrets-key", protect });
const bucket = res(BUCKET, {}, { name: "vault-snapshots", protect: true });
const onBucket = (type: string, name: string, props: Record<string, unknown>): FakeResource =>
  res(type, { bucket: "vault-snapshots-id", ...props }, { name, propertyDependsOn: { bucket: ["vault-snapshots"] } });
const versioning = (status: string) =>
  onBucket("aws:s3/bucketVersioning:BucketVersioning", "vault-snapshots-versioning", { versioningConfiguration: { status } });
const sse = (sseAlgorithm: string) =>
  onBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "vault-snapshots-sse", {
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId: "arn:aws:kms:eu-west-1:111111111111:key/k" } }],
  });
const block = (restrictPublicBuckets: boolean) =>
  onBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "vault-snapshots-pab", {
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets,
  });
const tlsPolicy = (secure: unknown) =>
  onBucket("aws:s3/bucketPolicy:BucketPolicy", "vault-snapshots-tls-only", {
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
          Condition: { Bool: { "aws:SecureTransport": secure } },
        },
      ],
    }),
  });
const otherBucket = res(BUCKET, {}, { name: "loki", protect: true });

export const dataCases: RuleCases[] = [
  {
    rule: kmsRotation,
    pass: [{ title: "rotation on", resources: [key({})] }],
    fail: [{ title: "rotation off", resources: [key({ enableKeyRotation: false })], messages: ["enableKeyRotation must be true."] }],
  },
  {
    rule: kmsDeletionWindow,
    pass: [{ title: "30 days", resources: [key({})] }],
    fail: [{ title: "7 days", resources: [key({ deletionWindowInDays: 7 })], messages: ["deletionWindowInDays should be 30 (got 7)."] }],
  },
  {
    rule: secretsUseCmk,
    pass: [{ title: "CMK", resources: [res("aws:secretsmanager/secret:Secret", { kmsKeyId: "arn:aws:kms:eu-west-1:111111111111:key/k" })] }],
    fail: [
      {
        title: "AWS-managed key",
        resources: [res("aws:secretsmanager/secret:Secret", { name: "vault-recovery" })],
        messages: ["kmsKeyId must name a customer-managed KMS key."],
      },
    ],
  },
  {
    rule: statefulProtected,
    pass: [
      { title: "protected key and bucket", resources: [key({}), bucket] },
      { title: "stateless resources need no protection", resources: [res("aws:ec2/subnet:Subnet", {})] },
    ],
    fail: [
      { title: "unprotected key", resources: [key({}, false)], messages: ["aws:kms/key:Key 'secrets-key' must be created with { protect: true }."] },
      {
        title: "unprotected secret",
        resources: [res("aws:secretsmanager/secret:Secret", {}, { name: "vault-root" })],
        messages: ["aws:secretsmanager/secret:Secret 'vault-root' must be created with { protect: true }."],
      },
    ],
  },
  {
    rule: logGroupRetention,
    pass: [{ title: "retention + key", resources: [res("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 90, kmsKeyId: "arn:k" })] }],
    fail: [
      { title: "neither", resources: [res("aws:cloudwatch/logGroup:LogGroup", {})], messages: ["retentionInDays should be set.", "kmsKeyId should be set."] },
    ],
  },
  {
    rule: s3Versioned,
    pass: [
      { title: "BucketVersioning Enabled", resources: [bucket, versioning("Enabled")] },
      { title: "inline versioning (deprecated input)", resources: [res(BUCKET, { versioning: { enabled: true } }, { name: "legacy" })] },
    ],
    fail: [
      { title: "Suspended", resources: [bucket, versioning("Suspended")], messages: ["bucket 'vault-snapshots': no BucketVersioning with status 'Enabled'."] },
      {
        title: "versioning belongs to another bucket",
        resources: [bucket, otherBucket, versioning("Enabled")],
        messages: ["bucket 'loki': no BucketVersioning with status 'Enabled'."],
      },
    ],
  },
  {
    rule: s3EncryptedKms,
    pass: [
      { title: "aws:kms", resources: [bucket, sse("aws:kms")] },
      {
        title: "inline aws:kms rule",
        resources: [
          res(BUCKET, { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } } }, { name: "legacy" }),
        ],
      },
    ],
    fail: [
      {
        title: "SSE-S3 only",
        resources: [bucket, sse("AES256")],
        messages: ["bucket 'vault-snapshots': no server-side encryption configuration with sseAlgorithm 'aws:kms'."],
      },
      { title: "none", resources: [bucket], messages: ["bucket 'vault-snapshots': no server-side encryption configuration with sseAlgorithm 'aws:kms'."] },
    ],
  },
  {
    rule: s3PublicAccessBlocked,
    pass: [{ title: "all four flags", resources: [bucket, block(true)] }],
    fail: [
      {
        title: "restrictPublicBuckets false",
        resources: [bucket, block(false)],
        messages: [
          "bucket 'vault-snapshots': no BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets = true.",
        ],
      },
    ],
  },
  {
    rule: s3TlsOnly,
    pass: [{ title: "deny without TLS", resources: [bucket, tlsPolicy("false")] }],
    fail: [
      {
        title: "policy without the TLS condition",
        resources: [bucket, tlsPolicy("true")],
        messages: ["bucket 'vault-snapshots': no BucketPolicy denying aws:SecureTransport = false."],
      },
      { title: "no bucket policy", resources: [bucket], messages: ["bucket 'vault-snapshots': no BucketPolicy denying aws:SecureTransport = false."] },
    ],
  },
];
