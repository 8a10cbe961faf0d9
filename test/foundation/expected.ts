// Exact expectations per stack, written out by hand from the stack files (not computed by the
// code under test), so a change of either side fails the tests.
export interface StackExpectation {
  region: string;
  accountId: string;
  clusterName: string;
  namePrefix: string;
  production: boolean;
  privateCidrs: string[];
  publicCidrs: string[];
  natGateways: number;
  publicAccessCidrs: string[];
  adminRoleArns: string[];
  ciRoleArn: string;
  previewRoleArn: string;
  system: { instanceTypes: string[]; minSize: number; desiredSize: number; maxSize: number; diskSizeGiB: number };
  workload: { instanceTypes: string[]; minSize: number; desiredSize: number; maxSize: number; diskSizeGiB: number; amiType: string };
  logRetentionDays: number;
  tags: Record<string, string>;
}

const PROD_ADMINS = ["arn:aws:iam::123456789012:role/holodeck-platform-admin", "arn:aws:iam::123456789012:role/holodeck-break-glass"];
const PROD_TAGS = { Project: "holodeck", Environment: "production", Owner: "platform-team", CostCenter: "CC-4712" };
const PROD_SYSTEM = { instanceTypes: ["m7i.large"], minSize: 3, desiredSize: 3, maxSize: 6, diskSizeGiB: 50 };

export const EXPECTED: Record<string, StackExpectation> = {
  "staging-eu-west-1": {
    region: "eu-west-1",
    accountId: "210987654321",
    clusterName: "holodeck-staging-eu-west-1",
    namePrefix: "stg-euw1",
    production: false,
    privateCidrs: ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"],
    publicCidrs: ["10.20.224.0/21", "10.20.232.0/21", "10.20.240.0/21"],
    natGateways: 1,
    publicAccessCidrs: ["203.0.113.0/24", "198.51.100.10/32"],
    adminRoleArns: ["arn:aws:iam::210987654321:role/holodeck-platform-admin"],
    ciRoleArn: "arn:aws:iam::210987654321:role/holodeck-gitlab-ci",
    previewRoleArn: "arn:aws:iam::210987654321:role/holodeck-gitlab-preview",
    system: { instanceTypes: ["t3a.large"], minSize: 2, desiredSize: 2, maxSize: 3, diskSizeGiB: 30 },
    workload: { instanceTypes: ["m7i.large", "m6i.large"], minSize: 1, desiredSize: 2, maxSize: 6, diskSizeGiB: 50, amiType: "AL2023_x86_64_STANDARD" },
    logRetentionDays: 30,
    tags: { Project: "holodeck", Environment: "staging", Owner: "platform-team", CostCenter: "CC-4711" },
  },
  "production-eu-west-1": {
    region: "eu-west-1",
    accountId: "123456789012",
    clusterName: "holodeck-production-eu-west-1",
    namePrefix: "prd-euw1",
    production: true,
    privateCidrs: ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"],
    publicCidrs: ["10.30.224.0/21", "10.30.232.0/21", "10.30.240.0/21"],
    natGateways: 3,
    publicAccessCidrs: ["203.0.113.64/28", "198.51.100.10/32"],
    adminRoleArns: PROD_ADMINS,
    ciRoleArn: "arn:aws:iam::123456789012:role/holodeck-gitlab-ci",
    previewRoleArn: "arn:aws:iam::123456789012:role/holodeck-gitlab-preview",
    system: PROD_SYSTEM,
    workload: { instanceTypes: ["m7i.2xlarge", "m6i.2xlarge"], minSize: 3, desiredSize: 6, maxSize: 30, diskSizeGiB: 100, amiType: "AL2023_x86_64_STANDARD" },
    logRetentionDays: 365,
    tags: PROD_TAGS,
  },
  "production-eu-central-1": {
    region: "eu-central-1",
    accountId: "123456789012",
    clusterName: "holodeck-production-eu-central-1",
    namePrefix: "prd-euc1",
    production: true,
    privateCidrs: ["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"],
    publicCidrs: ["10.40.224.0/21", "10.40.232.0/21", "10.40.240.0/21"],
    natGateways: 3,
    publicAccessCidrs: ["203.0.113.64/28", "198.51.100.10/32"],
    adminRoleArns: PROD_ADMINS,
    ciRoleArn: "arn:aws:iam::123456789012:role/holodeck-gitlab-ci",
    previewRoleArn: "arn:aws:iam::123456789012:role/holodeck-gitlab-preview",
    system: PROD_SYSTEM,
    workload: { instanceTypes: ["m7g.2xlarge", "m6g.2xlarge"], minSize: 3, desiredSize: 6, maxSize: 30, diskSizeGiB: 100, amiType: "AL2023_ARM_64_STANDARD" },
    logRetentionDays: 365,
    tags: PROD_TAGS,
  },
};

export const STACKS = Object.keys(EXPECTED);
