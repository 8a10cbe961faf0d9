// The ECR registry of every stack (components/registry.ts, ci-push-role.ts): the registry of
// record replicates to exactly the other stacks (computed from the stack files, not from the
// code), trusts only the GitLab group's default-branch pipelines, pushes only here; replicas in
// another account let the source replicate in; every stack's creation template is locked down.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { recordedStack, listStacks, REPO_ROOT, runStack, stackConfig, StackRunError, type StackRecording } from "../harness/stacks";
import { input, policyStatements } from "./helpers";

const SOURCE = "production-eu-west-1";
const STACKS = listStacks();

/** Account + region of each stack, read straight from the stack files. */
const PLACES = Object.fromEntries(
  STACKS.map((stack) => {
    const config = stackConfig(stack);
    return [stack, { region: config["aws:region"], accountId: /:iam::(\d{12}):/.exec(config["holodeck:ciRoleArn"])![1] }];
  }),
);
const SOURCE_ACCOUNT = PLACES[SOURCE].accountId;
const recordings: Record<string, StackRecording> = {};

beforeAll(async () => {
  for (const stack of STACKS) recordings[stack] = recordedStack(stack);
});

const registryJson = (stack: string): Record<string, unknown> => JSON.parse(stackConfig(stack)["holodeck:registry"]) as Record<string, unknown>;

describe("registry config across the stack files", () => {
  it("has exactly one registry of record, and every replica names its account", () => {
    expect(STACKS.filter((stack) => registryJson(stack).source === true)).toEqual([SOURCE]);
    for (const stack of STACKS.filter((s) => s !== SOURCE)) expect(registryJson(stack).sourceAccountId ?? PLACES[stack].accountId, stack).toBe(SOURCE_ACCOUNT);
  });
});

describe.each(STACKS)("registry of %s", (stack) => {
  const rec = (): StackRecording => recordings[stack];
  const template = () => rec().one("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "-ecr-template");

  it("exports its own account+region registry, the one its services ApplicationSet pulls from", () => {
    const url = `${PLACES[stack].accountId}.dkr.ecr.${PLACES[stack].region}.amazonaws.com`;
    expect(rec().outputs.registryUrl).toBe(url);
    const appsets = rec().resources.filter((r) => JSON.stringify(r.inputs).includes('"global.imageRegistry"'));
    expect(appsets.length).toBe(1);
    expect(JSON.stringify(appsets[0].inputs)).toContain(`{"name":"global.imageRegistry","value":"${url}"}`);
  });

  it("creates repositories (on push, by replication) with immutable tags, its own KMS key and a lifecycle policy", () => {
    const t = template();
    expect(input(t, "prefix")).toBe("ROOT");
    expect(input<string[]>(t, "appliedFors")).toEqual(["CREATE_ON_PUSH", "REPLICATION"]);
    expect(input(t, "imageTagMutability")).toBe("IMMUTABLE");
    const key = rec().one("aws:kms/key:Key", "-ecr-key-key");
    expect(key.protect).toBe(true);
    expect(key.inputs.enableKeyRotation).toBe(true);
    const keyArn = `arn:aws:kms:${PLACES[stack].region}:${PLACES[stack].accountId}:key/`;
    expect(input<{ encryptionType: string; kmsKey: string }[]>(t, "encryptionConfigurations")).toEqual([
      { encryptionType: "KMS", kmsKey: expect.stringContaining(keyArn) },
    ]);
    const rules = (JSON.parse(input<string>(t, "lifecyclePolicy")) as { rules: { rulePriority: number; selection: Record<string, unknown> }[] }).rules;
    expect(rules.map((r) => [r.rulePriority, r.selection])).toEqual([
      [1, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }],
      [2, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 200 }],
    ]);
    expect(input(t, "resourceTags")).toEqual(JSON.parse(stackConfig(stack)["holodeck:tags"]));
  });

  it("lets ECR's creation role create repositories here and use only the registry key", () => {
    const role = rec().one("aws:iam/role:Role", "-ecr-create");
    expect(input(template(), "customRoleArn")).toContain(`:role/${role.name}`);
    expect(policyStatements(role.inputs.assumeRolePolicy)).toEqual([
      { Effect: "Allow", Principal: { Service: ["ecr.amazonaws.com"] }, Action: "sts:AssumeRole" },
    ]);
    const [ecr, kms] = policyStatements(rec().one("aws:iam/rolePolicy:RolePolicy", "-ecr-create").inputs.policy);
    expect(ecr.Action).toEqual(["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"]);
    expect(ecr.Resource).toBe(`arn:aws:ecr:${PLACES[stack].region}:${PLACES[stack].accountId}:repository/*`);
    expect(kms.Action).toEqual(["kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"]);
    expect(kms.Resource).toMatch(new RegExp(`^arn:aws:kms:${PLACES[stack].region}:${PLACES[stack].accountId}:key/`));
  });

  it("lets every other platform account pull from the registry of record's repositories (charts for Argo CD), nothing more", () => {
    if (stack !== SOURCE) {
      expect(template().inputs.repositoryPolicy).toBeUndefined();
      return;
    }
    const policy = input<string>(template(), "repositoryPolicy");
    const others = [...new Set(STACKS.map((s) => PLACES[s].accountId))].filter((a) => a !== SOURCE_ACCOUNT).sort();
    expect(others).toEqual(["210987654321"]);
    expect(policyStatements(policy)).toEqual([
      {
        Sid: "PullFromPlatformAccounts",
        Effect: "Allow",
        Principal: { AWS: others.map((a) => `arn:aws:iam::${a}:root`) },
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      },
    ]);
  });

  it("scans every image on push", () => {
    const scanning = rec().one("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration", "-ecr-scanning");
    expect(scanning.inputs.scanType).toBe("BASIC");
    expect(scanning.inputs.rules).toEqual([{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }]);
  });
});

describe("the registry of record", () => {
  const rec = (): StackRecording => recordings[SOURCE];
  const host = "gitlab.com";

  it("replicates to every other stack's account+region and nowhere else", () => {
    const replication = rec().one("aws:ecr/replicationConfiguration:ReplicationConfiguration", "-ecr-replication");
    const rules = (
      replication.inputs.replicationConfiguration as { rules: { destinations: { region: string; registryId: string }[]; repositoryFilters?: unknown }[] }
    ).rules;
    expect(rules.length).toBe(1);
    expect(rules[0].repositoryFilters).toBeUndefined();
    const expected = STACKS.filter((s) => s !== SOURCE).map((s) => ({ region: PLACES[s].region, registryId: PLACES[s].accountId }));
    expect([...rules[0].destinations].sort((a, b) => a.region.localeCompare(b.region))).toEqual(expected.sort((a, b) => a.region.localeCompare(b.region)));
    expect(expected.length).toBe(2);
  });

  it("trusts only default-branch pipelines of the services group, through GitLab's OIDC provider", () => {
    const provider = rec().one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "-ecr-push-gitlab");
    expect(provider.inputs.url).toBe("https://gitlab.com");
    expect(provider.inputs.clientIdLists).toEqual(["sts.amazonaws.com"]);
    const role = rec().one("aws:iam/role:Role", "-ecr-push-role");
    expect(policyStatements(role.inputs.assumeRolePolicy)).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${SOURCE_ACCOUNT}:oidc-provider/gitlab.com` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { [`${host}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${host}:sub`]: "project_path:holodeck/services/*:ref_type:branch:ref:main" },
        },
      },
    ]);
    // Auto-named role: the mock adds a random-looking suffix like AWS's.
    expect(rec().outputs.ecrPushRoleArn).toMatch(new RegExp(`^arn:aws:iam::${SOURCE_ACCOUNT}:role/${role.name}-[0-9a-f]{7}$`));
  });

  it("asks for the same audience the service pipeline's id_token carries", () => {
    const pipeline = readFileSync(path.join(REPO_ROOT, "templates/python-service/project/.gitlab-ci.yml.jinja"), "utf8");
    expect(pipeline).toMatch(/id_tokens:\s+AWS_ID_TOKEN:\s+aud: sts\.amazonaws\.com/);
    expect(pipeline).toContain('AWS_ROLE_ARN="$ECR_PUSH_ROLE_ARN"');
  });

  it("may push only to repositories of this registry", () => {
    const [login, push] = policyStatements(rec().one("aws:iam/rolePolicy:RolePolicy", "-ecr-push-push").inputs.policy);
    expect(login).toEqual({ Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(push.Action).toEqual([
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:CreateRepository",
      "ecr:DescribeRepositories",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]);
    expect(push.Resource).toBe(`arn:aws:ecr:eu-west-1:${SOURCE_ACCOUNT}:repository/*`);
  });

  it("needs no registry policy (nobody replicates into it)", () => {
    expect(rec().byType("aws:ecr/registryPolicy:RegistryPolicy")).toEqual([]);
  });
});

describe.each(STACKS.filter((s) => s !== SOURCE))("replica %s", (stack) => {
  const rec = (): StackRecording => recordings[stack];
  const crossAccount = PLACES[stack].accountId !== SOURCE_ACCOUNT;

  it("neither replicates, nor trusts GitLab, nor exports a push role", () => {
    expect(rec().byType("aws:ecr/replicationConfiguration:ReplicationConfiguration")).toEqual([]);
    expect(rec().byType("holodeck:ci-push-role:CiPushRole")).toEqual([]);
    expect(
      rec()
        .byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
        .map((r) => r.name),
    ).toEqual([expect.stringMatching(/^(stg|prd)-[a-z0-9]+-oidc$/)]); // the cluster's own
    expect(rec().outputs).not.toHaveProperty("ecrPushRoleArn");
  });

  it(`${crossAccount ? "lets" : "needs no policy to let"} the source account replicate in`, () => {
    const policies = rec().byType("aws:ecr/registryPolicy:RegistryPolicy");
    if (!crossAccount) return expect(policies).toEqual([]);
    expect(policies.length).toBe(1);
    expect(policyStatements(policies[0].inputs.policy)).toEqual([
      {
        Sid: "ReplicationFromRegistryOfRecord",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:root` },
        Action: ["ecr:CreateRepository", "ecr:ReplicateImage"],
        Resource: `arn:aws:ecr:${PLACES[stack].region}:${PLACES[stack].accountId}:repository/*`,
      },
    ]);
  });
});

describe("bad registry config", () => {
  const source = (over: Record<string, unknown>): string =>
    JSON.stringify({
      source: true,
      gitlabUrl: "https://gitlab.com",
      defaultBranch: "main",
      replicateTo: [{ region: "eu-central-1", accountId: "123456789012" }],
      ...over,
    });
  const CASES: { what: string; stack: string; value: string; key: string; allowed: string }[] = [
    { what: "source not a boolean", stack: "staging-eu-west-1", value: '{"source":"yes"}', key: "holodeck:registry.source", allowed: "on exactly one stack" },
    {
      what: "account id as a YAML number",
      stack: "staging-eu-west-1",
      value: '{"source":false,"sourceAccountId":123456789012}',
      key: "holodeck:registry.sourceAccountId",
      allowed: "quoted string",
    },
    {
      what: "replicating to itself",
      stack: SOURCE,
      value: source({ replicateTo: [{ region: "eu-west-1", accountId: "123456789012" }] }),
      key: "holodeck:registry.replicateTo",
      allowed: "not this one",
    },
    {
      what: "unknown destination region",
      stack: SOURCE,
      value: source({ replicateTo: [{ region: "eu-moon-1", accountId: "123456789012" }] }),
      key: "holodeck:registry.replicateTo[0].region",
      allowed: "AWS region",
    },
    {
      what: "a destination twice",
      stack: SOURCE,
      value: source({
        replicateTo: [
          { region: "eu-central-1", accountId: "123456789012" },
          { region: "eu-central-1", accountId: "123456789012" },
        ],
      }),
      key: "holodeck:registry.replicateTo",
      allowed: "distinct",
    },
    {
      what: "GitLab that does not host the services",
      stack: SOURCE,
      value: source({ gitlabUrl: "https://git.example.com" }),
      key: "holodeck:registry.gitlabUrl",
      allowed: "serviceRepoUrlPrefix must be <gitlabUrl>/<group>",
    },
    {
      what: "source field on a replica",
      stack: "staging-eu-west-1",
      value: '{"source":false,"replicateTo":[]}',
      key: "holodeck:registry.replicateTo",
      allowed: "{source: false",
    },
    {
      what: "source without replicateTo",
      stack: SOURCE,
      value: '{"source":true,"gitlabUrl":"https://gitlab.com","defaultBranch":"main"}',
      key: "holodeck:registry.replicateTo",
      allowed: "on exactly one stack",
    },
  ];

  it.each(CASES)("$what: one error naming $key", async ({ stack, value, key, allowed }) => {
    const error = await runStack(stack, { config: { "holodeck:registry": value } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(StackRunError);
    const message = (error as StackRunError).message;
    expect(message).toContain(`stacks/Pulumi.${stack}.yaml`);
    expect(message).toContain(`  - ${key} = `);
    expect(message).toContain(allowed);
    expect((error as StackRunError).resources).toEqual([]);
  });
});
