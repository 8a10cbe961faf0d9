// Modelled creation time per resource type, in seconds: what a from-scratch `pulumi up` waits
// for. Sources: typical AWS/EKS creation times observed in CloudFormation/Terraform/Pulumi
// runs (EKS control plane 8-12 min, managed node group 3-5 min, NAT gateway 1-2 min).
// docs/plan.md carries the same table. Types not listed take DEFAULT_SECONDS; component
// resources and providers take no time themselves. Two types depend on their recorded inputs
// (durationModel): cert-manager Certificates (ACME vs. CA issuer) and Helm releases that do not
// wait for their objects (skipAwait).
import type { RecordedResource } from "./run-stack";

export const DEFAULT_SECONDS = 10;

export const CREATE_SECONDS: Record<string, number> = {
  "aws:eks/cluster:Cluster": 600,
  "aws:eks/nodeGroup:NodeGroup": 240,
  "aws:eks/addon:Addon": 60,
  "aws:eks/accessEntry:AccessEntry": 5,
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 5,
  "aws:ec2/natGateway:NatGateway": 120,
  "aws:ec2/vpcEndpoint:VpcEndpoint": 90,
  "aws:ec2/vpc:Vpc": 15,
  "aws:ec2/subnet:Subnet": 10,
  "aws:ec2/internetGateway:InternetGateway": 10,
  "aws:ec2/eip:Eip": 5,
  "aws:ec2/routeTable:RouteTable": 5,
  "aws:ec2/route:Route": 5,
  "aws:ec2/routeTableAssociation:RouteTableAssociation": 3,
  "aws:ec2/securityGroup:SecurityGroup": 5,
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 5,
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 3,
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 3,
  "aws:ec2/launchTemplate:LaunchTemplate": 5,
  "aws:ec2/flowLog:FlowLog": 10,
  "aws:iam/role:Role": 5,
  "aws:iam/rolePolicy:RolePolicy": 3,
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3,
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 5,
  "aws:kms/key:Key": 10,
  "aws:kms/alias:Alias": 3,
  "aws:cloudwatch/logGroup:LogGroup": 3,
  // ECR registry settings are single API calls (repositories themselves are created by ECR later).
  "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": 3,
  "aws:ecr/replicationConfiguration:ReplicationConfiguration": 3,
  "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": 3,
  "aws:ecr/registryPolicy:RegistryPolicy": 3,
  "aws:rds/subnetGroup:SubnetGroup": 5,
  "aws:s3/bucket:Bucket": 5,
  "aws:s3/bucketV2:BucketV2": 5,
  "aws:secretsmanager/secret:Secret": 5,
  "aws:route53/record:Record": 45,
  "kubernetes:helm.sh/v3:Release": 120,
  // Let's Encrypt DNS-01: order, TXT record in Route 53, propagation self-check, validation,
  // issuance: 1-3 min observed; Pulumi waits for Ready (WAIT_FOR_READY annotation).
  "kubernetes:cert-manager.io/v1:Certificate": 120,
  "kubernetes:helm.sh/v4:Chart": 120,
  "kubernetes:core/v1:Namespace": 2,
  "kubernetes:core/v1:Secret": 2,
  "kubernetes:core/v1:ConfigMap": 2,
  "kubernetes:batch/v1:Job": 60,
  "kubernetes:yaml/v2:ConfigGroup": 5,
};

/** A Certificate whose issuer is a CA or self-signed ClusterIssuer: signed in-cluster at once. */
export const CA_CERTIFICATE_SECONDS = 5;
/**
 * A Helm release with skipAwait: Helm returns once the API server accepted the objects, without
 * waiting for pods (the time they need moves to whatever waits for them, e.g. Vault's init Job).
 */
export const NO_WAIT_RELEASE_SECONDS = 20;

const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";
const ISSUER_TYPES = ["kubernetes:cert-manager.io/v1:ClusterIssuer", "kubernetes:cert-manager.io/v1:Issuer"];
const RELEASE = "kubernetes:helm.sh/v3:Release";

type Spec = { spec?: { acme?: unknown; issuerRef?: { name?: string } }; metadata?: { name?: string } };

/**
 * Creation time per resource of one recording: the type table, refined by inputs where the type
 * alone misleads. A Certificate takes CA_CERTIFICATE_SECONDS when its issuer is recorded and is
 * not ACME, the ACME time otherwise (unknown issuers count as ACME: never understate).
 */
export function durationModel(resources: RecordedResource[]): (r: RecordedResource) => number {
  const issuers = new Map<string, boolean>();
  for (const r of resources) {
    const inputs = r.inputs as Spec;
    if (ISSUER_TYPES.includes(r.type) && inputs.metadata?.name) issuers.set(inputs.metadata.name, inputs.spec?.acme !== undefined);
  }
  return (r) => {
    if (r.type === CERTIFICATE) {
      const issuer = (r.inputs as Spec).spec?.issuerRef?.name;
      return issuer !== undefined && issuers.get(issuer) === false ? CA_CERTIFICATE_SECONDS : createSeconds(r.type, r.custom);
    }
    if (r.type === RELEASE && r.inputs.skipAwait === true) return NO_WAIT_RELEASE_SECONDS;
    return createSeconds(r.type, r.custom);
  };
}

/** Creation time of one resource: 0 for components and providers (they create nothing). */
export function createSeconds(type: string, custom: boolean): number {
  if (!custom || type.startsWith("pulumi:providers:")) return 0;
  return CREATE_SECONDS[type] ?? (type.startsWith("kubernetes:") ? 5 : type.startsWith("vault:") ? 2 : DEFAULT_SECONDS);
}
