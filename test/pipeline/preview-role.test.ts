// The preview role, statement by statement (cli/ci/iam/preview-role.*.json, created by hand;
// the drift role has the same policy and trusts the default branch only:
// docs/runbooks/new-region.md#ci-roles-what-each-may-do). Every merge request's code runs with
// it, so it may read what a preview needs and change nothing: AWS configuration, the stack
// state (writing lock files only), the stack secrets' KMS key, the two hand-made secrets the
// program reads, never the Vault root token; and the stack config it decrypts holds no secret.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { listStacks, recordedStack, stackConfig } from "../harness/stacks";

const root = join(__dirname, "..", "..");
const IAM_DIR = join(root, "cli", "ci", "iam");

interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  Principal?: { Federated: string };
}
const documentOf = (file: string) => JSON.parse(readFileSync(join(IAM_DIR, file), "utf8")) as { Version: string; Statement: Statement[] };
const trust = documentOf("preview-role.trust.json");
const policy = documentOf("preview-role.policy.json");
const list = (value: string | string[] | undefined): string[] => [value ?? []].flat();
const statement = (sid: string): Statement => {
  const found = policy.Statement.filter((candidate) => candidate.Sid === sid);
  expect(found, sid).toHaveLength(1);
  return found[0];
};
const allows = policy.Statement.filter((candidate) => candidate.Effect === "Allow");

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive as IAM matches actions. */
function iamMatches(pattern: string, value: string, flags = ""): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, flags).test(value);
}
const allowedOn = (action: string, resource: string) =>
  allows.some((s) => list(s.Action).some((a) => iamMatches(a, action, "i")) && list(s.Resource).some((r) => iamMatches(r, resource)));
const SECRET_SUFFIX = "-AbC123"; // Secrets Manager appends six random characters to a secret's ARN.
const secretArn = (name: string) => `arn:aws:secretsmanager:eu-west-1:\${AccountId}:secret:${name}${SECRET_SUFFIX}`;

describe("preview role trust (cli/ci/iam/preview-role.trust.json)", () => {
  it("lets GitLab's OIDC token of any branch of this project in, for STS only, and nothing else", () => {
    expect(trust.Statement).toHaveLength(1);
    const [only] = trust.Statement;
    expect(only).toEqual({
      Sid: "GitLabMergeRequestsOfAnyBranchOfThisProject",
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::${AccountId}:oidc-provider/${GitLabHost}" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "${GitLabHost}:aud": "sts.amazonaws.com" },
        StringLike: { "${GitLabHost}:sub": "project_path:${ProjectPath}:ref_type:branch:ref:*" },
      },
    });
  });
});

describe("drift role trust (cli/ci/iam/drift-role.trust.json)", () => {
  it("lets in the default branch of this project only: schedules run there, merge requests never", () => {
    const drift = documentOf("drift-role.trust.json");
    expect(drift.Statement).toHaveLength(1);
    expect(drift.Statement[0]).toEqual({
      Sid: "GitLabDefaultBranchOfThisProjectOnly",
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::${AccountId}:oidc-provider/${GitLabHost}" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { "${GitLabHost}:aud": "sts.amazonaws.com", "${GitLabHost}:sub": "project_path:${ProjectPath}:ref_type:branch:ref:main" },
      },
    });
  });
});

describe("preview role policy (cli/ci/iam/preview-role.policy.json)", () => {
  const readConfiguration = list(statement("ReadResourceConfiguration").Action);

  it("reads AWS configuration only: Describe/Get/List actions that return no data values", () => {
    for (const action of readConfiguration) expect(action).toMatch(/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*\*?$/);
    // None of the wildcards reaches an action that returns stored data or secret material.
    const DATA_READS = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "secretsmanager:GetSecretValue",
      "ssm:GetParameter",
      "kms:Decrypt",
      "ecr:GetAuthorizationToken",
      "ecr:GetDownloadUrlForLayer",
      "logs:GetLogEvents",
      "ec2:GetPasswordData",
    ];
    for (const dataRead of DATA_READS) {
      expect(
        readConfiguration.filter((action) => iamMatches(action, dataRead, "i")),
        dataRead,
      ).toEqual([]);
    }
    expect(statement("ReadResourceConfiguration").Resource).toBe("*");
  });

  it("covers every AWS service of the resources the stacks manage, so a preview and a refresh can read them", () => {
    // aws:<module>/<type>:<Type> -> IAM service prefix: the module's name unless the provider's module
    // spans another service (cloudwatch holds CloudWatch Logs and EventBridge's rules and targets).
    const iamService = (module: string, type: string): string =>
      module === "cloudwatch" ? (type.startsWith("event") ? "events" : "logs") : module === "vpc" ? "ec2" : module;
    const used = new Map<string, string>();
    for (const stack of listStacks())
      for (const resource of recordedStack(stack).resources) {
        const match = /^aws:([a-z0-9]+)\/([A-Za-z0-9]+):/.exec(resource.type);
        if (match) used.set(iamService(match[1], match[2]), resource.type);
      }
    expect(used.size).toBeGreaterThan(5);
    expect(used.get("events")).toMatch(/^aws:cloudwatch\/event/);
    const services = new Set(readConfiguration.map((action) => action.split(":")[0]));
    for (const [service, type] of used) expect(services, type).toContain(service);
  });

  it("reads the state objects and lists only under .pulumi/ of the state bucket", () => {
    expect(statement("ReadStackState")).toMatchObject({ Action: "s3:GetObject", Resource: "arn:aws:s3:::${StateBucket}/.pulumi/*" });
    expect(statement("ListStackState")).toMatchObject({
      Action: "s3:ListBucket",
      Resource: "arn:aws:s3:::${StateBucket}",
      Condition: { StringLike: { "s3:prefix": [".pulumi/*"] } },
    });
    expect(allowedOn("s3:GetObject", "arn:aws:s3:::some-other-bucket/file")).toBe(false);
  });

  it("writes nothing but the backend's lock files: no stack, checkpoint or history object, no AWS resource", () => {
    const writes = allows.flatMap((s) =>
      list(s.Action)
        .filter((action) => !/^[a-z0-9-]+:(Describe|Get|List)/.test(action))
        .map((action) => `${action} ${list(s.Resource).join(",")}`),
    );
    expect(writes.sort()).toEqual([
      "kms:Decrypt ${StateBucketKeyArn}",
      "kms:Decrypt arn:aws:kms:*:${AccountId}:key/*",
      "kms:GenerateDataKey ${StateBucketKeyArn}",
      "s3:DeleteObject arn:aws:s3:::${StateBucket}/.pulumi/locks/*",
      "s3:PutObject arn:aws:s3:::${StateBucket}/.pulumi/locks/*",
    ]);
    expect(allowedOn("s3:PutObject", "arn:aws:s3:::${StateBucket}/.pulumi/stacks/holodeck/staging-eu-west-1.json")).toBe(false);
    expect(allowedOn("s3:PutObject", "arn:aws:s3:::${StateBucket}/.pulumi/locks/holodeck/staging-eu-west-1/lock.json")).toBe(true);
  });

  it("uses KMS only to decrypt stack secrets (the holodeck-pulumi-secrets alias) and the state bucket through S3", () => {
    expect(statement("DecryptStackSecrets")).toMatchObject({
      Action: "kms:Decrypt",
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/holodeck-pulumi-secrets" } },
    });
    expect(statement("StateBucketKeyThroughS3Only").Condition).toEqual({ StringEquals: { "kms:ViaService": "s3.${StateRegion}.amazonaws.com" } });
    for (const s of allows) {
      if (list(s.Action).some((action) => action.startsWith("kms:") && !/^kms:(Describe|Get|List)/.test(action))) expect(s.Condition, s.Sid).toBeDefined();
    }
  });

  describe.each(listStacks())("Secrets Manager for %s", (stack) => {
    const config = stackConfig(stack);
    const oidc = JSON.parse(config["holodeck:argocdOidc"]) as { clientSecretName: string };
    const readByProgram = [config["holodeck:gitCredentialsSecretName"], oidc.clientSecretName];

    it("reads exactly the two hand-made secrets the program reads at preview time", () => {
      expect(readByProgram.every((name) => typeof name === "string" && name.length > 0)).toBe(true);
      for (const name of readByProgram) expect(allowedOn("secretsmanager:GetSecretValue", secretArn(name)), name).toBe(true);
      expect(allowedOn("secretsmanager:GetSecretValue", secretArn(`holodeck/${stack}/some-other-secret`))).toBe(false);
    });

    it("never the Vault root token: no Allow matches it and a Deny names it", () => {
      const vaultInit = secretArn(`holodeck/${stack}/vault-init`);
      expect(allowedOn("secretsmanager:GetSecretValue", vaultInit)).toBe(false);
      const deny = statement("NeverTheVaultRootToken");
      expect([deny.Effect, deny.Action]).toEqual(["Deny", "secretsmanager:GetSecretValue"]);
      expect(list(deny.Resource).some((resource) => iamMatches(resource, vaultInit.replace("${AccountId}", "123456789012")))).toBe(true);
    });
  });

  it("denies every action it does not allow, even if someone attaches ReadOnlyAccess or more", () => {
    const guard = statement("NothingElseEvenIfAnotherPolicyIsAttached");
    expect([guard.Effect, guard.Resource, guard.Action]).toEqual(["Deny", "*", undefined]);
    const allowed = [...new Set(allows.flatMap((s) => list(s.Action)))].sort();
    expect([...(guard.NotAction ?? [])].sort()).toEqual(allowed);
  });
});

describe("what a merge request's code can decrypt: the stack config carries no secret value", () => {
  const secureValues = (node: unknown, at: string): string[] => {
    if (Array.isArray(node)) return node.flatMap((item, i) => secureValues(item, `${at}[${i}]`));
    if (typeof node !== "object" || node === null) return [];
    return Object.entries(node).flatMap(([key, value]) => (key === "secure" ? [at] : secureValues(value, `${at}.${key}`)));
  };

  it.each(listStacks())("stacks/Pulumi.%s.yaml has no `secure:` value (secrets live in Secrets Manager and Vault)", (stack) => {
    const doc: unknown = parse(readFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8"));
    expect(secureValues(doc, stack)).toEqual([]);
  });

  it("Pulumi.yaml declares no secret config key and no secure default", () => {
    const project = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { config: Record<string, { secret?: boolean }> };
    expect(Object.entries(project.config).filter(([, decl]) => decl.secret === true)).toEqual([]);
    expect(secureValues(project, "Pulumi.yaml")).toEqual([]);
  });
});
