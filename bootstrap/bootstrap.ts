// Everything the stack installs into its cluster, in dependency order (docs/bootstrap.md):
// load balancer controller -> cert-manager -> issuers -> ingress-nginx -> Vault (+ init,
// configuration, snapshots) -> Argo CD -> handoff. Pass `providers: [aws, cluster.provider]`.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { HolodeckConfig } from "../stacks/config";
import { ArgoCd } from "./argocd";
import { AwsLoadBalancerController } from "./aws-load-balancer-controller";
import { CertManager } from "./cert-manager";
import { ClusterIssuers, letsencryptIssuerFor, TRUSTED_ISSUER } from "./cluster-issuers";
import { Handoff } from "./handoff";
import { IngressNginx } from "./ingress-nginx";
import { chartRegistryHost, PlatformAws } from "./platform-aws";
import { DefaultStorageClass } from "./storage-class";
import { Vault } from "./vault";
import { VaultConfig } from "./vault-config";
import { VaultInit } from "./vault-init";
import { VaultSnapshots } from "./vault-snapshots";
import type { ClusterIdentity } from "./types";

export interface BootstrapArgs {
  config: HolodeckConfig;
  cluster: ClusterIdentity;
  accountId: pulumi.Input<string>;
  vpcId: pulumi.Input<string>;
  rdsSubnetGroupName: pulumi.Input<string>;
  rdsSecurityGroupId: pulumi.Input<string>;
}

export class Bootstrap extends pulumi.ComponentResource {
  public readonly vaultAddress: string;
  public readonly argocdHost: string;
  public readonly ingressHostname: pulumi.Output<string>;

  constructor(name: string, args: BootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:Bootstrap", name, {}, opts);
    const cfg = args.config;
    const child = { parent: this };
    const tags = cfg.tags;
    const production = cfg.environment === "production";
    const issuer = letsencryptIssuerFor(cfg.environment);
    const account = { accountId: args.accountId, partition: aws.getPartitionOutput({}, { parent: this }).partition };

    const lbc = new AwsLoadBalancerController(
      `${name}-lbc`,
      {
        cluster: args.cluster,
        clusterName: cfg.clusterName,
        environment: cfg.environment,
        region: cfg.region,
        vpcId: args.vpcId,
        account,
        tags,
      },
      child,
    );
    // The controller's Service webhook (failurePolicy Fail) sees every Service the later
    // charts create, so everything else starts once the controller is ready.
    const certManager = new CertManager(
      `${name}-cert-manager`,
      {
        cluster: args.cluster,
        environment: cfg.environment,
        hostedZoneId: cfg.hostedZoneId,
        tags,
        after: [lbc.release],
      },
      child,
    );
    const issuers = new ClusterIssuers(
      `${name}-issuers`,
      {
        domain: cfg.domain,
        hostedZoneId: cfg.hostedZoneId,
        region: cfg.region,
        letsencryptEmail: cfg.letsencryptEmail,
        certManagerRelease: certManager.release,
      },
      child,
    );
    const ingress = new IngressNginx(
      `${name}-ingress`,
      {
        environment: cfg.environment,
        domain: cfg.domain,
        hostedZoneId: cfg.hostedZoneId,
        // Always a trusted certificate for the platform's own UIs (one cert per stack, far
        // below Let's Encrypt limits); services follow the environment's issuer.
        wildcardIssuer: TRUSTED_ISSUER,
        loadBalancerController: lbc.release,
        certificateDependencies: [certManager.release, ...issuers.issuers],
      },
      child,
    );

    // Vault's raft PVCs (and every platform-apps volume) are provisioned by this class.
    const storage = new DefaultStorageClass(`${name}-storage`, child);
    // Who may configure Vault: the deploy identities log in with their own AWS credentials.
    const deployRoleArns = [cfg.ciRoleArn, ...cfg.adminRoleArns];
    const vault = new Vault(
      `${name}-vault`,
      {
        cluster: args.cluster,
        region: cfg.region,
        domain: cfg.domain,
        tags,
        account,
        clusterName: cfg.clusterName,
        hardZoneSpread: production && cfg.azCount >= 3,
        systemNodes: cfg.systemNodeGroup.minSize,
        adminCidrs: cfg.endpointPublicAccessCidrs,
        deployRoleArns,
        dependsOn: [...issuers.issuers, ingress.release, storage.storageClass],
      },
      child,
    );
    const vaultInit = new VaultInit(
      `${name}-vault-init`,
      {
        cluster: args.cluster,
        secretName: `holodeck/${cfg.stack}/vault-init`,
        region: cfg.region,
        tags,
        account,
        keyAlias: `${cfg.clusterName}-vault-init`,
        vaultRelease: vault.release,
        deployRoleArns,
        loginHost: vault.loginHost,
      },
      child,
    );
    const vaultConfig = new VaultConfig(
      `${name}-vault-config`,
      {
        address: vault.deployAddress,
        region: cfg.region,
        loginHeaderValue: vault.loginHost,
        dependsOn: [vaultInit.job, ...ingress.publicEndpoint],
      },
      child,
    );
    new VaultSnapshots(
      `${name}-vault-snapshots`,
      {
        cluster: args.cluster,
        bucketName: pulumi.interpolate`${cfg.clusterName}-${args.accountId}-vault-snapshots`,
        region: cfg.region,
        vaultAddress: vault.internalAddress,
        schedule: "17 * * * *",
        tags,
        account,
        keyAlias: `${cfg.clusterName}-vault-snapshots`,
        dependsOn: [vaultConfig],
      },
      child,
    );

    const argocd = new ArgoCd(
      `${name}-argocd`,
      {
        environment: cfg.environment,
        domain: cfg.domain,
        oidc: cfg.argocdOidc,
        gitCredentialsSecretName: cfg.gitCredentialsSecretName,
        repoUrlPrefixes: [cfg.platformRepoUrl, cfg.servicesRepoUrl, cfg.serviceRepoUrlPrefix],
        dependsOn: [ingress.release, ...issuers.issuers],
      },
      child,
    );
    // Every cluster pulls the service chart from the registry of record (contracts §8).
    const chartRegistry = cfg.registry.source
      ? { accountId: cfg.accountId, region: cfg.region } // the account the Registry is made in (stacks/program.ts)
      : { accountId: cfg.registry.sourceAccountId, region: cfg.registry.sourceRegion };
    const platformAws = new PlatformAws(
      `${name}-platform-aws`,
      {
        cluster: args.cluster,
        environment: cfg.environment,
        region: cfg.region,
        account,
        clusterName: cfg.clusterName,
        tags,
        chartRegistry,
      },
      child,
    );

    new Handoff(
      `${name}-handoff`,
      {
        environment: cfg.environment,
        region: cfg.region,
        accountId: args.accountId,
        clusterName: cfg.clusterName,
        domain: cfg.domain,
        platformRepoUrl: cfg.platformRepoUrl,
        platformRepoRevision: cfg.platformRepoRevision,
        servicesRepoUrl: cfg.servicesRepoUrl,
        serviceRepoUrlPrefix: cfg.serviceRepoUrlPrefix,
        letsencryptIssuer: issuer,
        vpcCidr: cfg.vpcCidr,
        annotations: {
          aws_region: cfg.region,
          aws_account_id: args.accountId,
          aws_vpc_id: args.vpcId,
          cluster_name: cfg.clusterName,
          environment: cfg.environment,
          domain: cfg.domain,
          platform_repo_url: cfg.platformRepoUrl,
          platform_repo_revision: cfg.platformRepoRevision,
          services_repo_url: cfg.servicesRepoUrl,
          letsencrypt_issuer: issuer,
          vault_addr: vault.internalAddress,
          oidc_issuer_url: cfg.argocdOidc.issuer,
          crossplane_provider_aws_role_arn: platformAws.crossplaneRoleArn,
          loki_role_arn: platformAws.lokiRoleArn,
          loki_bucket_name: platformAws.lokiBucketName,
          rds_subnet_group_name: args.rdsSubnetGroupName,
          rds_security_group_id: args.rdsSecurityGroupId,
          chart_registry_host: chartRegistryHost(chartRegistry),
          chart_registry_region: chartRegistry.region,
          chart_pull_role_arn: platformAws.chartPullRoleArn,
        },
        // Apps synced by Argo CD need these while Argo CD deletes them on destroy.
        dependsOn: [argocd.release, lbc.release, ingress.service, certManager.release, vaultConfig, platformAws],
      },
      child,
    );

    this.vaultAddress = vault.deployAddress;
    this.argocdHost = argocd.host;
    this.ingressHostname = ingress.loadBalancerHostname;
    this.registerOutputs({ vaultAddress: this.vaultAddress, argocdHost: this.argocdHost, ingressHostname: this.ingressHostname });
  }
}
