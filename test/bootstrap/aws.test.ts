// AWS side of the bootstrap per stack: every IRSA role trusted by exactly one service
// account, least-privilege policies, protected stateful resources, the wildcard record.
import { beforeAll, describe, expect, it } from "vitest";
import { recordedStack, stackConfig, type RecordedResource, type StackRecording } from "../harness/stacks";
import { FACTS, STACKS, actions, bySid, input, irsaRole, release, statements } from "./helpers";
import { crossplaneRdsStatements } from "../../bootstrap/platform-identities/platform-identities";

const BOOTSTRAP_ACCOUNTS: [string, string][] = [
  ["kube-system", "aws-load-balancer-controller"],
  ["cert-manager", "cert-manager"],
  ["vault", "vault"],
  ["vault", "vault-init"],
  ["vault", "vault-snapshot"],
  ["crossplane-system", "provider-aws"],
  ["loki", "loki"],
  ["argocd", "ecr-chart-pull"],
];

describe.each(STACKS)("%s AWS resources of the bootstrap", (stack) => {
  const facts = FACTS[stack];
  let rec: StackRecording;
  beforeAll(() => {
    rec = recordedStack(stack);
  });
  const named = (type: string, suffix: string): RecordedResource => rec.one(type, suffix);

  it("trusts each IRSA role to one namespace/service account and the STS audience only", () => {
    for (const [namespace, serviceAccount] of BOOTSTRAP_ACCOUNTS) {
      const { role } = irsaRole(rec, namespace, serviceAccount);
      const [trust] = statements(role.inputs.assumeRolePolicy);
      const issuer = Object.keys(trust.Condition?.StringEquals ?? {})[0].replace(/:sub$/, "");
      expect(trust.Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(trust.Condition?.StringEquals).toEqual({
        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
        [`${issuer}:aud`]: "sts.amazonaws.com",
      });
      expect(issuer).toMatch(new RegExp(`^oidc\\.eks\\.${facts.region}\\.amazonaws\\.com/id/[0-9A-F]{32}$`));
    }
  });

  it("limits cert-manager to TXT _acme-challenge records of the stack's own zone", () => {
    const { policy } = irsaRole(rec, "cert-manager", "cert-manager");
    const change = bySid(policy, "ChallengeRecordsInStackZoneOnly");
    expect(change.Resource).toBe(`arn:aws:route53:::hostedzone/${facts.hostedZoneId}`);
    expect(change.Condition).toEqual({
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
      "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
    });
    const writes = policy.filter((s) => actions(s).includes("route53:ChangeResourceRecordSets"));
    expect(writes).toHaveLength(1);
  });

  it("scopes every load balancer write of the controller to resources tagged with this cluster", () => {
    const { policy } = irsaRole(rec, "kube-system", "aws-load-balancer-controller");
    for (const sid of ["CreateOwnedLoadBalancers", "ManageOwnedLoadBalancers", "ManageOwnedSecurityGroup"]) {
      const conditions = JSON.stringify(bySid(policy, sid).Condition);
      expect(conditions).toContain(`"${facts.clusterName}"`);
    }
    expect(actions(bySid(policy, "ManageOwnedLoadBalancers"))).toContain("elasticloadbalancing:DeleteLoadBalancer");
    // Ingress edits on (untagged) node groups: only security groups of this stack's VPC.
    const vpcId = input<string>(release(rec, "aws-load-balancer-controller"), "values.vpcId");
    expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(bySid(policy, "OpenNodeSecurityGroupPorts").Condition).toEqual({
      ArnEquals: { "ec2:Vpc": `arn:aws:ec2:${facts.region}:${facts.accountId}:vpc/${vpcId}` },
    });
    const everything = policy.flatMap(actions);
    for (const dropped of ["wafv2:AssociateWebACL", "shield:CreateProtection", "cognito-idp:DescribeUserPoolClient"]) expect(everything).not.toContain(dropped);
  });

  it("lets Vault use only its own unseal key and look up the deploy roles its AWS auth binds", () => {
    const { policy } = irsaRole(rec, "vault", "vault");
    expect(policy).toHaveLength(2);
    expect(actions(policy[0]).sort()).toEqual(["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"]);
    const cfg = stackConfig(stack);
    expect(bySid(policy, "ResolveDeployRoles")).toEqual({
      Sid: "ResolveDeployRoles",
      Effect: "Allow",
      Action: ["iam:GetRole"],
      Resource: [cfg["holodeck:ciRoleArn"], ...(JSON.parse(cfg["holodeck:adminRoleArns"]) as string[])],
    });
    // The one key in the policy is the key Vault's seal stanza names.
    const sealKeyId = /kms_key_id = "([0-9a-f-]{36})"/.exec(input<string>(release(rec, "vault"), "values.server.ha.raft.config"))?.[1];
    expect(policy[0].Resource).toEqual([`arn:aws:kms:${facts.region}:${facts.accountId}:key/${sealKeyId}`]);
  });

  it("keeps Vault's recovery keys in a protected, KMS-encrypted secret the init Job can only write", () => {
    const secret = named("aws:secretsmanager/secret:Secret", "-vault-init-secret");
    expect(secret.protect).toBe(true);
    expect(input(secret, "name")).toBe(`holodeck/${stack}/vault-init`);
    expect(input<string>(secret, "kmsKeyId")).toMatch(/^arn:aws:kms:/);
    expect(input(secret, "recoveryWindowInDays")).toBe(30);
    const { policy } = irsaRole(rec, "vault", "vault-init");
    expect(actions(bySid(policy, "StoreInitResult")).sort()).toEqual(["secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue"]);
    expect(policy.flatMap(actions)).not.toContain("secretsmanager:GetSecretValue");
    expect(bySid(policy, "EncryptForSecretsManager").Condition).toEqual({ StringEquals: { "kms:ViaService": `secretsmanager.${facts.region}.amazonaws.com` } });
  });

  it("stores snapshots and Loki data in protected, versioned, KMS-encrypted, private buckets", () => {
    for (const purpose of ["vault-snapshots", "loki"]) {
      const bucket = rec.byType("aws:s3/bucket:Bucket").find((b) => input(b, "bucket") === `${facts.clusterName}-${facts.accountId}-${purpose}`);
      if (!bucket) throw new Error(`no ${purpose} bucket`);
      expect(bucket.protect).toBe(true);
      expect(input(bucket, "forceDestroy")).toBe(false);
      const sibling = (type: string): RecordedResource => {
        const found = rec.byType(type).filter((r) => r.parent === bucket.parent);
        if (found.length !== 1) throw new Error(`${purpose}: expected one ${type}`);
        return found[0];
      };
      expect(input(sibling("aws:s3/bucketVersioning:BucketVersioning"), "versioningConfiguration.status")).toBe("Enabled");
      const sse = input<{ applyServerSideEncryptionByDefault: { sseAlgorithm: string; kmsMasterKeyId: string } }[]>(
        sibling("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
        "rules",
      );
      expect(sse[0].applyServerSideEncryptionByDefault.sseAlgorithm).toBe("aws:kms");
      expect(sse[0].applyServerSideEncryptionByDefault.kmsMasterKeyId).toMatch(/^arn:aws:kms:/);
      const block = sibling("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
      expect([block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets]).toEqual([true, true, true, true]);
      const [deny] = statements(sibling("aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
      expect([deny.Effect, deny.Condition]).toEqual(["Deny", { Bool: { "aws:SecureTransport": "false" } }]);
    }
    const { policy } = irsaRole(rec, "vault", "vault-snapshot");
    expect(actions(bySid(policy, "Objects"))).toEqual(["s3:PutObject"]);
  });

  it("lets the Crossplane provider create, change or delete only RDS resources tagged with this cluster", () => {
    const { policy } = irsaRole(rec, "crossplane-system", "provider-aws");
    const rdsInRegion = `arn:aws:rds:${facts.region}:${facts.accountId}:*`;
    expect(bySid(policy, "ReadRdsInRegion").Resource).toBe(rdsInRegion);
    expect(bySid(policy, "ReadRdsInRegion").Condition).toBeUndefined();
    expect(actions(bySid(policy, "ReadRdsInRegion")).every((a) => /^rds:(Describe|List)/.test(a))).toBe(true);
    const create = bySid(policy, "CreateOwnedRds");
    expect([create.Resource, create.Condition]).toEqual([rdsInRegion, { StringEquals: { "aws:RequestTag/holodeck-cluster": facts.clusterName } }]);
    expect(actions(create)).toEqual(["rds:CreateDBInstance", "rds:CreateDBParameterGroup", "rds:AddTagsToResource"]);
    const manage = bySid(policy, "ManageOwnedRds");
    expect([manage.Resource, manage.Condition]).toEqual([rdsInRegion, { StringEquals: { "aws:ResourceTag/holodeck-cluster": facts.clusterName } }]);
    expect(actions(manage)).toEqual(expect.arrayContaining(["rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:RebootDBInstance"]));
    const keep = bySid(policy, "KeepOwnerTag");
    expect([keep.Effect, actions(keep), keep.Condition]).toEqual([
      "Deny",
      ["rds:RemoveTagsFromResource"],
      { "ForAnyValue:StringEquals": { "aws:TagKeys": ["holodeck-cluster"] } },
    ]);
    // No statement grants a mutating RDS action without one of the two tag conditions.
    const mutating = /^rds:(Create|Modify|Delete|Reboot|AddTags|RemoveTags)/;
    for (const s of policy.filter((st) => st.Effect === "Allow" && actions(st).some((a) => mutating.test(a)))) {
      expect([s.Sid, JSON.stringify(s.Condition ?? {})]).toEqual([s.Sid, expect.stringMatching(/aws:(Request|Resource)Tag\/holodeck-cluster/)]);
    }
  });

  it("lets External Secrets mint Argo CD's ECR token and pull only the registry of record's charts/* repositories", () => {
    const { policy } = irsaRole(rec, "argocd", "ecr-chart-pull");
    expect(policy.map((s) => s.Sid)).toEqual(["EcrToken", "PullCharts"]);
    expect([actions(bySid(policy, "EcrToken")), bySid(policy, "EcrToken").Resource]).toEqual([["ecr:GetAuthorizationToken"], "*"]);
    const pull = bySid(policy, "PullCharts");
    expect(actions(pull)).toEqual(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]);
    // Every stack pulls from production-eu-west-1's registry (account 123456789012), staging cross-account.
    expect(pull.Resource).toBe("arn:aws:ecr:eu-west-1:123456789012:repository/charts/*");
    const secret = rec.byType("kubernetes:core/v1:Secret").find((r) => JSON.stringify(r.inputs).includes('"argocd.argoproj.io/secret-type":"cluster"'));
    const annotations = (secret?.inputs.metadata as { annotations: Record<string, string> }).annotations;
    expect([annotations.chart_registry_host, annotations.chart_registry_region]).toEqual(["123456789012.dkr.ecr.eu-west-1.amazonaws.com", "eu-west-1"]);
    expect(annotations.chart_pull_role_arn).toMatch(/^arn:aws:iam::\d{12}:role\//);
  });

  it("builds the Crossplane RDS policy from the real partition", () => {
    const statements = crossplaneRdsStatements("aws-cn", "cn-north-1", "111122223333", "holodeck-x");
    expect(["ReadRdsInRegion", "CreateOwnedRds", "ManageOwnedRds"].map((sid) => statements.find((s) => s.Sid === sid)?.Resource)).toEqual([
      "arn:aws-cn:rds:cn-north-1:111122223333:*",
      "arn:aws-cn:rds:cn-north-1:111122223333:*",
      "arn:aws-cn:rds:cn-north-1:111122223333:*",
    ]);
  });

  it("points *.<domain> at the ingress NLB in the stack's zone", () => {
    const record = named("aws:route53/record:Record", "-ingress-wildcard-dns");
    expect(record.inputs).toMatchObject({ zoneId: facts.hostedZoneId, name: `*.${facts.domain}`, type: "CNAME", ttl: 300 });
    expect(input<string[]>(record, "records")).toEqual([expect.stringMatching(new RegExp(`\\.elb\\.${facts.region}\\.amazonaws\\.com$`))]);
  });

  it("protects every bootstrap KMS key", () => {
    const keys = rec.byType("aws:kms/key:Key").filter((k) => k.name.includes("-bootstrap-"));
    expect(keys.map((k) => k.name.replace(/^.*-bootstrap-/, "")).sort()).toEqual([
      "platform-aws-loki-kms-key",
      "vault-init-kms-key",
      "vault-snapshots-store-kms-key",
      "vault-unseal-key",
    ]);
    for (const key of keys) expect([key.name, key.protect, input(key, "enableKeyRotation")]).toEqual([key.name, true, true]);
  });
});
