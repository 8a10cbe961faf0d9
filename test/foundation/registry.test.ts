// The ECR registry of every stack (components/registry.ts, ci-push-role.ts): the registry of
// record replicates to exactly the other stacks (computed from the stack files, not from the
// code), holds GitLab's OIDC provider and the boundary of the per-service push roles (which the
// service pipeline derives from the registry host and its name); replicas in
// another account let the source replicate in; every stack's creation template is locked down.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { recordedStack, listStacks, REPO_ROOT, runStack, stackConfig, StackRunError, type StackRecording } from "../harness/stacks";
import type { RegistryConfig } from "../../model";
import { readRegistry, type RegistryContext, type StackPlace } from "../../stacks/config-registry";
import { Reader } from "../../stacks/config-reader";
import { ECR_PUSH_ACTIONS, GITLAB_AUDIENCE, PUSH_ROLE_NAME_PREFIX, PUSH_ROLE_PATH } from "../../components/ci-push-role";
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

beforeAll(() => {
  for (const stack of STACKS) recordings[stack] = recordedStack(stack);
});

const registryJson = (stack: string): Record<string, unknown> => JSON.parse(stackConfig(stack)["holodeck:registry"]) as Record<string, unknown>;

describe("registry config across the stack files", () => {
  it("has exactly one registry of record; every other stack file says nothing (replica by default)", () => {
    expect(STACKS.filter((stack) => registryJson(stack).source === true)).toEqual([SOURCE]);
    for (const stack of STACKS.filter((s) => s !== SOURCE)) expect(registryJson(stack), stack).toEqual({ source: false });
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
      { encryptionType: "KMS", kmsKey: expect.stringContaining(keyArn) as unknown },
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

  it("registers GitLab as an OIDC provider with the audience the service pipeline's id_token carries", () => {
    const provider = rec().one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "-ecr-push-gitlab");
    expect(provider.inputs.url).toBe(`https://${host}`);
    expect(provider.inputs.clientIdLists).toEqual([GITLAB_AUDIENCE]);
    const pipeline = readFileSync(path.join(REPO_ROOT, "templates/python-service/project/.gitlab-ci.yml.jinja"), "utf8");
    expect(pipeline).toMatch(new RegExp(`id_tokens:\\s+AWS_ID_TOKEN:\\s+aud: ${GITLAB_AUDIENCE.replace(/\./g, "\\.")}`));
  });

  it("the service pipeline derives its own role's ARN from the registry host and the push path (no shared role, no role variable)", () => {
    const pipeline = readFileSync(path.join(REPO_ROOT, "templates/python-service/project/.gitlab-ci.yml.jinja"), "utf8");
    expect(pipeline).not.toContain("ECR_PUSH_ROLE_ARN");
    expect(pipeline).toContain(`AWS_ROLE_ARN="arn:aws:iam::\${PLATFORM_REGISTRY%%.*}:role${PUSH_ROLE_PATH}${PUSH_ROLE_NAME_PREFIX}\${SERVICE_NAME}"`);
    expect(
      rec()
        .byType("aws:iam/role:Role")
        .filter((role) => role.name.includes("-ecr-push")),
    ).toEqual([]);
  });

  it("caps every push role with a boundary that pushes only to repositories of this registry", () => {
    const [login, push] = policyStatements(rec().one("aws:iam/policy:Policy", "-ecr-push-boundary").inputs.policy);
    expect(login).toEqual({ Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(push.Action).toEqual([...ECR_PUSH_ACTIONS]);
    expect(push.Resource).toBe(`arn:aws:ecr:eu-west-1:${SOURCE_ACCOUNT}:repository/*`);
  });

  it("needs no registry policy (nobody replicates into it)", () => {
    expect(rec().byType("aws:ecr/registryPolicy:RegistryPolicy")).toEqual([]);
  });
});

describe.each(STACKS.filter((s) => s !== SOURCE))("replica %s", (stack) => {
  const rec = (): StackRecording => recordings[stack];
  const crossAccount = PLACES[stack].accountId !== SOURCE_ACCOUNT;

  it("neither replicates, nor trusts GitLab, nor has a push boundary", () => {
    expect(rec().byType("aws:ecr/replicationConfiguration:ReplicationConfiguration")).toEqual([]);
    expect(rec().byType("holodeck:ci-push-role:CiPushRole")).toEqual([]);
    expect(
      rec()
        .byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
        .map((r) => r.name),
    ).toEqual([expect.stringMatching(/^(stg|prd)-[a-z0-9]+-oidc$/)]); // the cluster's own
    expect(
      rec()
        .byType("aws:iam/policy:Policy")
        .filter((p) => p.name.endsWith("-ecr-push-boundary")),
    ).toEqual([]);
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
  const SOURCE_VALUE = { source: true, gitlabUrl: "https://gitlab.com", defaultBranch: "main" };
  const source = (over: Record<string, unknown>): string => JSON.stringify({ ...SOURCE_VALUE, ...over });
  const CASES: { what: string; stack: string; value: string; key: string; problem: string }[] = [
    { what: "source not a boolean", stack: "staging-eu-west-1", value: '{"source":"yes"}', key: "holodeck:registry.source", problem: "not true or false" },
    {
      what: "a replica naming its source (derived from the stack files)",
      stack: "staging-eu-west-1",
      value: '{"source":false,"sourceAccountId":"123456789012"}',
      key: "holodeck:registry.sourceAccountId",
      problem: "unknown field of a replica (the source is derived from the stack files)",
    },
    {
      what: "a second registry of record",
      stack: "staging-eu-west-1",
      value: source({ gitlabUrl: "https://gitlab.com" }),
      key: "holodeck:registry.source",
      problem: "stacks/Pulumi.production-eu-west-1.yaml already holds the registry of record",
    },
    {
      what: "replication targets written by hand (derived from the stack files)",
      stack: SOURCE,
      value: source({ replicateTo: [{ region: "eu-central-1", accountId: "123456789012" }] }),
      key: "holodeck:registry.replicateTo",
      problem: "unknown field",
    },
    {
      what: "GitLab that does not host the services",
      stack: SOURCE,
      value: source({ gitlabUrl: "https://git.example.com" }),
      key: "holodeck:registry.gitlabUrl",
      problem: 'is not the start of serviceRepoUrlPrefix "https://gitlab.com/holodeck/services"',
    },
  ];

  it.each(CASES)("$what: one error naming $key", async ({ stack, value, key, problem }) => {
    const error = await runStack(stack, { config: { "holodeck:registry": value } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(StackRunError);
    const message = (error as StackRunError).message;
    expect(message).toContain(`stacks/Pulumi.${stack}.yaml`);
    expect(message).toContain(`  - ${key} = `);
    expect(message).toContain(`: ${problem}; allowed: `);
    expect((error as StackRunError).resources).toEqual([]);
  });
});

describe("what a stack derives from the other stack files", () => {
  const here: RegistryContext = {
    stack: "staging-eu-west-1",
    accountId: "210987654321",
    region: "eu-west-1",
    serviceRepoUrlPrefix: "https://gitlab.com/g",
    others: [],
  };
  const read = (value: unknown, others: StackPlace[]): { config: RegistryConfig; issues: string[] } => {
    const reader = new Reader((key) => (key === "holodeck:registry" ? JSON.stringify(value) : undefined));
    const config = readRegistry(reader, { ...here, others });
    return { config, issues: reader.issues.map((i) => `${i.key}: ${i.problem}`) };
  };
  const place = (stack: string, accountId: string, region: string, registrySource = false): StackPlace => ({ stack, accountId, region, registrySource });

  it("a replica pulls from the one file with source: true", () => {
    expect(
      read({ source: false }, [place("production-eu-west-1", "123456789012", "eu-west-1", true), place("production-us-east-1", "123456789012", "us-east-1")]),
    ).toEqual({
      config: { source: false, sourceAccountId: "123456789012", sourceRegion: "eu-west-1" },
      issues: [],
    });
  });

  it("a replica with no registry of record, or two, is an error naming the files", () => {
    expect(read({ source: false }, [place("production-eu-west-1", "123456789012", "eu-west-1")]).issues).toEqual([
      "holodeck:registry: cannot find the registry of record: no stack file has source: true",
    ]);
    const two = [place("production-eu-west-1", "123456789012", "eu-west-1", true), place("production-us-east-1", "123456789012", "us-east-1", true)];
    expect(read({ source: false }, two).issues).toEqual([
      "holodeck:registry: cannot find the registry of record: stacks/Pulumi.production-eu-west-1.yaml, stacks/Pulumi.production-us-east-1.yaml all have source: true",
    ]);
  });

  it("the source replicates to each other account+region once, never to itself", () => {
    const others = [
      place("production-eu-west-1", "123456789012", "eu-west-1"),
      place("production-us-east-1", "123456789012", "us-east-1"),
      place("staging-us-east-1", "123456789012", "us-east-1"),
      place("staging-eu-west-1-copy", "210987654321", "eu-west-1"),
    ];
    const { config, issues } = read({ source: true, gitlabUrl: "https://gitlab.com", defaultBranch: "main" }, others);
    expect(issues).toEqual([]);
    expect(config.source && config.replicateTo).toEqual([
      { accountId: "123456789012", region: "eu-west-1" },
      { accountId: "123456789012", region: "us-east-1" },
    ]);
  });

  it("a stack file whose account cannot be read is named", () => {
    const { issues } = read({ source: true, gitlabUrl: "https://gitlab.com", defaultBranch: "main" }, [place("production-us-east-1", "", "us-east-1")]);
    expect(issues).toEqual([
      "holodeck:registry: cannot derive a replication target: stacks/Pulumi.production-us-east-1.yaml lacks a valid holodeck:ciRoleArn or aws:region",
    ]);
  });

  it("more replication targets than ECR allows is an error", () => {
    const regions = Array.from({ length: 26 }, (_, i) => place(`production-r${i}`, String(100000000000 + i), "us-east-1"));
    expect(read({ source: true, gitlabUrl: "https://gitlab.com", defaultBranch: "main" }, regions).issues).toEqual([
      "holodeck:registry: the stack files make 26 replication targets, ECR allows 25",
    ]);
  });
});
