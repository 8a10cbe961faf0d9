// The holodeck program for one stack: network -> cluster -> (bootstrap) and the outputs that
// bootstrap, operators and CI use. Config arrives validated (stacks/config.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Bootstrap } from "../bootstrap/bootstrap";
import { Cluster } from "../components/cluster";
import { DatabaseNetwork } from "../components/database-network";
import { KmsKey } from "../components/kms";
import { Network } from "../components/network";
import { Registry } from "../components/registry";
import { nodeDetailedMonitoring } from "../model";
import type { HolodeckConfig } from "./config";

/** Log retention: production keeps a year of audit trail, staging a month. */
export function logRetentionDays(cfg: HolodeckConfig): number {
  return cfg.environment === "production" ? 365 : 30;
}

export function program(cfg: HolodeckConfig): Record<string, pulumi.Input<unknown>> {
  // One explicit provider per stack: region and tags come from the validated config, and
  // allowedAccountIds stops a stack from ever applying to another account's credentials.
  const awsProvider = new aws.Provider(cfg.namePrefix, {
    region: cfg.region as aws.Region,
    allowedAccountIds: [cfg.accountId],
    defaultTags: { tags: cfg.tags },
  });
  const opts: pulumi.ComponentResourceOptions = { providers: [awsProvider] };
  const accountId = aws.getCallerIdentityOutput({}, { provider: awsProvider }).accountId;
  const partition = aws.getPartitionOutput({}, { provider: awsProvider }).partition;
  const retentionInDays = logRetentionDays(cfg);

  const logsKey = new KmsKey(
    `${cfg.namePrefix}-logs`,
    {
      description: `CloudWatch Logs of ${cfg.clusterName} (VPC flow logs, EKS control plane)`,
      aliasName: `${cfg.clusterName}-logs`,
      accountId,
      partition,
      statements: [
        {
          Sid: "CloudWatchLogsOfThisAccount",
          Effect: "Allow",
          Principal: { Service: `logs.${cfg.region}.amazonaws.com` },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:${cfg.region}:${accountId}:log-group:*` } },
        },
      ],
    },
    opts,
  );
  const network = new Network(
    cfg.namePrefix,
    {
      clusterName: cfg.clusterName,
      region: cfg.region,
      vpcCidr: cfg.vpcCidr,
      azCount: cfg.azCount,
      natGateways: cfg.natGateways,
      interfaceEndpoints: cfg.environment === "production",
      flowLogs: { kmsKeyArn: logsKey.keyArn, retentionInDays, accountId, partition },
    },
    opts,
  );
  const cluster = new Cluster(
    cfg.namePrefix,
    {
      clusterName: cfg.clusterName,
      region: cfg.region,
      kubernetesVersion: cfg.kubernetesVersion,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      egress: network.egress,
      endpointPublicAccessCidrs: cfg.endpointPublicAccessCidrs,
      adminRoleArns: cfg.adminRoleArns,
      ciRoleArn: cfg.ciRoleArn,
      previewRoleArn: cfg.previewRoleArn,
      driftRoleArn: cfg.driftRoleArn,
      ssoIssuerUrl: cfg.argocdOidc.issuer,
      deletionProtection: cfg.deletionProtection,
      systemNodeGroup: cfg.systemNodeGroup,
      detailedMonitoring: nodeDetailedMonitoring(cfg.environment),
      logs: { kmsKeyArn: logsKey.keyArn, retentionInDays },
      accountId,
      partition,
    },
    opts,
  );
  const database = new DatabaseNetwork(
    `${cfg.namePrefix}-db`,
    { clusterName: cfg.clusterName, vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds, nodeSecurityGroupId: cluster.nodeSecurityGroupId },
    opts,
  );
  // Where service images live: the registry of record replicates into every stack's own registry.
  const registry = new Registry(
    `${cfg.namePrefix}-ecr`,
    { config: cfg.registry, clusterName: cfg.clusterName, region: cfg.region, accountId: cfg.accountId, partition, tags: cfg.tags },
    opts,
  );
  // In-cluster add-ons and the handoff to Argo CD (bootstrap/, docs/bootstrap.md).
  new Bootstrap(
    `${cfg.namePrefix}-bootstrap`,
    {
      stack: cfg.stack,
      environment: cfg.environment,
      region: cfg.region,
      accountId,
      clusterName: cfg.clusterName,
      tags: cfg.tags,
      cluster,
      network: {
        vpcId: network.vpcId,
        vpcCidr: cfg.vpcCidr,
        zoneCount: cfg.azCount,
        rdsSubnetGroupName: database.subnetGroupName,
        rdsSecurityGroupId: database.securityGroupId,
      },
      dns: { domain: cfg.domain, hostedZoneId: cfg.hostedZoneId, letsencryptEmail: cfg.letsencryptEmail },
      edge: cfg.edge,
      edgeStandby: cfg.edgeStandby,
      ...(cfg.vaultAllowedCidrs ? { vaultAllowedCidrs: cfg.vaultAllowedCidrs } : {}),
      systemNodes: cfg.systemNodeGroup.minSize,
      workloadNodes: cfg.workloadNodeGroup,
      adminCidrs: cfg.endpointPublicAccessCidrs,
      deployRoleArns: [cfg.ciRoleArn, ...cfg.adminRoleArns],
      argocd: { oidc: cfg.argocdOidc, gitCredentialsSecretName: cfg.gitCredentialsSecretName },
      platformAdminGroups: cfg.platformAdminGroups,
      repos: {
        platformRepoUrl: cfg.platformRepoUrl,
        platformRepoRevision: cfg.platformRepoRevision,
        servicesRepoUrl: cfg.servicesRepoUrl,
        serviceRepoUrlPrefix: cfg.serviceRepoUrlPrefix,
      },
      // The registry of record: this stack's own registry when it is the source, else the configured one.
      chartRegistry: cfg.registry.source
        ? { accountId: cfg.accountId, region: cfg.region }
        : { accountId: cfg.registry.sourceAccountId, region: cfg.registry.sourceRegion },
      pushRoles: registry.pushRoles,
    },
    { providers: [awsProvider, cluster.provider] },
  );

  return {
    environment: cfg.environment,
    region: cfg.region,
    accountId,
    clusterName: cluster.name,
    clusterEndpoint: cluster.endpoint,
    oidcProviderArn: cluster.oidcProviderArn,
    oidcProviderUrl: cluster.oidcProviderUrl,
    kubeconfig: cluster.kubeconfig,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    privateSubnetIds: network.privateSubnetIds,
    publicSubnetIds: network.publicSubnetIds,
    nodeSecurityGroupId: cluster.nodeSecurityGroupId,
    clusterSecurityGroupId: cluster.clusterSecurityGroupId,
    rdsSubnetGroupName: database.subnetGroupName,
    rdsSecurityGroupId: database.securityGroupId,
    domain: cfg.domain,
    registryUrl: registry.url,
  };
}
