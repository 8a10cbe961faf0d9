// AWS Load Balancer Controller: turns Services of type LoadBalancer into NLBs (and
// Ingresses of class alb into ALBs) with a maintained controller instead of the in-tree one.
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { CHARTS } from "../versions";
import { chartRelease } from "../shared/k8s-helpers";
import { systemPlacement } from "../shared/placement";
import { addonRole, roleAnnotation } from "../shared/irsa";
import { loadBalancerControllerStatements } from "./iam-policy";
import type { Environment, Tags } from "../../model";
import type { AccountRef, ClusterIdentity } from "../shared/types";

export const LBC_NAMESPACE = "kube-system";
export const LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller";

export interface AwsLoadBalancerControllerArgs {
  cluster: ClusterIdentity;
  /** Plain cluster name: the policy scopes every write to resources tagged with it. */
  clusterName: pulumi.Input<string>;
  environment: Environment;
  region: string;
  vpcId: pulumi.Input<string>;
  /** Account of the VPC: security group edits are scoped to the VPC's ARN. */
  account: AccountRef;
  tags: Tags;
}

export class AwsLoadBalancerController extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: AwsLoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("holodeck:bootstrap:AwsLoadBalancerController", name, {}, opts);
    const role = addonRole(
      name,
      args.cluster,
      { namespace: LBC_NAMESPACE, serviceAccount: LBC_SERVICE_ACCOUNT },
      pulumi
        .all([args.clusterName, args.account.partition, args.account.accountId, args.vpcId])
        .apply(([clusterName, partition, accountId, vpcId]) =>
          loadBalancerControllerStatements({ clusterName, vpcArn: `arn:${partition}:ec2:${args.region}:${accountId}:vpc/${vpcId}` }),
        ),
      args.tags,
      { parent: this },
    );
    this.release = chartRelease(
      name,
      CHARTS.awsLoadBalancerController,
      {
        releaseName: "aws-load-balancer-controller",
        namespace: LBC_NAMESPACE,
        values: {
          clusterName: args.clusterName,
          region: args.region,
          vpcId: args.vpcId,
          // Two replicas (one leader) so the webhook the API server calls stays available.
          replicaCount: 2,
          podDisruptionBudget: { maxUnavailable: 1 },
          ...systemPlacement(),
          serviceAccount: { create: true, name: LBC_SERVICE_ACCOUNT, annotations: roleAnnotation(role) },
          // The IAM policy grants no WAF/Shield calls; keep the controller from making them.
          enableShield: false,
          enableWaf: false,
          enableWafv2: false,
          // The chart's Service mutator webhook sees every Service CREATE in the cluster and the
          // Ingress validator every Ingress, both failurePolicy Fail by default: while the
          // controller starts, every other chart's Services/Ingresses would be refused. The
          // mutator only defaults loadBalancerClass on LoadBalancer Services (the one the
          // platform makes sets it itself) and the validator only checks ALB Ingresses (the
          // platform has none), so the other add-ons install side by side with the controller.
          serviceMutatorWebhookConfig: { failurePolicy: "Ignore" },
          webhookConfig: { disableIngressValidation: true },
          defaultTags: { ...args.tags, "holodeck.dev/environment": args.environment },
        },
      },
      { parent: this, dependsOn: [role] },
    );
    this.roleArn = role.roleArn;
    this.registerOutputs({ roleArn: this.roleArn, releaseStatus: this.release.status });
  }
}
