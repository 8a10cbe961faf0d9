import {
  eksAccessEntries,
  eksAllLogTypes,
  eksAuditLogging,
  eksDeletionProtection,
  eksEndpointRestricted,
  eksNoCreatorAdmin,
  eksPrivateEndpoint,
  eksSecretsEncryption,
  eksStandardSupport,
  eksSupportedVersion,
} from "../../../policy/rules/eks-cluster";
import { PROD, res, STAGING, type RuleCases } from "./types";

const CLUSTER = "aws:eks/cluster:Cluster";
const KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/abcd";

/** A cluster as production should declare it; cases change one thing at a time. */
export const goodCluster: Record<string, unknown> = {
  version: "1.35",
  roleArn: "arn:aws:iam::111111111111:role/eks",
  encryptionConfig: { provider: { keyArn: KEY_ARN }, resources: ["secrets"] },
  enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
  vpcConfig: { subnetIds: ["s1", "s2"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
  accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
  upgradePolicy: { supportType: "STANDARD" },
  deletionProtection: true,
};

const cluster = (changes: Record<string, unknown>, stack = PROD) => res(CLUSTER, { ...goodCluster, ...changes }, { name: "eks", stack });
const vpc = (changes: Record<string, unknown>) => ({ ...(goodCluster["vpcConfig"] as Record<string, unknown>), ...changes });

export const eksClusterCases: RuleCases[] = [
  {
    rule: eksSecretsEncryption,
    pass: [{ title: "secrets encrypted with a CMK", resources: [cluster({})] }],
    fail: [
      {
        title: "no encryptionConfig",
        resources: [cluster({ encryptionConfig: undefined })],
        messages: ["encryptionConfig.resources must include 'secrets'.", "encryptionConfig.provider.keyArn must name a customer-managed KMS key."],
      },
      {
        title: "key without secrets",
        resources: [cluster({ encryptionConfig: { provider: { keyArn: KEY_ARN }, resources: [] } })],
        messages: ["encryptionConfig.resources must include 'secrets'."],
      },
    ],
  },
  {
    rule: eksAuditLogging,
    pass: [{ title: "audit + authenticator only", resources: [cluster({ enabledClusterLogTypes: ["audit", "authenticator"] })] }],
    fail: [
      {
        title: "api only",
        resources: [cluster({ enabledClusterLogTypes: ["api"] })],
        messages: ["enabledClusterLogTypes must include 'audit'.", "enabledClusterLogTypes must include 'authenticator'."],
      },
    ],
  },
  {
    rule: eksAllLogTypes,
    pass: [{ title: "all five", resources: [cluster({})] }],
    fail: [
      {
        title: "two missing",
        resources: [cluster({ enabledClusterLogTypes: ["api", "audit", "authenticator"] })],
        messages: ["enabledClusterLogTypes is missing: controllerManager, scheduler."],
      },
    ],
  },
  {
    rule: eksEndpointRestricted,
    pass: [
      { title: "allowlisted public endpoint in production", resources: [cluster({})] },
      { title: "private-only endpoint in production", resources: [cluster({ vpcConfig: vpc({ endpointPublicAccess: false, publicAccessCidrs: [] }) })] },
      { title: "open endpoint in staging is not checked", resources: [cluster({ vpcConfig: vpc({ publicAccessCidrs: ["0.0.0.0/0"] }) }, STAGING)] },
    ],
    fail: [
      {
        title: "0.0.0.0/0 in production",
        resources: [cluster({ vpcConfig: vpc({ publicAccessCidrs: ["0.0.0.0/0", "10.0.0.0/8"] }) })],
        messages: ["vpcConfig.publicAccessCidrs must not contain 0.0.0.0/0."],
      },
      {
        title: "public endpoint left at its default without an allowlist",
        resources: [cluster({ vpcConfig: vpc({ endpointPublicAccess: undefined, publicAccessCidrs: undefined }) })],
        messages: ["vpcConfig.endpointPublicAccess is on without vpcConfig.publicAccessCidrs: the API is open to 0.0.0.0/0."],
      },
    ],
  },
  {
    rule: eksPrivateEndpoint,
    pass: [{ title: "private access on", resources: [cluster({}, STAGING)] }],
    fail: [
      {
        title: "private access left at its default",
        resources: [cluster({ vpcConfig: vpc({ endpointPrivateAccess: undefined }) }, STAGING)],
        messages: ["vpcConfig.endpointPrivateAccess must be true."],
      },
    ],
  },
  {
    rule: eksAccessEntries,
    pass: [{ title: "API mode", resources: [cluster({}, STAGING)] }],
    fail: [
      {
        title: "API_AND_CONFIG_MAP",
        resources: [cluster({ accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } }, STAGING)],
        messages: ["accessConfig.authenticationMode must be 'API' (got 'API_AND_CONFIG_MAP')."],
      },
      {
        title: "unset (CONFIG_MAP)",
        resources: [cluster({ accessConfig: undefined }, STAGING)],
        messages: ["accessConfig.authenticationMode must be 'API' (got 'unset: CONFIG_MAP')."],
      },
    ],
  },
  {
    rule: eksNoCreatorAdmin,
    pass: [{ title: "creator admin off", resources: [cluster({})] }],
    fail: [
      {
        title: "creator admin default",
        resources: [cluster({ accessConfig: { authenticationMode: "API" } })],
        messages: ["accessConfig.bootstrapClusterCreatorAdminPermissions should be false."],
      },
    ],
  },
  {
    rule: eksSupportedVersion,
    pass: [
      { title: "1.35", resources: [cluster({})] },
      { title: "1.36", resources: [cluster({ version: "1.36" })] },
    ],
    fail: [
      { title: "1.34 past standard support", resources: [cluster({ version: "1.34" })], messages: ["version must be one of 1.35, 1.36 (got '1.34')."] },
      { title: "1.31 out of support", resources: [cluster({ version: "1.31" })], messages: ["version must be one of 1.35, 1.36 (got '1.31')."] },
      { title: "unpinned", resources: [cluster({ version: undefined })], messages: ["version must be one of 1.35, 1.36 (got 'unset')."] },
    ],
  },
  {
    rule: eksDeletionProtection,
    pass: [
      { title: "production protected", resources: [cluster({})] },
      { title: "staging unprotected is fine", resources: [cluster({ deletionProtection: false }, STAGING)] },
    ],
    fail: [
      { title: "production unprotected", resources: [cluster({ deletionProtection: false })], messages: ["deletionProtection must be true in production."] },
    ],
  },
  {
    rule: eksStandardSupport,
    pass: [{ title: "STANDARD", resources: [cluster({})] }],
    fail: [
      {
        title: "EXTENDED",
        resources: [cluster({ upgradePolicy: { supportType: "EXTENDED" } })],
        messages: ["upgradePolicy.supportType should be 'STANDARD' (got 'EXTENDED')."],
      },
    ],
  },
];
