// Pulumi mocks shared by the tests and `npm run plan`. Two tables, easy to extend with one
// entry each: `resourceOutputs` (extra outputs a resource type returns on top of its inputs)
// and `invokeResults` (provider functions). An invoke that is not in the table throws.
import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

export interface MockContext {
  stack: string;
  region: string;
  accountId: string;
  partition: string;
}

export type ResourceOutputs = (args: pulumi.runtime.MockResourceArgs, ctx: MockContext) => Record<string, unknown>;
export type InvokeResult = (inputs: Record<string, unknown>, ctx: MockContext) => Record<string, unknown>;

/** Deterministic hex derived from the parts (same stack + name = same id on every run). */
export function mockHex(length: number, ...parts: string[]): string {
  return createHash("sha256").update(parts.join("|")).digest("hex").slice(0, length);
}

/** The resource's inputs (the SDK types them `any`). */
const inputsOf = (args: pulumi.runtime.MockResourceArgs): Record<string, unknown> => args.inputs as Record<string, unknown>;

function inputName(args: pulumi.runtime.MockResourceArgs): string {
  const name = inputsOf(args).name;
  return typeof name === "string" ? name : `${args.name}-${mockHex(7, args.type, args.name)}`;
}

function arn(ctx: MockContext, service: string, resource: string, global = false): string {
  return `arn:${ctx.partition}:${service}:${global ? "" : ctx.region}:${ctx.accountId}:${resource}`;
}

const iamNamed =
  (kind: string): ResourceOutputs =>
  (args, ctx) => {
    const name = inputName(args);
    return { name, arn: arn(ctx, "iam", `${kind}/${name}`, true), uniqueId: `AROA${mockHex(17, args.name).toUpperCase()}` };
  };

/** Outputs per resource type, merged over the inputs (providers compute these). */
export const resourceOutputs: Record<string, ResourceOutputs> = {
  "aws:eks/cluster:Cluster": (args, ctx) => {
    const name = inputName(args);
    const hex = mockHex(32, ctx.stack, name).toUpperCase();
    const vpcConfig = (inputsOf(args).vpcConfig ?? {}) as Record<string, unknown>;
    return {
      name,
      arn: arn(ctx, "eks", `cluster/${name}`),
      endpoint: `https://${hex}.gr7.${ctx.region}.eks.amazonaws.com`,
      certificateAuthority: { data: Buffer.from(`mock-ca-${name}`).toString("base64") },
      identities: [{ oidcs: [{ issuer: `https://oidc.eks.${ctx.region}.amazonaws.com/id/${hex}` }] }],
      vpcConfig: { ...vpcConfig, clusterSecurityGroupId: `sg-${mockHex(17, name, "cluster-sg")}`, vpcId: "vpc-mock" },
      status: "ACTIVE",
    };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (args, ctx) => ({
    arn: arn(ctx, "iam", `oidc-provider/${String(inputsOf(args).url).replace(/^https:\/\//, "")}`, true),
  }),
  "aws:iam/role:Role": iamNamed("role"),
  "aws:iam/policy:Policy": iamNamed("policy"),
  "aws:kms/key:Key": (args, ctx) => {
    const keyId = mockHex(32, ctx.stack, args.name).replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    return { keyId, arn: arn(ctx, "kms", `key/${keyId}`) };
  },
  "aws:kms/alias:Alias": (args, ctx) => ({ arn: arn(ctx, "kms", String(inputsOf(args).name)) }),
  "aws:cloudwatch/logGroup:LogGroup": (args, ctx) => ({ arn: arn(ctx, "logs", `log-group:${inputName(args)}`), name: inputName(args) }),
  "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1, defaultVersion: 1 }),
  "aws:ec2/eip:Eip": (args, ctx) => {
    const n = parseInt(mockHex(4, ctx.stack, args.name), 16);
    return { publicIp: `3.${(n >> 8) % 256}.${n % 256}.${n % 251}`, allocationId: `eipalloc-${mockHex(17, args.name)}` };
  },
  "aws:rds/subnetGroup:SubnetGroup": (args) => ({ name: inputName(args) }),
  "aws:eks/nodeGroup:NodeGroup": (args, ctx) => ({ arn: arn(ctx, "eks", `nodegroup/${args.name}`), status: "ACTIVE" }),
  "aws:sqs/queue:Queue": (args, ctx) => {
    const name = inputName(args);
    return { name, arn: arn(ctx, "sqs", name), url: `https://sqs.${ctx.region}.amazonaws.com/${ctx.accountId}/${name}` };
  },
  "aws:cloudwatch/eventRule:EventRule": (args, ctx) => ({ name: inputName(args), arn: arn(ctx, "events", `rule/${inputName(args)}`) }),
  "aws:secretsmanager/secret:Secret": (args, ctx) => ({ arn: arn(ctx, "secretsmanager", `secret:${inputName(args)}-${mockHex(6, args.name)}`) }),
  "aws:s3/bucket:Bucket": (args) => ({ arn: `arn:aws:s3:::${String(inputsOf(args).bucket)}`, bucket: inputsOf(args).bucket }),
  "vault:index/authBackend:AuthBackend": (args) => ({ accessor: `auth_${String(inputsOf(args).type)}_${mockHex(8, args.name)}` }),
  // The AWS Load Balancer Controller writes the NLB's name into a LoadBalancer Service's status.
  "kubernetes:core/v1:Service": (args, ctx) => {
    const spec = (inputsOf(args).spec ?? {}) as Record<string, unknown>;
    if (spec.type !== "LoadBalancer") return {};
    return {
      status: {
        loadBalancer: { ingress: [{ hostname: `k8s-${mockHex(8, args.name)}-${mockHex(10, ctx.stack, args.name)}.elb.${ctx.region}.amazonaws.com` }] },
      },
    };
  },
};

/** Provider function results by token. */
export const invokeResults: Record<string, InvokeResult> = {
  "aws:index/getCallerIdentity:getCallerIdentity": (_inputs, ctx) => ({
    accountId: ctx.accountId,
    arn: `arn:${ctx.partition}:sts::${ctx.accountId}:assumed-role/holodeck-gitlab-ci/pulumi`,
    userId: "AROAMOCKUSERID:pulumi",
    id: ctx.accountId,
  }),
  "aws:index/getPartition:getPartition": (_inputs, ctx) => ({
    partition: ctx.partition,
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
    id: ctx.partition,
  }),
  "aws:index/getRegion:getRegion": (_inputs, ctx) => ({ name: ctx.region, region: ctx.region, id: ctx.region, endpoint: `ec2.${ctx.region}.amazonaws.com` }),
  "aws:index/getAvailabilityZones:getAvailabilityZones": (_inputs, ctx) => ({
    id: ctx.region,
    names: ["a", "b", "c"].map((s) => `${ctx.region}${s}`),
    zoneIds: [1, 2, 3].map((n) => `${ctx.region.replace(/^(\w\w)-(\w)\w*-(\d)$/, "$1$2$3")}-az${n}`),
  }),
};

/**
 * Hand-made Secrets Manager secrets (docs/bootstrap.md manual steps), by the shape of their
 * name in the stack files. Vault's init secret (root token) is deliberately absent: Pulumi
 * must never read it, so a program that tries fails every stack run.
 */
export const SECRET_VALUES: { pattern: RegExp; value: Record<string, unknown> }[] = [
  { pattern: /oidc/, value: { clientSecret: "mock-oidc-client-secret" } },
  { pattern: /git/, value: { username: "argocd", password: "mock-git-token" } },
];

invokeResults["aws:secretsmanager/getSecretVersion:getSecretVersion"] = (inputs) => {
  const secretId = String(inputs.secretId);
  const known = SECRET_VALUES.find((entry) => entry.pattern.test(secretId));
  if (!known) throw new Error(`mock getSecretVersion: no value for secret ${secretId} (add it to SECRET_VALUES in cli/plan/mocks.ts)`);
  return { id: secretId, arn: `arn:aws:secretsmanager:mock:${secretId}`, secretId, versionId: "mock-version", secretString: JSON.stringify(known.value) };
};

/** Id prefixes of well-known AWS types, so ids read like the real ones in plans and tests. */
const ID_PREFIX: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "vpc-",
  "aws:ec2/subnet:Subnet": "subnet-",
  "aws:ec2/securityGroup:SecurityGroup": "sg-",
  "aws:ec2/natGateway:NatGateway": "nat-",
  "aws:ec2/internetGateway:InternetGateway": "igw-",
  "aws:ec2/routeTable:RouteTable": "rtb-",
  "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
  "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
  "aws:ec2/eip:Eip": "eipalloc-",
  "aws:ec2/flowLog:FlowLog": "fl-",
};

export function createMocks(ctx: MockContext): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const extra = resourceOutputs[args.type]?.(args, ctx) ?? {};
      const prefix = ID_PREFIX[args.type];
      const id = prefix ? `${prefix}${mockHex(17, ctx.stack, args.type, args.name)}` : `${args.name}-id`;
      return { id, state: { ...inputsOf(args), id, ...extra } };
    },
    call(args) {
      const result = invokeResults[args.token];
      if (!result) throw new Error(`unknown invoke ${args.token}: add it to invokeResults in cli/plan/mocks.ts`);
      return result(args.inputs as Record<string, unknown>, ctx);
    },
  };
}
