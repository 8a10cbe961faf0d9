// The one table of per-stack facts the tests check against, computed from each stack file
// (Pulumi.yaml defaults + stacks/Pulumi.<stack>.yaml) by rules written here, independently of
// the code under test (stacks/config.ts, components/network-layout.ts). A new stack file gets
// its facts, and every suite that walks STACKS, with no hand-written entry.
import { listStacks, stackConfig } from "./stacks";

export interface NodeGroupFacts {
  instanceTypes: string[];
  minSize: number;
  desiredSize: number;
  maxSize: number;
  diskSizeGiB: number;
}

export interface StackFacts {
  stack: string;
  environment: "staging" | "production";
  production: boolean;
  region: string;
  accountId: string;
  clusterName: string;
  namePrefix: string;
  vpcCidr: string;
  privateCidrs: string[];
  publicCidrs: string[];
  natGateways: number;
  /** endpointPublicAccessCidrs: also the only sources allowed to Vault's public ingress. */
  publicAccessCidrs: string[];
  adminRoleArns: string[];
  ciRoleArn: string;
  previewRoleArn?: string;
  driftRoleArn?: string;
  system: NodeGroupFacts;
  workload: NodeGroupFacts & { amiType: string };
  logRetentionDays: number;
  tags: Record<string, string>;
  domain: string;
  hostedZoneId: string;
  platformRepoRevision: string;
}

export const STACKS: readonly string[] = listStacks();

const COMPASS: Record<string, string> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/** eu-west-1 -> euw1 (the documented naming rule, contracts §1). */
function regionCode(region: string): string {
  const [area, direction, number] = region.split("-");
  return `${area}${COMPASS[direction] ?? direction[0]}${number}`;
}

const toInt = (ip: string): number => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");

/** The documented subnet plan (contracts §1): private = eighth i of the VPC, public = quarter i of its last eighth. */
function subnets(vpcCidr: string, azCount: number): { privateCidrs: string[]; publicCidrs: string[] } {
  const [base, bits] = vpcCidr.split("/");
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  const azs = Array.from({ length: azCount }, (_, i) => i);
  return {
    privateCidrs: azs.map((i) => `${toIp(toInt(base) + (i * size) / 8)}/${prefix + 3}`),
    publicCidrs: azs.map((i) => `${toIp(toInt(base) + (7 * size) / 8 + (i * size) / 32)}/${prefix + 5}`),
  };
}

function factsOf(stack: string): StackFacts {
  const config = stackConfig(stack);
  const text = (key: string): string => {
    const value = config[key];
    if (value === undefined) throw new Error(`test/harness/stack-facts.ts: ${stack} has no ${key}`);
    return value;
  };
  const json = <T>(key: string): T => JSON.parse(text(key)) as T;
  const environment = text("holodeck:environment") as StackFacts["environment"];
  const production = environment === "production";
  const region = text("aws:region");
  const azCount = Number(text("holodeck:azCount"));
  const workload = json<NodeGroupFacts>("holodeck:workloadNodeGroup");
  const ciRoleArn = text("holodeck:ciRoleArn");
  return {
    stack,
    environment,
    production,
    region,
    accountId: ciRoleArn.split(":")[4],
    clusterName: `holodeck-${stack}`,
    namePrefix: `${production ? "prd" : "stg"}-${regionCode(region)}`,
    vpcCidr: text("holodeck:vpcCidr"),
    ...subnets(text("holodeck:vpcCidr"), azCount),
    natGateways: text("holodeck:natGateways") === "perAz" ? azCount : 1,
    publicAccessCidrs: json<string[]>("holodeck:endpointPublicAccessCidrs"),
    adminRoleArns: json<string[]>("holodeck:adminRoleArns"),
    ciRoleArn,
    previewRoleArn: config["holodeck:previewRoleArn"],
    driftRoleArn: config["holodeck:driftRoleArn"],
    system: json<NodeGroupFacts>("holodeck:systemNodeGroup"),
    workload: { ...workload, amiType: workload.instanceTypes.every((t) => /^[a-z]+\d+g/.test(t)) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD" },
    logRetentionDays: production ? 365 : 30,
    tags: json<Record<string, string>>("holodeck:tags"),
    domain: text("holodeck:domain"),
    hostedZoneId: text("holodeck:hostedZoneId"),
    platformRepoRevision: text("holodeck:platformRepoRevision"),
  };
}

export const FACTS: Readonly<Record<string, StackFacts>> = Object.fromEntries(STACKS.map((stack) => [stack, factsOf(stack)]));
