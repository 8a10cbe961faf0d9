// Everything the stack installs into its cluster (docs/bootstrap.md), one add-on per folder.
// The add-ons start side by side; an add-on waits for another only where the second must
// answer or exist first, each such edge with its reason below. Pass
// `providers: [aws, cluster.provider]`.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServicePushRoles } from "../components/ci-push-role";
import type { Edge, Environment, NodeGroupConfig, Tags } from "../model";
import { ArgoCd, type OidcSettings } from "./argocd/argocd";
import { CertManager } from "./cert-manager/cert-manager";
import { ClusterIssuers, letsencryptIssuerFor, TRUSTED_ISSUER } from "./cert-manager/cluster-issuers";
import { ARGOCD_BACKEND, PlatformRoute, VAULT_BACKEND } from "./gateway/platform-route";
import { edgeAnnotations } from "./handoff/gitops-bridge";
import { Handoff } from "./handoff/handoff";
import { installEdges } from "./ingress/edges";
import { Karpenter } from "./karpenter/karpenter";
import { MetricsServer } from "./metrics-server/metrics-server";
import { PlatformAdminsView } from "./people/platform-admins-view";
import { AwsLoadBalancerController } from "./load-balancer-controller/aws-load-balancer-controller";
import { chartRegistryHost, PlatformIdentities, type ChartRegistry } from "./platform-identities/platform-identities";
import type { ClusterIdentity } from "./shared/types";
import { DefaultStorageClass } from "./storage/storage-class";
import { Vault } from "./vault/vault";
import { VaultConfig } from "./vault/config";
import { VAULT_NAMESPACE, VAULT_TLS_SECRET, VAULT_UNAUTHENTICATED_PATHS } from "./vault/constants";
import { VaultInit } from "./vault/init";
import { VaultSnapshots } from "./vault/snapshots";

/** Exactly what the bootstrap reads of the stack (stacks/program.ts builds it from the config). */
export interface BootstrapArgs {
  /** Stack name, e.g. staging-eu-west-1 (names the Vault init secret). */
  stack: string;
  environment: Environment;
  region: string;
  accountId: pulumi.Input<string>;
  /** Physical name prefix, e.g. holodeck-staging-eu-west-1. */
  clusterName: string;
  tags: Tags;
  cluster: ClusterIdentity;
  network: {
    vpcId: pulumi.Input<string>;
    vpcCidr: string;
    /** Availability zones of the VPC (Vault spreads over zones as a hard rule from 3 in production). */
    zoneCount: number;
    rdsSubnetGroupName: pulumi.Input<string>;
    rdsSecurityGroupId: pulumi.Input<string>;
  };
  dns: { domain: string; hostedZoneId: string; letsencryptEmail: string };
  /** The public edge behind `*.<domain>` (docs/edge.md): Gateway API through Envoy Gateway, or ingress-nginx. */
  edge: Edge;
  /** The other edge, installed side by side without DNS during a switch (docs/runbooks/edge-switch.md). */
  edgeStandby?: Edge;
  /** holodeck:vaultAllowedCidrs: Vault on the edge only from these; unset = public (docs/edge.md). */
  vaultAllowedCidrs?: string[];
  /** Nodes the system node group always has (its minSize). */
  systemNodes: number;
  /** The stack's workloadNodeGroup: the shape of Karpenter's workload NodePool (docs/scaling.md). */
  workloadNodes: NodeGroupConfig;
  /** CIDRs allowed to the public Kubernetes endpoint, and so to Vault's public ingress. */
  adminCidrs: string[];
  /** The roles that deploy the stack (CI + admins): they log in to Vault with AWS auth. */
  deployRoleArns: string[];
  argocd: { oidc: OidcSettings; gitCredentialsSecretName: string };
  /** SSO groups of the platform admins (holodeck:platformAdminGroups): Argo CD, Grafana, Vault, Kiali. */
  platformAdminGroups: string[];
  repos: { platformRepoUrl: string; platformRepoRevision: string; servicesRepoUrl: string; serviceRepoUrlPrefix: string };
  /** The registry of record every cluster pulls the service chart from (docs/contracts.md §8). */
  chartRegistry: ChartRegistry;
  /** Only when this stack is the registry of record (Registry.pushRoles): per-service ECR push roles. */
  pushRoles?: pulumi.Output<ServicePushRoles>;
}

export class Bootstrap extends pulumi.ComponentResource {
  public readonly vaultAddress: string;
  public readonly argocdHost: string;
  public readonly ingressHostname: pulumi.Output<string>;

  constructor(name: string, args: BootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:Bootstrap", name, {}, opts);
    const child = { parent: this };
    const { environment, region, clusterName, tags, dns, repos } = args;
    const issuer = letsencryptIssuerFor(environment);
    const account = { accountId: args.accountId, partition: aws.getPartitionOutput({}, { parent: this }).partition };

    // No chart waits for the controller: its Service mutator answers with failurePolicy Ignore
    // and its Ingress validation is off (load-balancer-controller/aws-load-balancer-controller.ts).
    const lbc = new AwsLoadBalancerController(
      `${name}-lbc`,
      { cluster: args.cluster, clusterName, environment, region, vpcId: args.network.vpcId, account, tags },
      child,
    );
    // Workload nodes: Karpenter's controller on the system nodes and its workload NodePool.
    const karpenter = new Karpenter(
      `${name}-karpenter`,
      { cluster: args.cluster, clusterName, environment, region, account, workload: args.workloadNodes, tags },
      child,
    );
    // The resource metrics API every HorizontalPodAutoscaler reads.
    new MetricsServer(`${name}-metrics-server`, { environment }, child);
    new PlatformAdminsView(`${name}-platform-admins-view`, { platformAdminGroups: args.platformAdminGroups }, child);
    const certManager = new CertManager(`${name}-cert-manager`, { cluster: args.cluster, environment, hostedZoneId: dns.hostedZoneId, tags }, child);
    // Issuers are cert-manager CRs: its CRDs and its webhook (failurePolicy Fail) come with the release.
    const issuers = new ClusterIssuers(
      `${name}-issuers`,
      { domain: dns.domain, hostedZoneId: dns.hostedZoneId, region, letsencryptEmail: dns.letsencryptEmail, after: [certManager.release] },
      child,
    );
    // The public edge (docs/edge.md): the serving one behind `*.<domain>` and, during a switch,
    // the standby one side by side (bootstrap/ingress/edges.ts).
    const edges = installEdges(
      name,
      {
        serving: args.edge,
        standby: args.edgeStandby,
        environment,
        domain: dns.domain,
        hostedZoneId: dns.hostedZoneId,
        // Always a trusted certificate for the platform's own UIs (one cert per stack, far
        // below Let's Encrypt limits); on the ingress-nginx edge services may ask for their own.
        wildcardIssuer: TRUSTED_ISSUER,
        // The wildcard Certificate is a cert-manager CR and is Ready only once its issuer is.
        certificateAfter: [certManager.release, issuers.letsencrypt[TRUSTED_ISSUER]],
        loadBalancerController: lbc.release,
      },
      this,
    );

    // Vault's raft PVCs (and every platform-apps volume) are provisioned by this class.
    const storage = new DefaultStorageClass(`${name}-storage`, child);
    const vault = new Vault(
      `${name}-vault`,
      {
        cluster: args.cluster,
        region,
        domain: dns.domain,
        tags,
        account,
        clusterName,
        hardZoneSpread: environment === "production" && args.network.zoneCount >= 3,
        systemNodes: args.systemNodes,
        adminCidrs: args.adminCidrs,
        ...(args.vaultAllowedCidrs ? { uiAllowedCidrs: args.vaultAllowedCidrs } : {}),
        deployRoleArns: args.deployRoleArns,
        // The listener Certificate is signed by the internal CA issuer (Ready after its CA).
        certificateAfter: [certManager.release, issuers.internalCa],
        // The raft PVCs ask for the default StorageClass.
        after: [storage.storageClass],
        // Vault's Ingress exists only where ingress-nginx runs (its admission webhook must answer for it).
        ingressController: edges.ingressAdmission[0],
      },
      child,
    );
    const vaultInit = new VaultInit(
      `${name}-vault-init`,
      {
        cluster: args.cluster,
        secretName: `holodeck/${args.stack}/vault-init`,
        region,
        tags,
        account,
        keyAlias: `${clusterName}-vault-init`,
        // The Job talks to vault-0 of the release.
        after: [vault.release],
        deployRoleArns: args.deployRoleArns,
        loginHost: vault.loginHost,
      },
      child,
    );
    // On the gateway edge the bootstrap's UIs get HTTPRoutes; Vault's is public unless the stack restricts it (docs/edge.md).
    const vaultRoute = edges.gateway
      ? new PlatformRoute(
          `${name}-vault-route`,
          {
            ui: "vault",
            domain: dns.domain,
            backend: VAULT_BACKEND,
            closedPaths: VAULT_UNAUTHENTICATED_PATHS,
            allowedCidrs: vault.allowedCidrs,
            backendTls: { caSecret: VAULT_TLS_SECRET, hostname: `${VAULT_BACKEND.name}.${VAULT_NAMESPACE}.svc` },
            after: [edges.gateway, vault.release],
          },
          child,
        )
      : undefined;
    const vaultConfig = new VaultConfig(
      `${name}-vault-config`,
      {
        address: vault.deployAddress,
        region,
        loginHeaderValue: vault.loginHost,
        people: {
          environment,
          oidc: args.argocd.oidc,
          platformAdminGroups: args.platformAdminGroups,
          vaultHost: `vault.${dns.domain}`,
          internalAddress: vault.internalAddress,
          servicesRepoUrl: args.repos.servicesRepoUrl,
          gitCredentialsSecretName: args.argocd.gitCredentialsSecretName,
        },
        // The init Job sets up the deploy login; deploying through the edge, the public address
        // answers once its DNS record, NLB and wildcard certificate exist (and, on the gateway edge, its route).
        after: [
          vaultInit.job,
          ...(vault.deployAddress === vault.publicAddress ? edges.ready : []),
          ...(vaultRoute && edges.serving.edge === "gateway" && vault.deployAddress === vault.publicAddress ? [vaultRoute] : []),
        ],
      },
      child,
    );
    new VaultSnapshots(
      `${name}-vault-snapshots`,
      {
        cluster: args.cluster,
        bucketName: pulumi.interpolate`${clusterName}-${args.accountId}-vault-snapshots`,
        region,
        vaultAddress: vault.internalAddress,
        schedule: "17 * * * *",
        tags,
        account,
        keyAlias: `${clusterName}-vault-snapshots`,
        // The CronJob logs in with the raft-snapshot role VaultConfig makes (nothing else of it).
        after: [vaultConfig.snapshotRole],
      },
      child,
    );

    const argocd = new ArgoCd(
      `${name}-argocd`,
      {
        environment,
        domain: dns.domain,
        oidc: args.argocd.oidc,
        platformAdminGroups: args.platformAdminGroups,
        gitCredentialsSecretName: args.argocd.gitCredentialsSecretName,
        repoUrlPrefixes: [repos.platformRepoUrl, repos.servicesRepoUrl, repos.serviceRepoUrlPrefix],
        ingressNginx: edges.ingressAdmission.length > 0,
        // ingress-nginx's admission webhook (failurePolicy Fail) must answer for argocd-server's Ingress.
        after: edges.ingressAdmission,
      },
      child,
    );
    if (edges.gateway) {
      new PlatformRoute(`${name}-argocd-route`, { ui: "argocd", domain: dns.domain, backend: ARGOCD_BACKEND, after: [edges.gateway, argocd.release] }, child);
    }
    const identities = new PlatformIdentities(
      `${name}-platform-aws`,
      { cluster: args.cluster, environment, region, account, clusterName, tags, chartRegistry: args.chartRegistry, pushRoles: args.pushRoles },
      child,
    );

    new Handoff(
      `${name}-handoff`,
      {
        environment,
        region,
        accountId: args.accountId,
        clusterName,
        domain: dns.domain,
        platformRepoUrl: repos.platformRepoUrl,
        platformRepoRevision: repos.platformRepoRevision,
        servicesRepoUrl: repos.servicesRepoUrl,
        serviceRepoUrlPrefix: repos.serviceRepoUrlPrefix,
        serviceChartRepository: `${chartRegistryHost(args.chartRegistry)}/charts`,
        pushRoles: args.pushRoles,
        vpcCidr: args.network.vpcCidr,
        edge: args.edge,
        edgeStandby: args.edgeStandby,
        annotations: {
          aws_region: region,
          aws_account_id: args.accountId,
          aws_vpc_id: args.network.vpcId,
          cluster_name: clusterName,
          environment,
          domain: dns.domain,
          platform_repo_url: repos.platformRepoUrl,
          platform_repo_revision: repos.platformRepoRevision,
          services_repo_url: repos.servicesRepoUrl,
          letsencrypt_issuer: issuer,
          ...edgeAnnotations(args.edge, args.edgeStandby),
          vault_addr: vault.internalAddress,
          oidc_issuer_url: args.argocd.oidc.issuer,
          crossplane_provider_aws_role_arn: identities.crossplaneRoleArn,
          crossplane_provider_aws_iam_role_arn: identities.crossplaneIamRoleArn ?? "",
          loki_role_arn: identities.lokiRoleArn,
          loki_bucket_name: identities.lokiBucketName,
          rds_subnet_group_name: args.network.rdsSubnetGroupName,
          rds_security_group_id: args.network.rdsSecurityGroupId,
          chart_registry_host: chartRegistryHost(args.chartRegistry),
          chart_registry_region: args.chartRegistry.region,
          chart_pull_role_arn: identities.chartPullRoleArn,
        },
        // Argo CD's CRDs; and on destroy, what the synced apps need while Argo CD deletes them
        // (NLB cleanup, certificates, Vault, the workload nodes they run on) and their AWS identities.
        after: [argocd.release, lbc.release, karpenter.pools, ...edges.all.map((e) => e.endpoint.service), certManager.release, vaultConfig, identities],
      },
      child,
    );

    this.vaultAddress = vault.deployAddress;
    this.argocdHost = argocd.host;
    this.ingressHostname = edges.serving.endpoint.loadBalancerHostname;
    this.registerOutputs({ vaultAddress: this.vaultAddress, argocdHost: this.argocdHost, ingressHostname: this.ingressHostname });
  }
}
