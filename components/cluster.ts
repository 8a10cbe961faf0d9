// The EKS cluster, built from aws.eks.* resources rather than @pulumi/eks: @pulumi/eks's
// Cluster and ManagedNodeGroup are remote (multi-language) components, so under mocks and
// in `npm run plan` their children (encryption, logs, access entries, launch templates) are
// invisible and untestable. With aws.eks.* every security-relevant input is a recorded
// input, and the plan's dependency graph is the real one.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SYSTEM_TAINT, type NodeGroupConfig } from "../model";
import { ClusterAccess } from "./cluster-access";
import { ClusterAddons } from "./cluster-addons";
import { policyJson, serviceTrustPolicy } from "./iam-policy";
import { IrsaRole } from "./irsa";
import { KmsKey } from "./kms";
import { kubeconfigJson } from "./kubeconfig";
import { KARPENTER_DISCOVERY_TAG } from "./network";
import { NodeGroup } from "./node-group";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
const AWS_POLICY = "arn:aws:iam::aws:policy";
/**
 * vpc-cni add-on configuration: without enableNetworkPolicy (a string in the add-on's schema)
 * the CNI runs no network policy agent and every NetworkPolicy is accepted but not enforced.
 */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" } as const;

export interface ClusterArgs {
  clusterName: string;
  region: string;
  kubernetesVersion: string;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  /**
   * Network the nodes and in-cluster controllers need while they run (Network.egress). The
   * node groups and the k8s provider, which every in-cluster resource hangs from, wait for
   * it: nodes cannot join without it, and a one-pass `pulumi destroy` deletes everything in
   * the cluster (and the NLBs and volumes controllers made) before it.
   */
  egress: pulumi.Resource[];
  /** Empty = private endpoint only. */
  endpointPublicAccessCidrs: string[];
  adminRoleArns: string[];
  ciRoleArn: string;
  /** Merge-request preview role: read-only (AmazonEKSViewPolicy) access entry when set. */
  previewRoleArn?: string;
  /** Role of the scheduled drift checks: read-only, Secrets included (what a refresh reads). */
  driftRoleArn?: string;
  /** The platform's SSO issuer: people's ID tokens (Kiali) are accepted by the API (ClusterAccess). */
  ssoIssuerUrl: string;
  deletionProtection: boolean;
  /** The one managed node group (tainted for critical add-ons); workloads run on Karpenter's nodes (bootstrap/karpenter/). */
  systemNodeGroup: NodeGroupConfig;
  /** EC2 detailed monitoring of the system nodes (model nodeDetailedMonitoring). */
  detailedMonitoring: boolean;
  logs: { kmsKeyArn: pulumi.Input<string>; retentionInDays: number };
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
}

export class Cluster extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly certificateAuthority: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  /** Issuer without `https://`, as IAM trust policy condition keys need it. */
  readonly oidcProviderUrl: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly nodeSecurityGroupId: pulumi.Output<string>;
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  readonly nodeRoleArn: pulumi.Output<string>;
  readonly secretsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:cluster:Cluster", name, {}, opts);
    const child = { parent: this };
    // Returned so the cluster and node groups wait for them: AWS validates the role's policies at creation.
    const managed = (label: string, role: aws.iam.Role, policies: string[]): aws.iam.RolePolicyAttachment[] =>
      policies.map((policy) => new aws.iam.RolePolicyAttachment(`${name}-${label}-${policy.split("/").pop()}`, { role: role.name, policyArn: policy }, child));

    const clusterRole = new aws.iam.Role(
      `${name}-cluster-role`,
      { description: `EKS control plane of ${args.clusterName}`, assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com") },
      child,
    );
    const clusterPolicies = managed("cluster", clusterRole, [`${AWS_POLICY}/AmazonEKSClusterPolicy`]);
    const secretsKey = new KmsKey(
      `${name}-secrets`,
      {
        description: `Envelope encryption of Kubernetes secrets in ${args.clusterName}`,
        aliasName: `${args.clusterName}-eks-secrets`,
        accountId: args.accountId,
        partition: args.partition,
      },
      child,
    );
    // AmazonEKSClusterPolicy has no rights on customer keys: EKS needs these to envelope-encrypt secrets.
    const secretsKeyUse = new aws.iam.RolePolicy(
      `${name}-cluster-secrets-key`,
      {
        role: clusterRole.id,
        policy: policyJson([{ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: secretsKey.keyArn }]),
      },
      child,
    );
    // Created before the cluster so EKS writes into a group with our retention and key.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: args.logs.retentionInDays, kmsKeyId: args.logs.kmsKeyArn },
      { parent: this, retainOnDelete: true },
    );
    const publicEndpoint = args.endpointPublicAccessCidrs.length > 0;
    const cluster = new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: args.clusterName,
        version: args.kubernetesVersion,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: publicEndpoint,
          ...(publicEndpoint ? { publicAccessCidrs: args.endpointPublicAccessCidrs } : {}),
        },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        encryptionConfig: { provider: { keyArn: secretsKey.keyArn }, resources: ["secrets"] },
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        // No default add-ons: the managed add-ons below are the only CNI/DNS/proxy.
        bootstrapSelfManagedAddons: false,
        upgradePolicy: { supportType: "STANDARD" },
        deletionProtection: args.deletionProtection,
      },
      { parent: this, dependsOn: [logGroup, secretsKeyUse, ...clusterPolicies], protect: args.deletionProtection },
    );
    const issuer = cluster.identities.apply((ids) => ids[0].oidcs?.[0]?.issuer ?? "");
    const oidc = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"] }, child);
    this.oidcProviderArn = oidc.arn;
    this.oidcProviderUrl = issuer.apply((url) => url.replace(/^https:\/\//, ""));
    const irsa = (saName: string, namespace: string, serviceAccount: string, policy: string): IrsaRole =>
      new IrsaRole(
        `${name}-${saName}`,
        { oidcProviderArn: this.oidcProviderArn, oidcProviderUrl: this.oidcProviderUrl, namespace, serviceAccount, managedPolicyArns: [policy] },
        child,
      );

    // The add-ons wait for their whole IRSA role (attachments included), not just its ARN.
    const cniRole = irsa("vpc-cni", "kube-system", "aws-node", `${AWS_POLICY}/AmazonEKS_CNI_Policy`);
    const ebsCsiRole = irsa("ebs-csi", "kube-system", "ebs-csi-controller-sa", `${AWS_POLICY}/service-role/AmazonEBSCSIDriverPolicy`);
    const access = new ClusterAccess(
      `${name}-access`,
      {
        clusterName: cluster.name,
        partition: args.partition,
        adminRoleArns: args.adminRoleArns,
        ciRoleArn: args.ciRoleArn,
        previewRoleArn: args.previewRoleArn,
        driftRoleArn: args.driftRoleArn,
        ssoIssuerUrl: args.ssoIssuerUrl,
      },
      child,
    );
    const networkAddons = new ClusterAddons(
      `${name}-addons-network`,
      {
        clusterName: cluster.name,
        kubernetesVersion: args.kubernetesVersion,
        addons: [{ addonName: "vpc-cni", serviceAccountRoleArn: cniRole.roleArn, configurationValues: VPC_CNI_CONFIGURATION }, { addonName: "kube-proxy" }],
        after: [cniRole],
      },
      child,
    );

    const nodeSg = new aws.ec2.SecurityGroup(
      `${name}-nodes`,
      // Not tagged kubernetes.io/cluster/*: the load balancer controller must find only the cluster SG on node ENIs.
      {
        vpcId: args.vpcId,
        description: `Extra SG of ${args.clusterName} nodes (identity for RDS and other peers)`,
        // Karpenter's EC2NodeClass selects it by the discovery tag (its nodes get the same SGs as the managed ones).
        tags: { Name: `${args.clusterName}-nodes`, [KARPENTER_DISCOVERY_TAG]: args.clusterName },
      },
      child,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-nodes-egress`,
      { securityGroupId: nodeSg.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "All egress" },
      child,
    );
    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { description: `EKS nodes of ${args.clusterName}`, assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com") },
      child,
    );
    const nodePolicies = managed("node", nodeRole, [
      `${AWS_POLICY}/AmazonEKSWorkerNodePolicy`,
      `${AWS_POLICY}/AmazonEC2ContainerRegistryPullOnly`,
      `${AWS_POLICY}/AmazonSSMManagedInstanceCore`,
    ]);
    this.clusterSecurityGroupId = cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId);
    const systemNodes = new NodeGroup(
      `${name}-system`,
      {
        clusterName: cluster.name,
        kubernetesVersion: args.kubernetesVersion,
        nodeRoleArn: nodeRole.arn,
        subnetIds: args.privateSubnetIds,
        securityGroupIds: [this.clusterSecurityGroupId, nodeSg.id],
        config: args.systemNodeGroup,
        role: "system",
        detailedMonitoring: args.detailedMonitoring,
        // EKS spells the effect NO_SCHEDULE for the Kubernetes NoSchedule.
        taints: [{ key: SYSTEM_TAINT.key, value: SYSTEM_TAINT.value, effect: "NO_SCHEDULE" }],
        // Real orderings: no node is Ready before the CNI exists (bootstrapSelfManagedAddons is
        // false) and its settings must be in place when nodes start; nodes pull images through the egress.
        after: [...networkAddons.addons, ...nodePolicies, ...args.egress],
      },
      child,
    );
    const workloadAddons = new ClusterAddons(
      `${name}-addons-workload`,
      {
        clusterName: cluster.name,
        kubernetesVersion: args.kubernetesVersion,
        // CoreDNS and the EBS CSI controller are Deployments: they need nodes to become ACTIVE
        // (both tolerate CriticalAddonsOnly, so they run on the system nodes).
        addons: [{ addonName: "coredns" }, { addonName: "aws-ebs-csi-driver", serviceAccountRoleArn: ebsCsiRole.roleArn }],
        after: [systemNodes.nodeGroup, ebsCsiRole],
      },
      child,
    );

    this.name = cluster.name;
    this.endpoint = cluster.endpoint;
    this.certificateAuthority = cluster.certificateAuthority.apply((ca) => ca.data ?? "");
    this.kubeconfig = pulumi.secret(
      kubeconfigJson({ clusterName: cluster.name, endpoint: this.endpoint, certificateAuthority: this.certificateAuthority, region: args.region }),
    );
    // In-cluster resources wait until our principals have access and nodes plus DNS are up;
    // the explicit egress edge keeps the destroy order even if the node groups change.
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [...access.associations, ...workloadAddons.addons, ...args.egress] },
    );
    this.nodeSecurityGroupId = nodeSg.id;
    this.nodeRoleArn = nodeRole.arn;
    this.secretsKeyArn = secretsKey.keyArn;
    this.registerOutputs({ name: this.name, endpoint: this.endpoint, oidcProviderArn: this.oidcProviderArn, oidcProviderUrl: this.oidcProviderUrl });
  }
}
