// One place where bootstrap add-ons make their IRSA roles (through the foundation's
// IrsaRole), so every role is trusted by exactly one namespace/service account.
import * as pulumi from "@pulumi/pulumi";
import { IrsaRole } from "../../components/irsa";
import { policyJson, type PolicyStatement } from "../../components/iam-policy";
import type { Tags } from "../../model";
import type { ClusterIdentity, ServiceAccountRef } from "./types";

export function addonRole(
  name: string,
  cluster: ClusterIdentity,
  account: ServiceAccountRef,
  statements: PolicyStatement[] | pulumi.Output<PolicyStatement[]>,
  tags: Tags,
  opts: pulumi.ComponentResourceOptions,
): IrsaRole {
  return new IrsaRole(
    `${name}-irsa`,
    {
      oidcProviderArn: cluster.oidcProviderArn,
      oidcProviderUrl: cluster.oidcProviderUrl,
      namespace: account.namespace,
      serviceAccount: account.serviceAccount,
      policyJson: pulumi.output(statements).apply((resolved) => policyJson(resolved)),
      tags,
    },
    opts,
  );
}

/** Service-account annotation that makes EKS inject the role's web identity token. */
export function roleAnnotation(role: IrsaRole): Record<string, pulumi.Output<string>> {
  return { "eks.amazonaws.com/role-arn": role.roleArn };
}
