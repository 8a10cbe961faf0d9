// cert-manager with its CRDs (installed and kept by the chart) and an IRSA role that may
// only answer DNS-01 challenges in the stack's own hosted zone.
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { CHARTS } from "../versions";
import { addonNamespace, chartRelease } from "../shared/k8s-helpers";
import { addonRole, roleAnnotation } from "../shared/irsa";
import { systemPlacement } from "../shared/placement";
import type { PolicyStatement } from "../../components/iam-policy";
import type { Environment, Tags } from "../../model";
import type { ClusterIdentity } from "../shared/types";

export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";

export interface CertManagerArgs {
  cluster: ClusterIdentity;
  environment: Environment;
  hostedZoneId: string;
  tags: Tags;
}

/** Route53 rights for DNS-01 (cert-manager's documented least-privilege policy). */
export function dns01Statements(hostedZoneId: string): PolicyStatement[] {
  return [
    { Sid: "GetChange", Effect: "Allow", Action: ["route53:GetChange"], Resource: "arn:aws:route53:::change/*" },
    {
      Sid: "ChallengeRecordsInStackZoneOnly",
      Effect: "Allow",
      Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
      Resource: `arn:aws:route53:::hostedzone/${hostedZoneId}`,
      Condition: {
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
        "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
      },
    },
    { Sid: "FindZone", Effect: "Allow", Action: ["route53:ListHostedZonesByName"], Resource: "*" },
  ];
}

export class CertManager extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:CertManager", name, {}, opts);
    const production = args.environment === "production";
    const replicas = production ? 2 : 1;
    const { nodeSelector, tolerations } = systemPlacement();
    const namespace = addonNamespace(name, CERT_MANAGER_NAMESPACE, { parent: this });
    const role = addonRole(
      name,
      args.cluster,
      { namespace: CERT_MANAGER_NAMESPACE, serviceAccount: CERT_MANAGER_SERVICE_ACCOUNT },
      dns01Statements(args.hostedZoneId),
      args.tags,
      { parent: this },
    );
    this.release = chartRelease(
      name,
      CHARTS.certManager,
      {
        releaseName: "cert-manager",
        namespace: namespace.metadata.name,
        values: {
          // CRDs come with the chart and survive an uninstall (certificates are state).
          crds: { enabled: true, keep: true },
          // Merged by the chart into every component's nodeSelector; tolerations are per component.
          global: { nodeSelector },
          replicaCount: replicas,
          tolerations,
          podDisruptionBudget: { enabled: production },
          webhook: { replicaCount: replicas, podDisruptionBudget: { enabled: production }, tolerations },
          cainjector: { replicaCount: replicas, podDisruptionBudget: { enabled: production }, tolerations },
          startupapicheck: { tolerations },
          serviceAccount: { create: true, name: CERT_MANAGER_SERVICE_ACCOUNT, annotations: roleAnnotation(role) },
          // Metrics Service on (cert-manager:9402 "http-metrics"); its ServiceMonitor is GitOps
          // content (platform-apps/manifests/monitoring): the CRD arrives after the bootstrap
          // and this chart renders a ServiceMonitor without checking that the API exists.
          prometheus: { enabled: true, servicemonitor: { enabled: false } },
        },
      },
      { parent: this, dependsOn: [role] },
    );
    this.roleArn = role.roleArn;
    this.registerOutputs({ roleArn: this.roleArn, releaseStatus: this.release.status });
  }
}
