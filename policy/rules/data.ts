// Data at rest: KMS keys, S3 buckets, Secrets Manager, and protection of stateful resources.
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { resourceRule, stackRule, usersOf } from "./define";
import { asNumber, asRecord, asString, get, isTrue, listOf, parseJsonDocument, statementsOf } from "./props";

const KMS_KEY = ["aws:kms/key:Key"] as const;
export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"] as const;
const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const SSE_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const PUBLIC_ACCESS_BLOCK = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const BUCKET_POLICY = ["aws:s3/bucketPolicy:BucketPolicy"];
const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** Resources whose loss loses data or locks data away: they must be `protect`ed. */
export const STATEFUL_TYPES = [
  "aws:kms/key:Key",
  ...BUCKET_TYPES,
  "aws:secretsmanager/secret:Secret",
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:dynamodb/table:Table",
  "aws:ebs/volume:Volume",
  "aws:efs/fileSystem:FileSystem",
  "aws:ecr/repository:Repository",
] as const;

export const kmsRotation = resourceRule({
  name: "kms-key-rotation",
  summary: "Customer-managed KMS keys rotate automatically (enableKeyRotation = true).",
  source: { eksBestPractices: "Security › Data encryption and secrets management › Rotate your CMKs periodically" },
  enforcementLevel: "mandatory",
  types: KMS_KEY,
  check: (props, report) => {
    if (!isTrue(props["enableKeyRotation"])) report("enableKeyRotation must be true.");
  },
});

export const kmsDeletionWindow = resourceRule({
  name: "kms-key-deletion-window",
  summary: "KMS keys keep the maximum 30-day deletion window (deletionWindowInDays = 30) so a scheduled deletion can still be cancelled.",
  source: { eksBestPractices: "Security › Data encryption and secrets management › Encryption at rest (a lost key makes the encrypted data unrecoverable)" },
  enforcementLevel: "advisory",
  types: KMS_KEY,
  check: (props, report) => {
    const days = asNumber(props["deletionWindowInDays"]);
    if (days !== 30) report(`deletionWindowInDays should be 30 (got ${days ?? "unset: 30 only by AWS default"}).`);
  },
});

export const secretsUseCmk = resourceRule({
  name: "secretsmanager-cmk",
  summary: "Secrets Manager secrets (Vault recovery keys, git credentials) are encrypted with a customer-managed KMS key (kmsKeyId set).",
  source: {
    cis: "4.4.2 Consider external secret storage",
    eksBestPractices: "Security › Data encryption and secrets management › Use an external secrets provider",
  },
  enforcementLevel: "mandatory",
  types: ["aws:secretsmanager/secret:Secret"],
  check: (props, report) => {
    if (!asString(props["kmsKeyId"])) report("kmsKeyId must name a customer-managed KMS key.");
  },
});

export const statefulProtected = resourceRule({
  name: "stateful-resources-protected",
  summary: `Stateful resources (${STATEFUL_TYPES.map((t) => t.split(":").pop()).join(", ")}) carry protect: true so no 'pulumi destroy' or replacement deletes them.`,
  source: { eksBestPractices: "Reliability › Applications › Back up and protect state (Security › Incident response: keep evidence and keys)" },
  enforcementLevel: "mandatory",
  types: STATEFUL_TYPES,
  check: (_props, report, args) => {
    if (!args.opts.protect) report(`${args.type} '${args.name}' must be created with { protect: true }.`);
  },
});

export const logGroupRetention = resourceRule({
  name: "log-group-retention",
  summary: "CloudWatch log groups (control-plane and flow logs) set retentionInDays and a KMS key (kmsKeyId), so logs are kept long enough and encrypted.",
  source: {
    cis: "2.1.1 Enable audit Logs",
    eksBestPractices: "Security › Detective controls › Enable audit logs (retain and protect them)",
  },
  enforcementLevel: "advisory",
  types: ["aws:cloudwatch/logGroup:LogGroup"],
  check: (props, report) => {
    if (asNumber(props["retentionInDays"]) === undefined) report("retentionInDays should be set.");
    if (!asString(props["kmsKeyId"])) report("kmsKeyId should be set.");
  },
});

/** Runs `check` for every bucket with the bucket's sibling configuration resources. */
function eachBucket(
  resources: readonly PolicyResource[],
  siblingTypes: readonly string[],
  check: (bucket: PolicyResource, siblings: PolicyResource[]) => string | undefined,
  report: ReportViolation,
): void {
  for (const bucket of resources.filter((r) => (BUCKET_TYPES as readonly string[]).includes(r.type))) {
    const problem = check(bucket, usersOf(resources, bucket, siblingTypes, "bucket"));
    if (problem) report(`bucket '${bucket.name}': ${problem}`, bucket.urn);
  }
}

const S3_SOURCE = { eksBestPractices: "Security › Data encryption and secrets management › Encryption at rest; Reliability › Applications (backups)" };

export const s3Versioned = stackRule({
  name: "s3-bucket-versioned",
  summary: "Every S3 bucket (state, Vault snapshots, Loki) is versioned: a BucketVersioning with versioningConfiguration.status = 'Enabled' uses it.",
  source: S3_SOURCE,
  enforcementLevel: "mandatory",
  check: (resources, report) =>
    eachBucket(
      resources,
      VERSIONING_TYPES,
      (bucket, siblings) => {
        const inline = isTrue(get(bucket.props, "versioning", "enabled"));
        const separate = siblings.some((v) => get(v.props, "versioningConfiguration", "status") === "Enabled");
        return inline || separate ? undefined : "no BucketVersioning with status 'Enabled'.";
      },
      report,
    ),
});

function usesKms(rules: unknown): boolean {
  return listOf(rules).some((rule) => KMS_ALGORITHMS.includes(asString(get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")) ?? ""));
}

export const s3EncryptedKms = stackRule({
  name: "s3-bucket-kms-encrypted",
  summary: "Every S3 bucket has default encryption with KMS (BucketServerSideEncryptionConfiguration rule sseAlgorithm 'aws:kms').",
  source: S3_SOURCE,
  enforcementLevel: "mandatory",
  check: (resources, report) =>
    eachBucket(
      resources,
      SSE_TYPES,
      (bucket, siblings) => {
        const inline = usesKms(listOf(get(bucket.props, "serverSideEncryptionConfiguration", "rule")));
        const separate = siblings.some((sse) => usesKms(sse.props["rules"]));
        return inline || separate ? undefined : "no server-side encryption configuration with sseAlgorithm 'aws:kms'.";
      },
      report,
    ),
});

export const s3PublicAccessBlocked = stackRule({
  name: "s3-bucket-public-access-blocked",
  summary: `Every S3 bucket has a BucketPublicAccessBlock with ${PUBLIC_ACCESS_FLAGS.join(", ")} all true.`,
  source: S3_SOURCE,
  enforcementLevel: "mandatory",
  check: (resources, report) =>
    eachBucket(
      resources,
      PUBLIC_ACCESS_BLOCK,
      (_bucket, siblings) => {
        const block = siblings.map((s) => asRecord(s.props)).find((p) => PUBLIC_ACCESS_FLAGS.every((flag) => isTrue(p?.[flag])));
        return block ? undefined : `no BucketPublicAccessBlock with ${PUBLIC_ACCESS_FLAGS.join(", ")} = true.`;
      },
      report,
    ),
});

/** A Deny of every principal when `aws:SecureTransport` is false. */
function deniesPlainHttp(statement: Readonly<Record<string, unknown>>): boolean {
  const secure = get(statement, "Condition", "Bool", "aws:SecureTransport");
  return statement["Effect"] === "Deny" && (secure === "false" || secure === false);
}

export const s3TlsOnly = stackRule({
  name: "s3-bucket-tls-only",
  summary: "Every S3 bucket has a BucketPolicy that denies requests without TLS (Deny with Condition Bool aws:SecureTransport = false).",
  source: { eksBestPractices: "Security › Data encryption and secrets management › Encryption in transit" },
  enforcementLevel: "mandatory",
  check: (resources, report) =>
    eachBucket(
      resources,
      BUCKET_POLICY,
      (_bucket, siblings) => {
        const denies = siblings.some((p) => statementsOf(parseJsonDocument(p.props["policy"])).some(deniesPlainHttp));
        return denies ? undefined : "no BucketPolicy denying aws:SecureTransport = false.";
      },
      report,
    ),
});

export const dataRules = [
  kmsRotation,
  kmsDeletionWindow,
  secretsUseCmk,
  statefulProtected,
  logGroupRetention,
  s3Versioned,
  s3EncryptedKms,
  s3PublicAccessBlocked,
  s3TlsOnly,
];
